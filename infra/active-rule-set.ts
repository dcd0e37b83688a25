/**
 * Making our receipt rule set the active one, without taking over the account's receiving. SES has one
 * active rule set per account and region, and CloudFormation cannot set it, so a small custom resource
 * does: it activates ours only when no set, or ours, is active, and refuses to replace another set unless
 * the operator deploys with `-c replaceActiveRuleSet=true`. On delete it deactivates receiving only if
 * ours is still the active set; a set activated since is left alone.
 */
import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';

/**
 * What to do, as plain JavaScript (it runs inside the inline function, and the tests evaluate it):
 * `decide(requestType, ourName, ourNames, activeName, replace)` → `{ action, reason }`, where `ourNames`
 * are this resource's set names, new and old (a rename is an update), and action is `activate`,
 * `deactivate`, `none` or `refuse`.
 */
export const DECIDE_SOURCE = `function decide(requestType, ourName, ourNames, activeName, replace) {
  if (requestType === 'Delete') {
    return ourNames.includes(activeName)
      ? { action: 'deactivate', reason: 'our rule set was active: receiving switched off' }
      : { action: 'none', reason: 'another rule set (or none) is active: left as it is' };
  }
  if (activeName === ourName) return { action: 'none', reason: 'our rule set is already active' };
  if (!activeName || ourNames.includes(activeName) || replace) {
    return { action: 'activate', reason: activeName ? 'replaced ' + activeName : 'no rule set was active' };
  }
  return {
    action: 'refuse',
    reason: 'The receipt rule set "' + activeName + '" is active in this account and region; activating "' +
      ourName + '" would stop the mail it receives. Deploy with -c replaceActiveRuleSet=true to replace it.',
  };
}`;

/** The inline handler: CommonJS on the Node.js 22 runtime, whose bundled AWS SDK v3 it uses. */
const HANDLER_SOURCE = `const { SESClient, DescribeActiveReceiptRuleSetCommand, SetActiveReceiptRuleSetCommand } = require('@aws-sdk/client-ses');
${DECIDE_SOURCE}
exports.handler = async (event) => {
  const ses = new SESClient({});
  const name = event.ResourceProperties.RuleSetName;
  let status = 'SUCCESS';
  let reason = '';
  try {
    const active = (await ses.send(new DescribeActiveReceiptRuleSetCommand({}))).Metadata?.Name;
    const ours = [name, event.OldResourceProperties?.RuleSetName].filter(Boolean);
    const decision = decide(event.RequestType, name, ours, active, event.ResourceProperties.ReplaceActive === 'true');
    reason = decision.reason;
    if (decision.action === 'refuse') throw new Error(decision.reason);
    if (decision.action === 'activate') await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
    if (decision.action === 'deactivate') await ses.send(new SetActiveReceiptRuleSetCommand({}));
  } catch (error) {
    status = 'FAILED';
    reason = String(error && error.message ? error.message : error);
  }
  console.log(JSON.stringify({ requestType: event.RequestType, status, reason }));
  await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify({
      Status: status, Reason: reason.slice(0, 1000), PhysicalResourceId: 'active-receipt-rule-set',
      StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
    }),
  });
};`;

/** Properties of the activation. */
export interface ActiveRuleSetProps {
  ruleSetName: string;
  /** Replace another active rule set (`-c replaceActiveRuleSet=true`). */
  replaceActive: boolean;
  /** What must exist before activation (the rule). */
  after: IConstruct;
}

/** The custom resource that activates the rule set as described above, and its function. */
export function activeRuleSet(scope: Construct, props: ActiveRuleSetProps): CustomResource {
  const logGroup = new LogGroup(scope, 'ActivationLogs', { retention: RetentionDays.ONE_MONTH });
  // An explicit role: its own log group and the two SES actions, not AWSLambdaBasicExecutionRole.
  const role = new Role(scope, 'ActivationRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: 'Makes the inbound receipt rule set the active one, unless another set is active',
  });
  logGroup.grantWrite(role);
  role.addToPolicy(
    new PolicyStatement({
      actions: ['ses:DescribeActiveReceiptRuleSet', 'ses:SetActiveReceiptRuleSet'],
      resources: ['*'],
    }),
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'ses:DescribeActiveReceiptRuleSet and ses:SetActiveReceiptRuleSet act on the account and region, not ' +
      'on a rule set ARN: IAM supports no resource-level permission for them. This role has no other action.',
  });
  const handler = new LambdaFunction(scope, 'ActivationFunction', {
    description: 'Activates the inbound receipt rule set without replacing another active one',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    handler: 'index.handler',
    code: Code.fromInline(HANDLER_SOURCE),
    timeout: Duration.seconds(30),
    role,
    logGroup,
  });
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Pinned to Node.js 22 like every function of the app; its bundled AWS SDK v3 is what it uses.',
  });
  const activation = new CustomResource(scope, 'ActivateRuleSet', {
    resourceType: 'Custom::SesActiveReceiptRuleSet',
    serviceToken: handler.functionArn,
    properties: { RuleSetName: props.ruleSetName, ReplaceActive: String(props.replaceActive) },
  });
  activation.node.addDependency(props.after);
  return activation;
}

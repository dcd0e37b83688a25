/** Assembles the course's two stacks in an app, with the AWS Solutions checks that guard every synth. */
import { type App, CfnParameter, CfnRule, Fn, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CourseContext } from './context';
import { InboundMailStack } from './inbound-mail';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

/** The stacks of one deployment. */
export interface CourseStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
  /** Inbound mail (ask the expert): receipt rule set, inbound function, MX record. */
  inbound: InboundMailStack;
}

/** Adds the stateful and stateless stacks to `app`, in the CLI's default account and region when known. */
export function buildCourseApp(app: App, context: CourseContext): CourseStacks {
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const stateful = new StatefulStack(app, 'NotAboutYou-Stateful', {
    env,
    context,
    description: "It's not about you: table, signing key, SES identity (stateful)",
  });
  const stateless = new StatelessStack(app, 'NotAboutYou-Stateless', {
    env,
    context,
    description: "It's not about you: functions, HTTP API, schedule, alarms",
    shared: stateful.shared,
  });
  const inbound = new InboundMailStack(app, 'NotAboutYou-Inbound', {
    env,
    description: "It's not about you: inbound mail (ask the expert): receipt rules, inbound function, MX",
    context,
    store: stateful.inboundMail,
    base: stateless.functionBase,
    deadLetters: stateless.deadLetters,
  });

  if (context.placeholder) {
    for (const stack of [stateful, stateless, inbound]) refuseDeployment(stack);
  }

  // cdk-nag 3 is a policy-validation plugin: a finding that is not acknowledged fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { stateful, stateless, inbound };
}

/**
 * Makes CloudFormation reject the stack before creating anything: its template was synthesised from
 * placeholder context (example.com) and must not be deployed.
 */
function refuseDeployment(stack: Stack): void {
  const mode = new CfnParameter(stack, 'ContextMode', {
    default: 'placeholder',
    description: 'Set by infra/app.ts: "placeholder" when synthesised without context.',
  });
  new CfnRule(stack, 'RealContextRequired', {
    assertions: [
      {
        assert: Fn.conditionEquals(mode.valueAsString, 'real'),
        assertDescription:
          'This template was synthesised without context. Deploy with -c domain=... -c fromAddress=... ' +
          '-c expertAddress=... -c postalAddress=... (see infra/context.ts).',
      },
    ],
  });
}

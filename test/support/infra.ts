/** Helpers shared by the infrastructure tests: the test app, logical ids, and the validation checks. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A full deployment context: every required key, a hosted zone and an alarm address. */
export const EXAMPLE_CONTEXT = {
  domain: 'course.example.com',
  fromAddress: 'course@course.example.com',
  expertAddress: 'coach@example.com',
  postalAddress: '1 Main Street, Springfield',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
  alarmEmail: 'ops@example.com',
};

/** The feature flags from cdk.json, so the tests synthesise what the CLI synthesises. */
const featureFlags = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;

/**
 * A test app: validation findings go to the report instead of throwing, so each test can name its own.
 * Functions are not bundled: the templates do not depend on the code, and the bundles themselves are
 * built through CDK and checked in test/integration/lambda-bundles.test.ts.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({
    context: {
      ...featureFlags,
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      'aws:cdk:bundling-stacks': [],
      ...context,
    },
  });
}

/** The logical id of an L2 construct's CloudFormation resource. */
export const logicalId = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

/** cdk-nag AwsSolutions findings that no acknowledgement covers, as `rule at construct paths`. */
export function unacknowledgedNagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
  return report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`);
}

/** The reports of the synth's validation plugins (cdk-nag and the CloudFormation rules); [] when clean. */
export function validationPluginReports(assembly: CloudAssembly): unknown[] {
  return JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')).pluginReports;
}

/** Construct errors and warnings recorded for a stack, read from the assembly already synthesised. */
export function constructProblems(assembly: CloudAssembly, stack: Stack): string[] {
  return assembly
    .getStackArtifact(stack.artifactId)
    .messages.filter((m) => m.level !== 'info')
    .map((m) => `${m.id}: ${m.entry.data}`);
}

/** Builds templates/dist/compiled.ts if missing: bundling imports it (`npm test` builds it first). */
export function ensureCompiledTemplates(): void {
  if (!existsSync(join(ROOT, 'templates/dist/compiled.ts'))) {
    execFileSync('npx', ['tsx', 'templates/build.ts'], { cwd: ROOT, stdio: 'inherit' });
  }
}

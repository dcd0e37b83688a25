/**
 * The CDK app: `npx cdk synth|deploy -c domain=course.example.com -c fromAddress=course@course.example.com
 * -c expertAddress=coach@example.com -c postalAddress='1 Main Street, Springfield' [-c hostedZoneId=Z...
 * -c hostedZoneName=example.com] [-c replyDomain=...] [-c alarmEmail=...]`.
 *
 * With no context at all, example.com placeholders stand in so that `npx cdk synth` works on a fresh
 * checkout, offline; the templates then refuse to deploy. Partial or invalid context is an error that
 * names the key (infra/context.ts).
 */
import { App } from 'aws-cdk-lib';
import { readCourseContext } from './context';
import { buildCourseApp } from './course-app';

const app = new App();
const context = readCourseContext((key) => app.node.tryGetContext(key));
if (context.placeholder) {
  console.warn(
    'No deployment context given: synthesising with example.com placeholders. These templates cannot be ' +
      'deployed; pass -c domain=... -c fromAddress=... -c expertAddress=... -c postalAddress=... to deploy.',
  );
}
buildCourseApp(app, context);

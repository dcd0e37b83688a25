/**
 * `npm run send-test -- --to ADDRESS --email KEY [--aws]`: sends one course email, filled with sample
 * data, through SES — the local stand-in by default (SES_PORT, default 8005), or the real SES with --aws
 * (default AWS credentials and region; FROM_ADDRESS and optionally CONFIGURATION_SET from the environment).
 */
import { parseArgs } from 'node:util';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '../adapters/ses-mailer';
import { templates } from '../compose';
import { emailAddressProblem } from '../domain/signup-rules';
import { renderSample } from './email-preview';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: { to: { type: 'string' }, email: { type: 'string' }, aws: { type: 'boolean', default: false } },
});
const keys = Object.keys(templates.emails);
const fail = (message: string): never => {
  console.error(
    `send-test: ${message}\nusage: npm run send-test -- --to ADDRESS --email KEY [--aws]\nemails: ${keys.join(', ')}`,
  );
  process.exit(2);
};
const to = values.to ?? fail('--to is missing');
const key = values.email ?? fail('--email is missing');
const problem = emailAddressProblem(to);
if (problem) fail(`--to: ${problem}`);
const settings = {
  siteUrl: process.env.SITE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
  postalAddress: process.env.POSTAL_ADDRESS ?? '1 Example Street, Springfield 12345, USA',
  senderName: process.env.SENDER_NAME ?? 'The "It\'s not about you" team',
};
const rendered = renderSample(templates, settings, key) ?? fail(`no email "${key}"`);
const from =
  process.env.FROM_ADDRESS ??
  (values.aws ? fail('FROM_ADDRESS is missing (a verified SES identity)') : 'course@example.com');
const client = values.aws
  ? new SESv2Client({})
  : new SESv2Client({
      endpoint: `http://127.0.0.1:${process.env.SES_PORT ?? 8005}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
const mailer = new SesMailer({
  from: `${settings.senderName} <${from}>`,
  configurationSet: process.env.CONFIGURATION_SET,
  client,
});
const { messageId } = await mailer.send({ to, ...rendered, headers: [], tags: { email: key } });
console.log(
  `sent "${rendered.subject}" (${key}) to ${values.aws ? 'SES' : 'the local SES stand-in'}: ${messageId}`,
);

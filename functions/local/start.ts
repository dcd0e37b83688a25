/** `npm start`: the whole course on this machine, with the addresses printed. */
import { resolve } from 'node:path';
import { startLocalStack } from './stack';

function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) {
    console.error(`${name} must be a port number (1-65535), got "${value}"`);
    process.exit(1);
  }
  return parsed;
}

/** `LOCAL_SES_MAX_RATE=N`: the SES stand-in throttles beyond N sends a second, and the app paces to N. */
function sesMaxRate(): number | undefined {
  const value = process.env.LOCAL_SES_MAX_RATE;
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    console.error(
      `LOCAL_SES_MAX_RATE must be a whole number of sends per second (1 or more), got "${value}"`,
    );
    process.exit(1);
  }
  return parsed;
}

// Lambda runs Node 22; the SDK's warning about this machine's Node 20 is noise for a local run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const maxRate = sesMaxRate();
const stack = await startLocalStack({
  sesMaxRate: maxRate,
  // The account's send rate is what SES allows: the app paces its sends to it.
  config: maxRate ? { MAX_SEND_RATE: maxRate } : {},
  dataDir,
  ports: {
    app: port('PORT', 3000),
    dynamo: port('DYNAMO_PORT', 8000),
    ses: port('SES_PORT', 8005),
    smtp: port('SMTP_PORT', 2525),
  },
  dispatchIntervalMs: 5000,
});

console.log(`
  It's not about you: running locally

  Landing page + API   ${stack.urls.app}
  Sent email (SES)     ${stack.urls.ses}${maxRate ? `   throttles beyond ${maxRate} sends/s (LOCAL_SES_MAX_RATE)` : ''}
  DynamoDB (dynalite)  ${stack.urls.dynamo}   data in ${dataDir}
  Inbound mail (SMTP)  ${stack.urls.smtp}   replies to reply+…@${stack.config.REPLY_DOMAIN}; expert: ${stack.config.EXPERT_ADDRESS}
  Expert console       ${stack.urls.app}/console   experts ${stack.deps.settings.expertAddresses.join(', ')}; operator ${stack.deps.settings.operatorAddresses.join(', ')} (sign-in links arrive in the SES stand-in)
  Email previews       ${stack.urls.app}/_dev/emails
  Time travel          curl -X POST ${stack.urls.app}/_dev/clock -H 'content-type: application/json' -d '{"advanceHours":24}'

  Press Ctrl+C to stop.
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stack.stop().then(() => process.exit(0));
  });
}

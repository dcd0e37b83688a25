/**
 * `npm run cost -- --subscribers 10000`: the monthly AWS bill for that many subscribers taking the whole
 * course in a month, by service, from the request counts `npm run bench -- dispatch` measured
 * (test/bench/measured.json) and the list prices in test/bench/aws-prices.json. The floor is what SES
 * alone charges for the same mail.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { templates } from '../../functions/compose';
import { staticSiteFiles } from '../../functions/http/static-site';
import manifest from '../../templates/course.json' with { type: 'json' };

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '10000' },
    'question-rate': { type: 'string', default: '0.2' },
  },
});
const subscribers = Number(values.subscribers);
const questionRate = Number(values['question-rate']);
if (!Number.isInteger(subscribers) || subscribers < 1)
  throw new Error('--subscribers must be a whole number above 0');
if (!(questionRate >= 0 && questionRate <= 10))
  throw new Error('--question-rate must be between 0 and 10 questions per subscriber');

const prices = JSON.parse(await readFile(new URL('./aws-prices.json', import.meta.url), 'utf8'));
const measured = JSON.parse(await readFile(new URL('./measured.json', import.meta.url), 'utf8')) as {
  date: string;
  perEmail: { sesCalls: number; dynamoWrites: number; dynamoReads: number; queryPages: number };
  /** What the SES events function does for each email's DELIVERY event (the operator's figures count there). */
  perDeliveryEvent: { dynamoWrites: number; dynamoReads: number };
};

// What one subscriber causes over the course.
const courseEmails = manifest.emails.length; // confirmation + every course step
const questions = questionRate;
const outboundPerQuestion = 3; // acknowledgement, expert notification, answer
const inboundPerQuestion = 2; // the question and the expert's reply
// The landing page and its assets come from CloudFront's cache; the API sees the rest.
const apiRequests = 3; // signup, confirm link, one unsubscribe or page view
// Visitors per subscriber (one in three signs up) and what a first visit downloads, compressed.
const visitsPerSubscriber = 3;
const firstVisitBytes = staticSiteFiles({
  templates,
  settings: { postalAddress: '1 Example Street, Springfield', confirmResendMs: 15 * 60_000 },
})
  .filter((file) => file.path !== '/check-inbox')
  .reduce((sum, file) => sum + gzipSync(file.body).byteLength + 400, 0);
const edgeRequests = subscribers * (visitsPerSubscriber * 3 + apiRequests);
const edgeBytes = subscribers * visitsPerSubscriber * firstVisitBytes;
const month = 30 * 24 * 3600;
const dispatcherRuns = month / 300; // every 5 minutes
const shards = 8;
const alarms = 4; // infra: API 5xx, dead letters, SES bounce rate and complaint rate (stateless stack)
// SQS: the tick's batch send, each worker's receive and delete per shard, and the Lambda poller's
// long polls (about five at a time, 20 s each) on the dispatch queue.
const sqsRequests = dispatcherRuns * (Math.ceil(shards / 10) + shards * 2) + (5 * month) / 20;
// Confirmations ride the dispatch queue (no poller of their own): a send, a receive and a delete each.
const confirmationSqsRequests = subscribers * 3;

const emails = subscribers * (courseEmails + questions * outboundPerQuestion);
const inbound = subscribers * questions * inboundPerQuestion;

// DynamoDB: the measured writes and reads per email, plus the due-index write each advance makes (KEYS_ONLY
// index: the record changes its key, a delete and a put), signup and confirm writes, and idle polling.
// Every email's DELIVERY event reaches the SES events function (EventBridge's default bus carries AWS
// service events free): it reads the profile and the send's ledger row, and files the delivery fact the
// figures read (the bench counts read units: an eventually consistent read is half of one).
const deliveryEvents = emails;
// The operator's figures besides deliveries: signup (fact, first/last day), confirmation, exit; question, answer.
const factWrites = subscribers * 4 + subscribers * questions * 2;
const writeUnits =
  emails * (measured.perEmail.dynamoWrites + 2) +
  // signup: three counters, profile, pointer, consent; sent: stamp, counter; confirm: activate, send.
  subscribers * (6 + 2 + 2) +
  subscribers * questions * 4 +
  deliveryEvents * measured.perDeliveryEvent.dynamoWrites +
  factWrites;
const readUnits =
  emails * (measured.perEmail.dynamoReads + measured.perEmail.queryPages) +
  // signup: suppression, address, day's confirmations; sender: profile, counter; confirm: profile.
  subscribers * 6 +
  dispatcherRuns * shards * 0.5 +
  deliveryEvents * measured.perDeliveryEvent.dynamoReads;

// Lambda: API at ~60 ms, the dispatcher's fixed runs at ~250 ms plus ~15 ms of billed time per email
// (8 workers overlap its ~5 requests of 10–40 ms), inbound at ~300 ms per message; 256 MB each.
// A dispatch worker sends each confirmation, at ~100 ms per signup.
const gbSeconds =
  0.25 *
  (subscribers * apiRequests * 0.06 +
    subscribers * 0.1 +
    dispatcherRuns * 0.25 +
    emails * 0.015 +
    inbound * 0.3 +
    deliveryEvents * 0.03);
const invocations = subscribers * apiRequests + subscribers + dispatcherRuns + inbound + deliveryEvents;
// Lambda writes about 350 bytes of its own per invocation (START, END, REPORT), except for the events
// function, which keeps only Lambda's warnings (infra/ses-events.ts); the app logs about 250 bytes per email
// sent and 200 per API request.
const logBytes = (invocations - deliveryEvents) * 350 + emails * 250 + subscribers * apiRequests * 200;

const lines: [string, number][] = [
  ['SES outbound', (emails / 1000) * prices.ses.outboundPer1000],
  ['SES inbound', (inbound / 1000) * (prices.ses.inboundPer1000 + prices.ses.inboundChunksPer1000)],
  [
    'Lambda',
    gbSeconds * prices.lambda.arm64PerGbSecond + (invocations / 1e6) * prices.lambda.requestsPerMillion,
  ],
  ['API Gateway (HTTP API)', ((subscribers * apiRequests) / 1e6) * prices.apiGatewayHttp.requestsPerMillion],
  [
    'DynamoDB (on-demand, PITR)',
    (writeUnits / 1e6) * prices.dynamodbOnDemand.writeUnitsPerMillion +
      (readUnits / 1e6) * prices.dynamodbOnDemand.readUnitsPerMillion +
      ((subscribers * 4096) / 1e9) *
        (prices.dynamodbOnDemand.storagePerGbMonth + prices.dynamodbOnDemand.pitrPerGbMonth),
  ],
  [
    `CloudWatch Logs + ${alarms} alarms`,
    (logBytes / 1e9) * (prices.cloudwatch.logsIngestedPerGb + prices.cloudwatch.logsStoredPerGbMonth) +
      alarms * prices.cloudwatch.alarmPerMonth,
  ],
  [
    'SQS (dispatch, confirmations)',
    ((sqsRequests + confirmationSqsRequests) / 1e6) * prices.sqs.requestsPerMillion,
  ],
  [
    'CloudFront (site and API)',
    (edgeRequests / 10_000) * prices.cloudfront.httpsRequestsPer10000 +
      (edgeBytes / 1e9) * prices.cloudfront.dataOutPerGb,
  ],
  [
    'Secrets Manager',
    prices.secretsManager.secretPerMonth +
      (dispatcherRuns / 10 / 10_000) * prices.secretsManager.callsPer10000,
  ],
  [
    'S3 (raw inbound mail, site)',
    (inbound / 1000) * prices.s3.putPer1000 + (edgeRequests / 1000 / 100) * prices.s3.getPer1000,
  ],
];
const total = lines.reduce((sum, [, cost]) => sum + cost, 0);
const floor = lines[0]![1] + lines[1]![1];
const usd = (n: number) => `$${n.toFixed(2).padStart(9)}`;
console.log(
  `Monthly AWS cost for ${subscribers.toLocaleString('en-US')} subscribers taking the whole course`,
);
console.log(
  `(${courseEmails} course emails each, ${questionRate} questions each; prices of ${prices.date}, ${prices.region}; requests measured ${measured.date})\n`,
);
for (const [name, cost] of lines) console.log(`${name.padEnd(30)} ${usd(cost)}`);
console.log(`${'total'.padEnd(30)} ${usd(total)}`);
console.log(`${'SES alone (the floor)'.padEnd(30)} ${usd(floor)}`);
console.log(
  `\ntotal is ${((total / floor - 1) * 100).toFixed(1)}% above the SES floor (${(total / subscribers).toFixed(4)} $ per subscriber)`,
);

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/app/deps';
import { dispatchDue } from '../../functions/app/dispatch-due';
import { handleSesEvent } from '../../functions/app/handle-ses-event';
import { emailHash } from '../../functions/domain/suppression';
import {
  emailsTo,
  linkIn,
  postJson,
  type SentEmail,
  startTestStack,
  type TestStack,
  tableItems,
} from '../support/stack';

type Kind = 'Bounce' | 'Complaint' | 'Delivery' | 'Reject' | 'Rendering Failure' | 'Open';

const DETAIL_TYPES: Record<Kind, string> = {
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Delivery: 'Email Delivered',
  Reject: 'Email Rejected',
  'Rendering Failure': 'Email Rendering Failed',
  Open: 'Email Opened',
};

/** An SES event as the configuration set publishes it to EventBridge's default bus. */
function sesEvent(
  kind: Kind,
  email: SentEmail,
  tags: Record<string, string>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const to = email.destination.to[0]!;
  const now = new Date(email.at * (email.at < 1e12 ? 1000 : 1)).toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': DETAIL_TYPES[kind],
    source: 'aws.ses',
    account: '123456789012',
    time: now,
    region: 'eu-west-1',
    resources: ['arn:aws:ses:eu-west-1:123456789012:configuration-set/course-local'],
    detail: {
      eventType: kind,
      mail: {
        timestamp: now,
        source: email.from,
        sendingAccountId: '123456789012',
        messageId: email.messageId,
        destination: [to],
        headersTruncated: false,
        commonHeaders: { from: [email.from], to: [to], subject: email.subject },
        tags: {
          'ses:configuration-set': ['course-local'],
          'ses:source-ip': ['192.0.2.1'],
          ...Object.fromEntries(Object.entries(tags).map(([name, value]) => [name, [value]])),
        },
      },
      ...extra,
    },
  };
}

function bounce(
  email: SentEmail,
  tags: Record<string, string>,
  bounceType: 'Permanent' | 'Transient' | 'Undetermined',
  at: string,
) {
  return sesEvent('Bounce', email, tags, {
    bounce: {
      bounceType,
      bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
      bouncedRecipients: [
        {
          emailAddress: email.destination.to[0],
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550',
        },
      ],
      timestamp: at,
      feedbackId: `feedback-${randomUUID()}`,
      reportingMTA: 'dsn; a1-2.smtp-out.amazonses.com',
    },
  });
}

function complaint(email: SentEmail, tags: Record<string, string>, at: string) {
  return sesEvent('Complaint', email, tags, {
    complaint: {
      complainedRecipients: [{ emailAddress: email.destination.to[0] }],
      timestamp: at,
      feedbackId: `feedback-${randomUUID()}`,
      complaintFeedbackType: 'abuse',
    },
  });
}

function delivery(email: SentEmail, tags: Record<string, string>, at: string) {
  return sesEvent('Delivery', email, tags, {
    delivery: {
      timestamp: at,
      processingTimeMillis: 500,
      recipients: email.destination.to,
      smtpResponse: '250 ok',
      reportingMTA: 'a1-2.smtp-out.amazonses.com',
    },
  });
}

describe('SES events through the events use case, against the stand-ins', () => {
  let stack: TestStack;
  let counter = 0;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
    // The only errors are the dispatcher crashes the reconciliation tests simulate (one run each, which
    // also meets the other subscribers due by then).
    const errors = stack.log.lines.filter((line) => line.startsWith('error'));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const line of errors) expect(line).toContain('delivery failed');
  });

  const iso = (offsetMs = 0) => new Date(stack.clock.now().getTime() + offsetMs).toISOString();

  /** A confirmed subscriber who got the welcome email: their id, address and the welcome as SES kept it. */
  async function subscribed(label: string) {
    const address = `${label}-${++counter}@example.com`;
    expect(
      (await postJson(stack, '/api/subscribe', { email: address, firstName: 'Ev', timeZone: 'UTC' })).status,
    ).toBe(202);
    const [confirmation] = await emailsTo(stack, address);
    await fetch(linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`));
    const subscriber = (await stack.deps.store.findByEmail(address))!;
    const welcome = (await emailsTo(stack, address))[1]!;
    expect(welcome.subject).toMatch(/welcome/i);
    return { address, id: subscriber.id, welcome, tags: { subscriber: subscriber.id, email: 'welcome' } };
  }

  async function suppressionOf(address: string) {
    return (await tableItems(stack)).find((item) => item.pk === `SUPPRESS#${emailHash(address)}`);
  }

  async function signUpAgainGetsNothing(address: string) {
    const before = (await emailsTo(stack, address)).length;
    const answer = await postJson(stack, '/api/subscribe', {
      email: address,
      firstName: 'Ev',
      timeZone: 'UTC',
    });
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({ status: 'pending' });
    expect(await emailsTo(stack, address)).toHaveLength(before);
  }

  async function nothingMoreForTenDays(address: string) {
    const before = (await emailsTo(stack, address)).length;
    await postJson(stack, '/_dev/clock', { advanceHours: 24 * 10 });
    expect(await emailsTo(stack, address)).toHaveLength(before);
  }

  it('stops all mail at once on a complaint: status complained, off the due index, address suppressed', async () => {
    const { address, id, welcome, tags } = await subscribed('complains');
    expect((await stack.deps.store.get(id))?.nextSendAt).toBeDefined();

    expect(await handleSesEvent(stack.deps, complaint(welcome, tags, iso()))).toBe('suppressed');

    const profile = (await tableItems(stack)).find(
      (item) => item.pk === `SUB#${id}` && item.sk === 'PROFILE',
    );
    expect(profile).toMatchObject({ status: 'complained' });
    expect(profile).not.toHaveProperty('duePk');
    expect(profile).not.toHaveProperty('nextSendAt');
    expect(await suppressionOf(address)).toMatchObject({ reason: 'complaint', type: 'suppression' });
    expect(JSON.stringify(await suppressionOf(address))).not.toContain(address);
    await nothingMoreForTenDays(address);
    await signUpAgainGetsNothing(address);
  });

  it('stops all mail at once on a permanent bounce, and suppresses the address', async () => {
    const { address, id, welcome, tags } = await subscribed('dead');
    expect(await handleSesEvent(stack.deps, bounce(welcome, tags, 'Permanent', iso()))).toBe('suppressed');
    expect((await stack.deps.store.get(id))?.status).toBe('bounced');
    expect(await suppressionOf(address)).toMatchObject({ reason: 'bounce' });
    await nothingMoreForTenDays(address);
    await signUpAgainGetsNothing(address);
  });

  it('suppresses a pending address whose confirmation email bounces for good', async () => {
    const address = `pending-${++counter}@example.com`;
    await postJson(stack, '/api/subscribe', { email: address, firstName: 'Ev', timeZone: 'UTC' });
    const [confirmation] = await emailsTo(stack, address);
    const { id } = (await stack.deps.store.findByEmail(address))!;
    const tags = { subscriber: id, email: 'confirm' };
    expect(await handleSesEvent(stack.deps, bounce(confirmation!, tags, 'Permanent', iso()))).toBe(
      'suppressed',
    );
    expect((await stack.deps.store.get(id))?.status).toBe('bounced');
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + 16 * 60_000));
    await signUpAgainGetsNothing(address);
  });

  it('finds the subscriber by address when the email carried no tags', async () => {
    const { id, welcome } = await subscribed('untagged');
    expect(await handleSesEvent(stack.deps, complaint(welcome, {}, iso()))).toBe('suppressed');
    expect((await stack.deps.store.get(id))?.status).toBe('complained');
  });

  it('suppresses after three transient bounces in a row; a delivery in between starts the count again', async () => {
    const { address, id, welcome, tags } = await subscribed('full-mailbox');
    expect(await handleSesEvent(stack.deps, bounce(welcome, tags, 'Transient', iso(1000)))).toBe('counted');
    expect(await handleSesEvent(stack.deps, bounce(welcome, tags, 'Undetermined', iso(2000)))).toBe(
      'counted',
    );
    expect(await handleSesEvent(stack.deps, delivery(welcome, tags, iso(3000)))).toBe('unchanged');
    expect(await handleSesEvent(stack.deps, bounce(welcome, tags, 'Transient', iso(4000)))).toBe('counted');
    expect(await handleSesEvent(stack.deps, bounce(welcome, tags, 'Transient', iso(5000)))).toBe('counted');
    expect((await stack.deps.store.get(id))?.status).toBe('active');
    expect(await suppressionOf(address)).toBeUndefined();

    expect(await handleSesEvent(stack.deps, bounce(welcome, tags, 'Transient', iso(6000)))).toBe(
      'suppressed',
    );
    expect((await stack.deps.store.get(id))?.status).toBe('bounced');
    expect(await suppressionOf(address)).toMatchObject({ reason: 'bounce' });
  });

  it('does not count a replayed transient bounce twice, nor forgive bounces newer than a late delivery', async () => {
    const { id, welcome, tags } = await subscribed('replayed-soft');
    const first = bounce(welcome, tags, 'Transient', iso(1000));
    expect(await handleSesEvent(stack.deps, first)).toBe('counted');
    expect(await handleSesEvent(stack.deps, first)).toBe('counted');
    expect(await handleSesEvent(stack.deps, first)).toBe('counted');
    expect((await stack.deps.store.get(id))?.status).toBe('active');
    // A delivery that happened before the bounce arrives late: the bounce still counts.
    await handleSesEvent(stack.deps, delivery(welcome, tags, iso(500)));
    await handleSesEvent(stack.deps, bounce(welcome, tags, 'Transient', iso(2000)));
    expect(await handleSesEvent(stack.deps, bounce(welcome, tags, 'Transient', iso(3000)))).toBe(
      'suppressed',
    );
  });

  it('changes nothing when a complaint, a bounce or a delivery is replayed', async () => {
    const { welcome, tags } = await subscribed('replayed');
    const events = [
      delivery(welcome, tags, iso()),
      bounce(welcome, tags, 'Permanent', iso(1000)),
      complaint(welcome, tags, iso(2000)),
    ];
    for (const event of events) await handleSesEvent(stack.deps, event);
    const before = await tableItems(stack);
    for (const event of events) expect(await handleSesEvent(stack.deps, event)).toBe('unchanged');
    expect(await tableItems(stack)).toEqual(before);
  });

  /** Runs the dispatcher with the store's `method` killing the process as it is called. */
  async function dispatchDyingIn(method: 'recordSend' | 'putLedgerRow') {
    const dying = async () => {
      throw new Error('process killed');
    };
    const crashing: Deps = {
      ...stack.deps,
      store: Object.assign(Object.create(stack.deps.store), { [method]: dying }),
    };
    await dispatchDue(crashing);
  }

  it('records a delivered step the dispatcher did not record, so it is not sent again', async () => {
    const { address, id } = await subscribed('crash');
    const sends = await stack.deps.store.listSends(id);
    expect(sends.map((s) => s.key)).toEqual(['welcome']);
    // The next step falls due; the dispatcher sends it and dies before recording it.
    stack.clock.moveTo(new Date((await stack.deps.store.get(id))!.nextSendAt!));
    await dispatchDyingIn('recordSend');
    const emails = await emailsTo(stack, address);
    expect(emails).toHaveLength(3);
    const lost = emails[2]!;
    const key = stack.deps.steps[1]!.key;
    expect((await stack.deps.store.get(id))?.step).toBe(1);

    const event = delivery(lost, { subscriber: id, email: key }, iso(2000));
    expect(await handleSesEvent(stack.deps, event)).toBe('recorded');
    expect((await stack.deps.store.listSends(id)).map((s) => [s.key, s.messageId])).toEqual([
      ['welcome', sends[0]!.messageId],
      [key, lost.messageId],
    ]);
    expect((await stack.deps.store.get(id))?.step).toBe(2);
    expect(await handleSesEvent(stack.deps, event)).toBe('unchanged');

    // After the claim's lease expires the dispatcher finds nothing of that step to send again.
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + stack.deps.settings.leaseMs + 1000));
    await dispatchDue(stack.deps);
    const sameStep = (await emailsTo(stack, address)).filter((email) => email.subject === lost.subject);
    expect(sameStep.map((email) => email.messageId)).toEqual([lost.messageId]);
  });

  it('writes the ledger row of a delivered step whose profile moved on before the row was written', async () => {
    const { address, id } = await subscribed('ledger');
    stack.clock.moveTo(new Date((await stack.deps.store.get(id))!.nextSendAt!));
    // The dispatcher records the send: the profile moves on, then the process dies before the ledger row.
    await dispatchDyingIn('putLedgerRow');
    const lost = (await emailsTo(stack, address)).at(-1)!;
    const key = stack.deps.steps[1]!.key;
    expect((await stack.deps.store.get(id))?.step).toBe(2);
    expect((await stack.deps.store.listSends(id)).map((s) => s.key)).toEqual(['welcome']);

    const event = delivery(lost, { subscriber: id, email: key }, iso(2000));
    expect(await handleSesEvent(stack.deps, event)).toBe('recorded');
    expect((await stack.deps.store.listSends(id)).map((s) => [s.key, s.messageId])).toEqual([
      ['welcome', expect.any(String)],
      [key, lost.messageId],
    ]);
    expect((await stack.deps.store.get(id))?.step).toBe(2);
    expect(await handleSesEvent(stack.deps, event)).toBe('unchanged');
    expect(await stack.deps.store.listSends(id)).toHaveLength(2);
  });

  it('leaves a delivery the dispatcher recorded as it is', async () => {
    const { id, welcome, tags } = await subscribed('recorded');
    const event = delivery(welcome, tags, iso());
    const notFigures = (items: Record<string, unknown>[]) =>
      items.filter((i) => !String(i.pk).startsWith('STAT#'));
    const before = await tableItems(stack);
    expect(await handleSesEvent(stack.deps, event)).toBe('unchanged');
    // The delivery is counted for the operator's figures; nothing else changes, and a replay changes nothing.
    const counted = await tableItems(stack);
    expect(notFigures(counted)).toEqual(notFigures(before));
    expect(await handleSesEvent(stack.deps, event)).toBe('unchanged');
    expect(await tableItems(stack)).toEqual(counted);
    expect((await stack.deps.store.get(id))?.step).toBe(1);
  });

  it('reads only the profile and, eventually consistent, the ledger row for the delivery of a recorded send to someone who never bounced', async () => {
    const { welcome, tags } = await subscribed('read-budget');
    const requests: string[] = [];
    stack.clients.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ConsistentRead?: boolean; Key?: { sk?: unknown } };
        const item = String(input.Key?.sk ?? '').split('#')[0];
        const read = input.ConsistentRead ? 'consistent' : 'eventual';
        requests.push(
          context.commandName === 'GetItemCommand' ? `GetItem ${item} ${read}` : String(context.commandName),
        );
        return next(args);
      },
      { step: 'initialize', name: 'readBudget' },
    );
    try {
      expect(await handleSesEvent(stack.deps, delivery(welcome, tags, iso()))).toBe('unchanged');
    } finally {
      stack.clients.dynamo.middlewareStack.remove('readBudget');
    }
    // The one write is the delivery fact of the operator's figures.
    expect(requests.sort()).toEqual([
      'GetItem PROFILE consistent',
      'GetItem SEND eventual',
      'PutItemCommand',
    ]);
  });

  it('notes a reject or a rendering failure without changing the subscriber, and ignores other event types', async () => {
    const { id, welcome, tags } = await subscribed('rejected');
    const before = await tableItems(stack);
    const reject = sesEvent('Reject', welcome, tags, { reject: { reason: 'Bad content' } });
    const rendering = sesEvent('Rendering Failure', welcome, tags, {
      failure: { templateName: 'x', errorMessage: 'missing' },
    });
    expect(await handleSesEvent(stack.deps, reject)).toBe('unchanged');
    expect(await handleSesEvent(stack.deps, rendering)).toBe('unchanged');
    expect(await handleSesEvent(stack.deps, sesEvent('Open', welcome, tags))).toBe('ignored');
    expect(await tableItems(stack)).toEqual(before);
    expect((await stack.deps.store.get(id))?.status).toBe('active');
    expect(stack.log.lines.some((line) => line.includes('ses could not deliver') && line.includes(id))).toBe(
      true,
    );
  });

  it('logs and skips malformed events without throwing, naming the field, and still acts on a good one', async () => {
    const { id, welcome, tags } = await subscribed('batch');
    const good = complaint(welcome, tags, iso());
    const broken: unknown[] = [
      null,
      'Bounce',
      42,
      [],
      {},
      good.detail,
      { detail: { eventType: 'Bounce' } },
      { detail: { eventType: 'Bounce', mail: { messageId: 'm', timestamp: 'yesterday' } } },
      { detail: { eventType: 'Bounce', mail: { messageId: 'm', timestamp: iso() } } },
      { detail: { eventType: 'Bounce', mail: { messageId: 'm', timestamp: iso() }, bounce: {} } },
      { detail: { eventType: 'Complaint', mail: { messageId: 'm', timestamp: iso(), tags: 'x' } } },
      { detail: { eventType: { nested: true }, mail: {} } },
      { detail: { eventType: 'Delivery', mail: { messageId: 'x'.repeat(201), timestamp: iso() } } },
    ];
    const before = await tableItems(stack);
    for (const event of broken) expect(await handleSesEvent(stack.deps, event)).toBe('malformed');
    expect(await tableItems(stack)).toEqual(before);
    expect(await handleSesEvent(stack.deps, good)).toBe('suppressed');
    expect((await stack.deps.store.get(id))?.status).toBe('complained');
    const warnings = stack.log.lines.filter((line) => line.includes('malformed'));
    expect(warnings.length).toBeGreaterThanOrEqual(broken.length);
    for (const line of warnings) expect(line).not.toMatch(/@/);
    expect(warnings.some((line) => line.includes('mail.timestamp'))).toBe(true);
    expect(warnings.some((line) => line.includes('bounce'))).toBe(true);
  });
});

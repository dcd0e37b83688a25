import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/app/deps';
import { dispatchDue } from '../../functions/app/dispatch-due';
import { MailRejectedError, MailThrottledError } from '../../functions/domain/errors';
import type { Mailer } from '../../functions/domain/ports';
import { confirmSubscriber, newSubscriber } from '../../functions/domain/subscriber';
import { emailHash } from '../../functions/domain/suppression';
import { sentEmails, startTestStack, type TestStack } from '../support/stack';

const HOUR = 3600_000;

describe('the dispatcher under faults, against the real stand-ins', () => {
  let stack: TestStack;
  let realMailer: Mailer;
  let batch = 0;

  beforeAll(async () => {
    // One shard, so a page of the due index (100) is overrun by a hundred and twenty due subscribers.
    stack = await startTestStack({ config: { DUE_SHARDS: 1 } });
    realMailer = stack.deps.mailer;
    // Backoff waits are real time and irrelevant to what these tests prove.
    stack.deps.sleep = async () => {};
  });
  afterAll(async () => {
    await stack.stop();
  });
  beforeEach(() => {
    stack.deps.mailer = realMailer;
    batch++;
  });

  /** Creates `count` active subscribers whose welcome is due now; returns their addresses. */
  async function dueSubscribers(count: number): Promise<string[]> {
    const now = stack.clock.now();
    const emails: string[] = [];
    for (let i = 0; i < count; i++) {
      const email = `b${batch}-${i}@example.com`;
      const pending = newSubscriber(
        stack.deps.newId(),
        { email, firstName: 'Fay', timeZone: 'UTC', sendHour: 8 },
        now,
      );
      expect(await stack.deps.store.create(pending)).toBe(true);
      expect(await stack.deps.store.activate(confirmSubscriber(pending, stack.deps.steps, now))).toBe(true);
      emails.push(email);
    }
    return emails;
  }

  async function countsByAddress(emails: string[]): Promise<number[]> {
    const sent = await sentEmails(stack);
    return emails.map((email) => sent.filter((s) => s.destination.to.includes(email)).length);
  }

  function withMailer(deps: Deps, mailer: Mailer): Deps {
    return { ...deps, mailer };
  }

  it('sends throttled emails on a later run: none lost, none twice', async () => {
    const emails = await dueSubscribers(12);
    let calls = 0;
    const flaky: Mailer = {
      send: async (email) => {
        calls++;
        // Two addresses are throttled for good (every retry fails); the rest go through.
        if (email.to.endsWith('3@example.com') || email.to.endsWith('7@example.com'))
          throw new MailThrottledError();
        return realMailer.send(email);
      },
    };
    const first = await dispatchDue(withMailer(stack.deps, flaky));
    expect(first.throttled).toBeGreaterThan(0);
    expect(first.remaining).toBe(true);
    expect(calls).toBeGreaterThan(first.sent);

    let report = await dispatchDue(stack.deps);
    for (let run = 0; run < 5 && report.remaining; run++) report = await dispatchDue(stack.deps);
    expect(await countsByAddress(emails)).toEqual(emails.map(() => 1));
  });

  it('retries a send that SES throttles briefly, within the same run', async () => {
    const [email] = await dueSubscribers(1);
    let failures = 0;
    stack.deps.mailer = {
      send: async (message) => {
        if (message.to === email && failures < 2) {
          failures++;
          throw new MailThrottledError();
        }
        return realMailer.send(message);
      },
    };
    const report = await dispatchDue(stack.deps);
    expect(failures).toBe(2);
    expect(report.sent).toBeGreaterThanOrEqual(1);
    expect(await countsByAddress([email!])).toEqual([1]);
  });

  it('never sends a step twice when two dispatchers run at once', async () => {
    const emails = await dueSubscribers(40);
    const [a, b] = await Promise.all([dispatchDue(stack.deps), dispatchDue(stack.deps)]);
    expect(a.sent + b.sent).toBe(40);
    expect(await countsByAddress(emails)).toEqual(emails.map(() => 1));
  });

  it('sends at most one duplicate when a dispatcher dies between the send and the record', async () => {
    const [email] = await dueSubscribers(1);
    const subscriber = (await stack.deps.store.findByEmail(email!))!;
    const store = stack.deps.store;
    const crashing: Deps = {
      ...stack.deps,
      store: Object.assign(Object.create(store), {
        recordSend: async () => {
          throw new Error('process killed');
        },
      }),
    };
    const crashed = await dispatchDue(crashing);
    expect(crashed.failed).toBe(1);
    expect(await countsByAddress([email!])).toEqual([1]);

    // While the lease holds, nobody sends it again.
    expect((await dispatchDue(stack.deps)).sent).toBe(0);
    // After the lease expires the step goes out once more and is recorded; later steps follow normally.
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + stack.deps.settings.leaseMs + 1000));
    await dispatchDue(stack.deps);
    expect(await countsByAddress([email!])).toEqual([2]);
    const sends = await stack.deps.store.listSends(subscriber.id);
    expect(sends.map((s) => s.key)).toEqual(['welcome']);
    expect((await stack.deps.store.get(subscriber.id))?.step).toBe(1);
  });

  it('stops a subscriber whose address SES rejects for good, and moves on to the others', async () => {
    const emails = await dueSubscribers(3);
    stack.deps.mailer = {
      send: async (message) => {
        if (message.to === emails[1]) throw new MailRejectedError('MessageRejected');
        return realMailer.send(message);
      },
    };
    const report = await dispatchDue(stack.deps);
    expect(report.rejected).toBe(1);
    expect(await countsByAddress(emails)).toEqual([1, 0, 1]);
    expect((await stack.deps.store.findByEmail(emails[1]!))?.status).toBe('bounced');
    // Suppressed like an SES bounce: signing up again sends nothing.
    expect(await stack.deps.safeguards?.suppressions.isSuppressed(emailHash(emails[1]!))).toBe(true);
  });

  it('sends nothing to someone who unsubscribed after being listed as due', async () => {
    const [email] = await dueSubscribers(1);
    const subscriber = (await stack.deps.store.findByEmail(email!))!;
    const store = stack.deps.store;
    // The unsubscribe commits between the claim and the send: the re-read must see it.
    const racing: Deps = {
      ...stack.deps,
      store: Object.assign(Object.create(store), {
        claimDue: async (id: string, now: string, lease: string) => {
          const claimed = await store.claimDue(id, now, lease);
          if (id === subscriber.id) await store.stop(id, 'unsubscribed', now);
          return claimed;
        },
      }),
    };
    const report = await dispatchDue(racing);
    expect(report.stopped).toBeGreaterThanOrEqual(1);
    expect(await countsByAddress([email!])).toEqual([0]);
  });

  it('starts no send after its deadline and leaves the rest for the next run', async () => {
    const emails = await dueSubscribers(5);
    const report = await dispatchDue(stack.deps, { deadline: performance.now() - 1 });
    expect(report.sent).toBe(0);
    expect(report.remaining).toBe(true);
    await dispatchDue(stack.deps);
    expect(await countsByAddress(emails)).toEqual(emails.map(() => 1));
  });

  it('pages through a shard with more due subscribers than one query returns', async () => {
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + 48 * HOUR));
    await dispatchDue(stack.deps); // drain earlier batches' next steps
    const emails = await dueSubscribers(120);
    const firstPage = await stack.deps.store.findDue(0, stack.clock.now().toISOString());
    expect(firstPage.cursor, 'the shard holds more than one page').toBeDefined();
    const report = await dispatchDue({
      ...stack.deps,
      settings: { ...stack.deps.settings, maxSendRate: 10_000 },
    });
    expect(report.sent).toBe(120);
    expect(await countsByAddress(emails)).toEqual(emails.map(() => 1));
  });
});

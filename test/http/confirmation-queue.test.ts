/**
 * Confirmations leave the request path: a signup is stored and answered, and its confirmation email is
 * sent from the queue, once, whatever the mail service does meanwhile (in process, on in-memory ports).
 */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { sendConfirmation } from '../../functions/app/send-confirmation';
import { pseudonym } from '../../functions/domain/privacy';
import { fixedWindow } from '../../functions/domain/rate-limit';
import { fromClient, testApp } from '../support/app';
import { type MemoryDeps, memoryDeps } from '../support/memory/deps';

let m: MemoryDeps;
let app: Hono;
beforeEach(() => {
  m = memoryDeps();
  app = testApp(m.deps);
});

async function signUp(email: string, details: Record<string, unknown> = {}, ip = '192.0.2.1') {
  const response = await app.request(
    '/api/subscribe',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, firstName: 'Pat', timeZone: 'Asia/Tokyo', sendHour: 7, ...details }),
    },
    fromClient(ip),
  );
  return { status: response.status, body: await response.json() };
}

/** Resolves once the mailer has been asked at least `attempts` times (the queue is working on it). */
async function attemptsReach(attempts: number) {
  while (m.mailer.attempts < attempts) await new Promise((resolve) => setTimeout(resolve, 1));
}

function confirmationsUsed(email: string): Promise<number> {
  const limit = m.deps.safeguards.limits.confirmationsPerAddress;
  const address = pseudonym(m.deps.keys, 'email', email);
  return m.safeguards.limiter.count(limit, address, fixedWindow(m.clock.now(), limit.windowMs).start);
}

function confirmPath(text: string): string {
  const url = new URL(/http:\S+confirm\?token=\S+/.exec(text)![0]);
  return `${url.pathname}${url.search}`;
}

describe('a signup while the mail service throttles or fails', () => {
  it.each([
    ['throttles', () => m.mailer.throttle()],
    ['fails', () => m.mailer.fail()],
  ])(
    'while it %s: the normal answer, then exactly one confirmation once it recovers',
    async (_label, outage) => {
      const normal = await signUp('before@example.com');
      await m.confirmations.drained();
      outage();
      const during = await signUp('during@example.com');
      expect(during).toEqual(normal);
      await attemptsReach(2);
      expect(m.mailer.to('during@example.com')).toHaveLength(0);
      const subscriber = await m.store.findByEmail('during@example.com');
      expect(subscriber?.confirmationSentAt).toBeUndefined();
      expect(await confirmationsUsed('during@example.com')).toBe(0);

      // The person tries again meanwhile: the same answer, and nothing lost or queued twice.
      expect(await signUp('during@example.com')).toEqual(normal);
      m.mailer.accept();
      await m.confirmations.drained();
      expect(m.mailer.to('during@example.com')).toHaveLength(1);
      expect((await m.store.findByEmail('during@example.com'))?.confirmationSentAt).toBeDefined();
      expect(await confirmationsUsed('during@example.com')).toBe(1);
      expect(m.confirmations.deadLetters).toEqual([]);
    },
  );

  it('answers new, pending and known addresses alike while the mail service throttles', async () => {
    await signUp('known@example.com');
    await m.confirmations.drained();
    m.mailer.throttle();
    const answers = [
      await signUp('new@example.com'),
      await signUp('new@example.com'),
      await signUp('known@example.com'),
    ];
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.status).toBe(202);
  });

  it('uses none of the day’s three confirmations on a send the mail service refused to take', async () => {
    await signUp('cap@example.com');
    await m.confirmations.drained();
    for (let i = 0; i < 4; i++) {
      m.clock.moveTo(new Date(m.clock.now().getTime() + 16 * 60_000));
      m.mailer.throttle(4);
      await signUp('cap@example.com', {}, `192.0.2.${10 + i}`);
      await m.confirmations.drained();
    }
    // The first and two of the resends were accepted; the throttled tries cost nothing until they went out.
    expect(m.mailer.to('cap@example.com')).toHaveLength(3);
    expect(await confirmationsUsed('cap@example.com')).toBe(3);
  });
});

describe('a queued confirmation is sent once', () => {
  it('sends nothing for a request delivered again after its email went out', async () => {
    await signUp('twice@example.com');
    await m.confirmations.drained();
    const subscriber = await m.store.findByEmail('twice@example.com');
    const request = { subscriberId: subscriber!.id, requestedAt: subscriber!.createdAt };
    expect(await sendConfirmation(m.deps, request)).toBe('already-sent');
    expect(m.mailer.to('twice@example.com')).toHaveLength(1);
  });

  it('sends nothing for a subscriber who confirmed or unsubscribed before the queue got to them', async () => {
    await signUp('gone@example.com');
    await m.confirmations.drained();
    const subscriber = (await m.store.findByEmail('gone@example.com'))!;
    await m.store.stop(subscriber.id, 'unsubscribed', m.clock.now().toISOString());
    const request = { subscriberId: subscriber.id, requestedAt: m.clock.now().toISOString() };
    expect(await sendConfirmation(m.deps, request)).toBe('not-pending');
    expect(await sendConfirmation(m.deps, { ...request, subscriberId: 'nobody' })).toBe('not-pending');
    expect(m.mailer.to('gone@example.com')).toHaveLength(1);
  });

  it('drops a request the mail service rejects for good, without retrying it', async () => {
    m.mailer.reject();
    await signUp('bad@example.com');
    await m.confirmations.drained();
    expect(m.mailer.attempts).toBe(1);
    expect(m.confirmations.deadLetters).toEqual([]);
  });
});

describe('a later signup cannot rewrite a pending signup', () => {
  const strangers: [string, Record<string, unknown>][] = [
    ['name', { firstName: 'Mallory' }],
    ['zone', { timeZone: 'Pacific/Kiritimati' }],
    ['hour', { sendHour: 3 }],
    ['everything', { firstName: 'Mallory', timeZone: 'America/Anchorage', sendHour: 23 }],
  ];

  it.each(strangers)(
    'the owner’s link confirms the owner’s details after a stranger changed the %s',
    async (_l, change) => {
      await signUp('owner@example.com');
      await m.confirmations.drained();
      const ownersLink = confirmPath(m.mailer.to('owner@example.com')[0]!.text);
      m.clock.moveTo(new Date(m.clock.now().getTime() + 16 * 60_000));
      await signUp('owner@example.com', change, '198.51.100.7');
      await m.confirmations.drained();
      expect(await m.store.findByEmail('owner@example.com')).toMatchObject({
        firstName: 'Pat',
        timeZone: 'Asia/Tokyo',
        sendHour: 7,
      });
      expect((await app.request(ownersLink)).status).toBe(200);
      expect(await m.store.findByEmail('owner@example.com')).toMatchObject({
        status: 'active',
        firstName: 'Pat',
        timeZone: 'Asia/Tokyo',
        sendHour: 7,
      });
      // The stranger's link, which carries the change, now finds the owner already in: nothing changes.
      const strangersLink = confirmPath(m.mailer.to('owner@example.com')[1]!.text);
      expect((await app.request(strangersLink)).status).toBe(200);
      expect((await m.store.findByEmail('owner@example.com'))?.firstName).toBe('Pat');
    },
  );

  it.each(strangers)(
    'new details (%s) apply when the link that carries them is clicked first',
    async (_l, change) => {
      await signUp('fix@example.com');
      m.clock.moveTo(new Date(m.clock.now().getTime() + 16 * 60_000));
      await signUp('fix@example.com', change);
      await m.confirmations.drained();
      const [, second] = m.mailer.to('fix@example.com');
      expect((await app.request(confirmPath(second!.text))).status).toBe(200);
      expect(await m.store.findByEmail('fix@example.com')).toMatchObject({ status: 'active', ...change });
    },
  );

  it('refuses a link whose change id was tampered with', async () => {
    await signUp('tamper@example.com');
    m.clock.moveTo(new Date(m.clock.now().getTime() + 16 * 60_000));
    await signUp('tamper@example.com', { firstName: 'Mallory' });
    await m.confirmations.drained();
    const link = confirmPath(m.mailer.to('tamper@example.com')[1]!.text);
    const forged = link.replace(/~([A-Za-z0-9_-]+)\./, '~0000.');
    expect(forged).not.toBe(link);
    expect((await app.request(forged)).status).toBe(400);
    expect((await m.store.findByEmail('tamper@example.com'))?.status).toBe('pending');
  });
});

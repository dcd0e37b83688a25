/**
 * The console in tests: signing in without the email round trip (a session stored for a staff address
 * and its signed cookie, for `app.request()` or a browser), and subscribers, questions and emailed
 * answers that go through the real inbound path.
 */

import { PostalMimeParser } from '../../functions/adapters/mime';
import { replyAddress } from '../../functions/app/compose-email';
import { SESSION_MS } from '../../functions/app/console/sign-in';
import type { Deps } from '../../functions/app/deps';
import { answerAddress } from '../../functions/app/inbound/emails';
import { type InboundReport, receiveMail } from '../../functions/app/inbound/receive-mail';
import { confirmSubscriber, newSubscriber, type Subscriber } from '../../functions/domain/subscriber';
import { signToken } from '../../functions/domain/tokens';
import { SESSION_COOKIE } from '../../functions/http/console-auth';
import { localVerdicts } from '../../functions/local/smtp';

/** The local and test staff: two experts and an operator (as `localConfig` lists them). */
export const EXPERT = 'expert@example.com';
export const EXPERT2 = 'expert2@example.com';
export const OPERATOR = 'owner@example.com';

/** A session cookie for `email` (which must be on the staff lists to be let in). */
export async function sessionCookie(deps: Deps, email: string): Promise<{ name: string; value: string }> {
  const now = deps.clock.now();
  const id = deps.newId();
  await deps.console.saveSession({
    id,
    email,
    expiresAt: new Date(now.getTime() + SESSION_MS).toISOString(),
  });
  return { name: SESSION_COOKIE, value: signToken(deps.keys, 'console-session', id, now.getTime()) };
}

/** Request headers of a signed-in `email`, for `app.request()`. */
export async function signedInHeaders(deps: Deps, email: string): Promise<Record<string, string>> {
  const cookie = await sessionCookie(deps, email);
  return { cookie: `${cookie.name}=${cookie.value}` };
}

/** The cookie of a signed-in `email` for a browser context on `appUrl` (`context.addCookies([...])`). */
export async function browserSessionCookie(deps: Deps, email: string, appUrl: string) {
  const cookie = await sessionCookie(deps, email);
  const url = new URL(appUrl);
  return { ...cookie, domain: url.hostname, path: '/console', httpOnly: true, sameSite: 'Strict' as const };
}

/** Stores a subscriber as if they had signed up and confirmed now (no email is sent): active, first lesson due. */
export async function storeActiveSubscriber(
  deps: Deps,
  person: { email: string; firstName?: string; timeZone?: string; sendHour?: number },
): Promise<Subscriber> {
  const now = deps.clock.now();
  const pending = newSubscriber(
    deps.newId(),
    {
      email: person.email,
      firstName: person.firstName ?? 'Fay',
      timeZone: person.timeZone ?? 'UTC',
      sendHour: person.sendHour ?? 8,
    },
    now,
  );
  const active = confirmSubscriber(pending, deps.steps, now);
  if (!(await deps.store.create(pending)) || !(await deps.store.activate(active))) {
    throw new Error(`could not store ${person.email} as an active subscriber`);
  }
  return active;
}

/** A plain-text email as raw MIME (CRLF line ends), for `receiveMail`. */
export function rawEmail(mail: {
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
  references?: string[];
  extraHeaders?: string[];
}): Uint8Array {
  const refs = mail.references ?? [];
  const lines = [
    `From: ${mail.from}`,
    `To: ${mail.to}`,
    `Subject: ${mail.subject}`,
    `Message-ID: ${mail.messageId}`,
    ...(refs.length > 0 ? [`In-Reply-To: ${refs.at(-1)}`, `References: ${refs.join(' ')}`] : []),
    'MIME-Version: 1.0',
    ...(mail.extraHeaders ?? []),
    'Content-Type: text/plain; charset=utf-8',
    '',
    mail.text,
  ];
  return new TextEncoder().encode(lines.join('\r\n'));
}

let messages = 0;

/** A subscriber's question, delivered as a reply to their reply address; returns the inbound report. */
export function deliverQuestion(
  deps: Deps,
  subscriber: Subscriber,
  text: string,
  references: string[] = [],
): Promise<InboundReport> {
  messages++;
  const to = replyAddress(deps, subscriber.id);
  const raw = rawEmail({
    from: `${subscriber.firstName} <${subscriber.email}>`,
    to,
    subject: 'Re: your lesson',
    text,
    messageId: `<q${messages}.${Date.now()}@mail.example.com>`,
    references,
  });
  return receiveMail(deps, new PostalMimeParser(), { raw, recipients: [to], verdicts: localVerdicts(raw) });
}

/** An expert's emailed answer to a question (a reply to its answer+ address). */
export function deliverEmailedAnswer(
  deps: Deps,
  questionId: string,
  from: string,
  text: string,
): Promise<InboundReport> {
  messages++;
  const to = answerAddress(deps, questionId);
  const raw = rawEmail({
    from,
    to,
    subject: 'Re: Question',
    text,
    messageId: `<a${messages}.${Date.now()}@mail.example.com>`,
  });
  return receiveMail(deps, new PostalMimeParser(), { raw, recipients: [to], verdicts: localVerdicts(raw) });
}

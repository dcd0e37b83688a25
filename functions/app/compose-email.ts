import type { CompiledEmail } from '../domain/course';
import type { OutgoingEmail } from '../domain/ports';
import { renderEmail } from '../domain/render';
import type { Subscriber } from '../domain/subscriber';
import { confirmSubject, shortMac, signToken } from '../domain/tokens';
import type { Deps } from './deps';

/** The one-click unsubscribe URL of a subscriber (RFC 8058 target; GET shows a button, POST unsubscribes). */
export function unsubscribeUrl(
  deps: Pick<Deps, 'keys' | 'settings'>,
  subscriberId: string,
  now: Date,
): string {
  return `${deps.settings.siteUrl}/unsubscribe?token=${signToken(deps.keys, 'unsubscribe', subscriberId, now.getTime())}`;
}

/** The manage-your-course URL of a subscriber (in every course email and on the "you're in" page). */
export function manageUrl(deps: Pick<Deps, 'keys' | 'settings'>, subscriberId: string, now: Date): string {
  return `${deps.settings.siteUrl}/manage?token=${signToken(deps.keys, 'manage', subscriberId, now.getTime())}`;
}

/** The address a subscriber's replies go to; the MAC stops anyone from writing in someone else's name. */
export function replyAddress(deps: Pick<Deps, 'keys' | 'settings'>, subscriberId: string): string {
  return `reply+${subscriberId}.${shortMac(deps.keys, 'reply', subscriberId)}@${deps.settings.replyDomain}`;
}

function templateFor(deps: Pick<Deps, 'templates'>, key: string): CompiledEmail {
  const email = deps.templates.emails[key];
  if (!email) throw new Error(`no compiled template for email "${key}"`);
  return email;
}

/**
 * The double opt-in request: a confirm link (carrying `changeId` when it confirms new details), no
 * unsubscribe headers (they are not subscribed yet).
 */
export function composeConfirmation(
  deps: Pick<Deps, 'keys' | 'settings' | 'templates'>,
  subscriber: Subscriber,
  now: Date,
  changeId?: string,
): OutgoingEmail {
  const key = deps.templates.manifest.emails.find((email) => email.kind === 'confirm')?.key ?? 'confirm';
  const token = signToken(deps.keys, 'confirm', confirmSubject(subscriber.id, changeId), now.getTime());
  const confirmUrl = `${deps.settings.siteUrl}/confirm?token=${token}`;
  const rendered = renderEmail(templateFor(deps, key), {
    firstName: subscriber.firstName,
    confirmUrl,
    siteUrl: deps.settings.siteUrl,
    postalAddress: deps.settings.postalAddress,
    senderName: deps.settings.senderName,
  });
  return { to: subscriber.email, ...rendered, headers: [], tags: { subscriber: subscriber.id, email: key } };
}

/** A course email for one subscriber, with one-click unsubscribe headers and their personal reply address. */
export function composeCourseEmail(
  deps: Pick<Deps, 'keys' | 'settings' | 'templates'>,
  subscriber: Subscriber,
  key: string,
  now: Date,
): OutgoingEmail {
  const unsubscribe = unsubscribeUrl(deps, subscriber.id, now);
  const rendered = renderEmail(templateFor(deps, key), {
    firstName: subscriber.firstName,
    unsubscribeUrl: unsubscribe,
    manageUrl: manageUrl(deps, subscriber.id, now),
    siteUrl: deps.settings.siteUrl,
    postalAddress: deps.settings.postalAddress,
    senderName: deps.settings.senderName,
  });
  return {
    to: subscriber.email,
    ...rendered,
    replyTo: replyAddress(deps, subscriber.id),
    headers: [
      { name: 'List-Unsubscribe', value: `<${unsubscribe}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ],
    tags: { subscriber: subscriber.id, email: key },
  };
}

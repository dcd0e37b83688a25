/**
 * SES event publishing records (configuration set → EventBridge or SNS), read defensively: anything
 * that is not the expected shape is a `MalformedSesEvent`, never an exception.
 */

/** The events this product acts on. */
export type SesEventKind = 'bounce' | 'complaint' | 'delivery' | 'reject' | 'rendering-failure';

/** One SES event, reduced to what the product needs. Addresses are for hashing and lookup only, never logs. */
export interface SesEvent {
  kind: SesEventKind;
  /** SES message id of the email the event is about. */
  messageId: string;
  /** When SES accepted the email (the send time). */
  sentAt: string;
  /** When the event happened (bounce, complaint or delivery time; else the send time). */
  at: string;
  /** The `subscriber` tag the mailer set; absent on mail that is not to a subscriber. */
  subscriberId?: string | undefined;
  /** The `email` tag: the manifest key of the email (`welcome`, `confirm`, ...). */
  key?: string | undefined;
  /** The addresses the event concerns (bounced or complaining recipients, else the destination). */
  recipients: string[];
  /** For bounces: permanent (the address is dead) or transient (full mailbox, ...; undetermined counts here). */
  bounceType?: 'permanent' | 'transient' | undefined;
  /** Identifies the bounce or complaint notification, so a replay is recognised. */
  feedbackId?: string | undefined;
}

/** A record that is not an SES event we can read; `problem` names what is wrong, without personal data. */
export interface MalformedSesEvent {
  malformed: string;
}

/** An SES event of a kind this product does not act on (Send, Open, Click, DeliveryDelay, ...). */
export interface IgnoredSesEvent {
  ignored: string;
}

const KINDS: Record<string, SesEventKind> = {
  Bounce: 'bounce',
  Complaint: 'complaint',
  Delivery: 'delivery',
  Reject: 'reject',
  'Rendering Failure': 'rendering-failure',
  RenderingFailure: 'rendering-failure',
};

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const KEY = /^[a-z0-9]+(-[a-z0-9]+)*$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown, max = 1000): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

function time(value: unknown): string | undefined {
  const raw = text(value, 64);
  const ms = raw === undefined ? Number.NaN : Date.parse(raw);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The first value of an SES message tag (`tags: { name: [value] }`), when it matches `pattern`. */
function tag(tags: unknown, name: string, pattern: RegExp): string | undefined {
  if (!isObject(tags)) return undefined;
  const values = tags[name];
  const value = Array.isArray(values) ? values[0] : values;
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

function addresses(list: unknown, field?: string): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((entry) => (field && isObject(entry) ? entry[field] : entry))
    .filter((address): address is string => typeof address === 'string' && /^[^\s@]+@[^\s@]+$/.test(address))
    .slice(0, 50);
}

/**
 * Reads one SES event from an EventBridge event (`{ detail: {...} }`) or an SNS message body (the same
 * record at the top level). Event types other than the five acted on are `ignored`.
 */
export function parseSesEvent(raw: unknown): SesEvent | MalformedSesEvent | IgnoredSesEvent {
  if (!isObject(raw)) return { malformed: 'not an object' };
  const record = isObject(raw.detail) ? raw.detail : raw;
  const type = text(record.eventType, 64) ?? text(record.notificationType, 64);
  if (!type) return { malformed: 'no eventType' };
  const kind = KINDS[type];
  if (!kind) return { ignored: type };
  const mail = record.mail;
  if (!isObject(mail)) return { malformed: 'no mail object' };
  const messageId = text(mail.messageId, 200);
  if (!messageId) return { malformed: 'no mail.messageId' };
  const sentAt = time(mail.timestamp);
  if (!sentAt) return { malformed: 'no valid mail.timestamp' };
  const destination = addresses(mail.destination);
  const event: SesEvent = {
    kind,
    messageId,
    sentAt,
    at: sentAt,
    subscriberId: tag(mail.tags, 'subscriber', ID),
    key: tag(mail.tags, 'email', KEY),
    recipients: destination,
  };

  if (kind === 'bounce') {
    const bounce = record.bounce;
    if (!isObject(bounce)) return { malformed: 'no bounce object' };
    const bounceType = text(bounce.bounceType, 32);
    if (!bounceType) return { malformed: 'no bounce.bounceType' };
    event.bounceType = bounceType === 'Permanent' ? 'permanent' : 'transient';
    event.at = time(bounce.timestamp) ?? sentAt;
    event.feedbackId = text(bounce.feedbackId, 300) ?? `${messageId}@${event.at}`;
    const bounced = addresses(bounce.bouncedRecipients, 'emailAddress');
    if (bounced.length > 0) event.recipients = bounced;
  } else if (kind === 'complaint') {
    const complaint = record.complaint;
    if (!isObject(complaint)) return { malformed: 'no complaint object' };
    event.at = time(complaint.timestamp) ?? sentAt;
    event.feedbackId = text(complaint.feedbackId, 300) ?? `${messageId}@${event.at}`;
    const complained = addresses(complaint.complainedRecipients, 'emailAddress');
    if (complained.length > 0) event.recipients = complained;
  } else if (kind === 'delivery') {
    const delivery = record.delivery;
    event.at = (isObject(delivery) ? time(delivery.timestamp) : undefined) ?? sentAt;
  }
  return event;
}

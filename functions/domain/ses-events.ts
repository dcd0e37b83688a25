/**
 * SES event publishing records (configuration set → EventBridge), read by schema: anything that is not
 * the expected shape is a `MalformedSesEvent` naming the field, never an exception.
 */
import * as z from 'zod/mini';

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
const ADDRESS = /^[^\s@]+@[^\s@]+$/;

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/** A timestamp SES wrote, as an ISO string; anything `Date.parse` cannot read is refused. */
const time = z.pipe(
  text(64).check(z.refine((value) => Number.isFinite(Date.parse(value)), 'not a time')),
  z.transform((value) => new Date(Date.parse(value)).toISOString()),
);

/** Recipient lists keep only what looks like an address (at most 50); the rest is not ours to judge. */
const addresses = (pick: (entry: unknown) => unknown) =>
  z.pipe(
    z.array(z.unknown()),
    z.transform((list) =>
      list
        .map(pick)
        .filter((address): address is string => typeof address === 'string' && ADDRESS.test(address))
        .slice(0, 50),
    ),
  );
const plain = addresses((entry) => entry);
const byField = addresses((entry) => (entry as { emailAddress?: unknown } | null)?.emailAddress);

/** SES message tags: `{ name: [value] }`. */
const tags = z.record(z.string(), z.union([z.array(z.unknown()), z.unknown()]));

const mailSchema = z.object({
  messageId: text(200),
  timestamp: time,
  destination: z.optional(plain),
  tags: z.optional(tags),
});

/** A field whose bad value is treated as absent: the event is still worth acting on without it. */
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);

const feedback = { timestamp: lenient(time), feedbackId: lenient(text(300)) };

const recordSchema = z.object({
  eventType: text(64),
  mail: mailSchema,
  bounce: z.optional(z.object({ bounceType: text(32), bouncedRecipients: z.optional(byField), ...feedback })),
  complaint: z.optional(z.object({ complainedRecipients: z.optional(byField), ...feedback })),
  delivery: lenient(z.object({ timestamp: lenient(time) })),
});

/** The EventBridge envelope: the SES record is its `detail`. */
const envelopeSchema = z.object({ detail: z.looseObject({ eventType: text(64) }) });

type SesRecord = z.infer<typeof recordSchema>;

/** The first value of an SES message tag, when it matches `pattern`. */
function tag(all: SesRecord['mail']['tags'], name: string, pattern: RegExp): string | undefined {
  const values = all?.[name];
  const value = Array.isArray(values) ? values[0] : values;
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

/** The path of the first problem, without the value (it may hold an address). */
function problemOf(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.join('.') || 'event';
  return `no valid ${path}`;
}

/** Reads one SES event from an EventBridge event (`{ detail: {...} }`); other event types are `ignored`. */
export function parseSesEvent(raw: unknown): SesEvent | MalformedSesEvent | IgnoredSesEvent {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { malformed: problemOf(envelope.error) };
  const kind = KINDS[envelope.data.detail.eventType];
  if (!kind) return { ignored: envelope.data.detail.eventType };
  const parsed = recordSchema.safeParse(envelope.data.detail);
  if (!parsed.success) return { malformed: `${problemOf(parsed.error)} in detail` };
  const record = parsed.data;
  const { mail } = record;
  const event: SesEvent = {
    kind,
    messageId: mail.messageId,
    sentAt: mail.timestamp,
    at: mail.timestamp,
    subscriberId: tag(mail.tags, 'subscriber', ID),
    key: tag(mail.tags, 'email', KEY),
    recipients: mail.destination ?? [],
  };
  if (kind === 'bounce' || kind === 'complaint') return withFeedback(event, record);
  if (kind === 'delivery') event.at = record.delivery?.timestamp ?? event.sentAt;
  return event;
}

/** A bounce or complaint: its own time, its feedback id (a replay is recognised by it), its recipients. */
function withFeedback(event: SesEvent, record: SesRecord): SesEvent | MalformedSesEvent {
  const detail = event.kind === 'bounce' ? record.bounce : record.complaint;
  if (!detail) return { malformed: `no ${event.kind} object` };
  if (record.bounce && event.kind === 'bounce') {
    event.bounceType = record.bounce.bounceType === 'Permanent' ? 'permanent' : 'transient';
  }
  event.at = detail.timestamp ?? event.sentAt;
  event.feedbackId = detail.feedbackId ?? `${event.messageId}@${event.at}`;
  const listed =
    event.kind === 'bounce' ? record.bounce?.bouncedRecipients : record.complaint?.complainedRecipients;
  if (listed && listed.length > 0) event.recipients = listed;
  return event;
}

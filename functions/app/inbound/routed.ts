import type { InboundAddress, InboundMail } from '../../domain/questions';

/** What happened to one inbound message. */
export interface InboundReport {
  outcome:
    | 'forwarded'
    | 'held'
    | 'duplicate'
    | 'noted'
    | 'answered'
    | 'already-answered'
    | 'dropped'
    | 'failed';
  reason?: string | undefined;
  subscriberId?: string | undefined;
  questionId?: string | undefined;
}

/** A parsed message, where it was addressed to, and what the verdicts say. */
export interface Routed {
  mail: InboundMail;
  address: InboundAddress;
  /** Identifies the message across deliveries: its Message-ID, or a hash of its bytes. */
  messageKey: string;
  authenticated: boolean;
  /** DMARC passed for the From domain (see `dmarcAligned`): what an answer from the expert needs. */
  dmarcAligned: boolean;
  /** The message as it arrived, kept with a question so the console can show it. */
  raw?: Uint8Array | undefined;
}

/** Base class so the HTTP layer can map every domain failure to a status in one place. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Input that breaks a rule; `fields` names each bad field with a human-readable reason. */
export class ValidationError extends DomainError {
  constructor(
    readonly fields: Record<string, string>,
    message = 'Some fields are not valid.',
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** A signed token that is malformed, forged, signed for another purpose or expired. */
export class InvalidTokenError extends DomainError {
  constructor(readonly reason: 'malformed' | 'signature' | 'expired') {
    super(`The link is not valid (${reason}).`);
    this.name = 'InvalidTokenError';
  }
}

/** The mail service is throttling us; the send may be retried later. */
export class MailThrottledError extends DomainError {
  constructor(message = 'The mail service is throttling sends.') {
    super(message);
    this.name = 'MailThrottledError';
  }
}

/** The mail service refused this message for good (bad address, rejected content). */
export class MailRejectedError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'MailRejectedError';
  }
}

/** Raw mail that no parser could read. */
export class UnreadableMailError extends DomainError {
  constructor(message = 'The message could not be parsed.') {
    super(message);
    this.name = 'UnreadableMailError';
  }
}

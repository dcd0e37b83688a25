import { describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../../functions/domain/errors';
import { shortMac, signToken, verifyShortMac, verifyToken } from '../../functions/domain/tokens';

const keys = { current: 'k'.repeat(40) };
const issued = Date.UTC(2026, 0, 1);
const day = 24 * 3600_000;

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof InvalidTokenError ? error.reason : 'other';
  }
}

describe('signed tokens', () => {
  it('verifies a token it signed and returns the subscriber id', () => {
    const token = signToken(keys, 'confirm', 'abc123', issued);
    expect(verifyToken(keys, 'confirm', token, issued + 1000)).toBe('abc123');
  });

  it('refuses a token signed for another purpose', () => {
    const token = signToken(keys, 'unsubscribe', 'abc123', issued);
    expect(reason(() => verifyToken(keys, 'confirm', token, issued))).toBe('signature');
  });

  it('refuses a token whose subscriber id or time was changed', () => {
    const token = signToken(keys, 'confirm', 'abc123', issued);
    const [, time, mac] = token.split('.');
    expect(reason(() => verifyToken(keys, 'confirm', `abc124.${time}.${mac}`, issued))).toBe('signature');
    expect(
      reason(() =>
        verifyToken(
          keys,
          'confirm',
          `abc123.${(Number.parseInt(time!, 36) + 1).toString(36)}.${mac}`,
          issued,
        ),
      ),
    ).toBe('signature');
  });

  it('refuses a token signed with another key', () => {
    const token = signToken({ current: 'x'.repeat(40) }, 'confirm', 'abc123', issued);
    expect(reason(() => verifyToken(keys, 'confirm', token, issued))).toBe('signature');
  });

  it('expires confirm tokens after 7 days but never unsubscribe tokens', () => {
    const confirmToken = signToken(keys, 'confirm', 'abc123', issued);
    expect(verifyToken(keys, 'confirm', confirmToken, issued + 7 * day - 1000)).toBe('abc123');
    expect(reason(() => verifyToken(keys, 'confirm', confirmToken, issued + 7 * day + 1000))).toBe('expired');
    const unsubscribeToken = signToken(keys, 'unsubscribe', 'abc123', issued);
    expect(verifyToken(keys, 'unsubscribe', unsubscribeToken, issued + 3650 * day)).toBe('abc123');
  });

  it('keeps accepting tokens of the previous key during a rotation', () => {
    const old = signToken(keys, 'unsubscribe', 'abc123', issued);
    const rotated = { current: 'n'.repeat(40), previous: keys.current };
    expect(verifyToken(rotated, 'unsubscribe', old, issued)).toBe('abc123');
    expect(reason(() => verifyToken({ current: rotated.current }, 'unsubscribe', old, issued))).toBe(
      'signature',
    );
  });

  it.each(['', 'a.b', 'a.b.c.d', '../etc.1.x', 'abc.ZZZ!.mac', `${'a'.repeat(65)}.1.x`])(
    'calls %j malformed',
    (token) => {
      expect(reason(() => verifyToken(keys, 'confirm', token, issued))).toBe('malformed');
    },
  );

  it('makes lower-case short MACs that verify only for the same value', () => {
    const mac = shortMac(keys, 'reply', 'abc123');
    expect(mac).toMatch(/^[0-9a-f]{12}$/);
    expect(verifyShortMac(keys, 'reply', 'abc123', mac)).toBe(true);
    expect(verifyShortMac(keys, 'reply', 'abc124', mac)).toBe(false);
    expect(verifyShortMac(keys, 'answer', 'abc123', mac)).toBe(false);
  });
});

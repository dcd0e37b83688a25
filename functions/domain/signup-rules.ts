/**
 * Rules for an address we can actually send to. SES accepts only 7-bit ASCII in the local part
 * (internationalised domains must be punycode), so anything else is refused up front. Every label of
 * the domain, the top-level one included, may be punycode (`xn--…`, e.g. `example.xn--p1ai`).
 */
const ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}[A-Za-z0-9])$/;

/** Why an address cannot be used, or `undefined` when it can. */
export function emailAddressProblem(raw: string): string | undefined {
  const email = raw.trim();
  if (email.length === 0) return 'Enter your email address.';
  if (email.length > 254) return 'That email address is too long.';
  const at = email.lastIndexOf('@');
  if (at < 1) return 'Enter an email address like name@example.com.';
  const local = email.slice(0, at);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find non-ASCII characters
  if (/[^\x00-\x7F]/.test(local))
    return 'Use an address whose part before the @ has only plain (ASCII) letters.';
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'Enter an email address like name@example.com.';
  }
  if (!ADDRESS.test(email)) return 'Enter an email address like name@example.com.';
  return undefined;
}

/**
 * What a name is made of: letters and combining marks of any script, spaces, apostrophes, hyphens,
 * periods and middle dots (Catalan, Japanese), Hebrew geresh/gershayim, and the zero-width joiners
 * that Persian and Indic names need between letters. No digits, no symbols, nothing invisible.
 */
const NAME_CHARS = /^[\p{L}\p{M} '\u2019\u02bc\-\u2010.\u00b7\u30fb\u05f3\u05f4]*$/u;
const JOINER_BETWEEN_LETTERS = /(?<=[\p{L}\p{M}])[\u200c\u200d](?=[\p{L}\p{M}])/gu;
/**
 * Text a mail client would turn into a link: a scheme, `www.`, or a dot directly followed by a word
 * (`example.com`). Initials (`J.R.`) and abbreviations before a space (`Ma. Elena`) stay allowed.
 */
const LINK_LIKE = /https?:|www\.|\.\p{L}{2,}/iu;

/** Why a first name cannot be used, or `undefined` when it can. */
export function firstNameProblem(raw: string): string | undefined {
  const name = raw.trim();
  if (name.length === 0) return 'Enter your first name.';
  if (name.length > 50) return 'Use at most 50 characters for your first name.';
  const visible = name.replace(JOINER_BETWEEN_LETTERS, '');
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u.test(visible) || /[^\S ]/u.test(visible)) {
    return 'Your first name cannot contain line breaks, control characters or invisible characters.';
  }
  if (/[<>{}]/.test(name) || LINK_LIKE.test(name)) return 'Your first name cannot contain markup or links.';
  if (!NAME_CHARS.test(visible)) {
    return 'Use only letters, spaces, apostrophes, hyphens and periods in your first name.';
  }
  return undefined;
}

/** Why a time zone cannot be used, or `undefined` when it is a real IANA zone (e.g. Europe/Paris). */
export function timeZoneProblem(raw: string): string | undefined {
  if (raw.length === 0 || raw.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(raw) || !isKnownZone(raw)) {
    return 'Choose a time zone from the list, like Europe/Paris.';
  }
  return undefined;
}

/** Why a send hour cannot be used, or `undefined` for a whole hour 0–23. */
export function sendHourProblem(hour: number): string | undefined {
  return Number.isInteger(hour) && hour >= 0 && hour <= 23 ? undefined : 'Choose a whole hour from 0 to 23.';
}

const knownZones = new Map<string, boolean>();

/** True when the runtime's time-zone database knows the zone (cached: the answer never changes). */
function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 1000) knownZones.set(zone, known);
  }
  return known;
}

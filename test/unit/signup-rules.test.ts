import { describe, expect, it } from 'vitest';
import {
  emailAddressProblem,
  firstNameProblem,
  sendHourProblem,
  timeZoneProblem,
} from '../../functions/domain/signup-rules';

describe('signup rules', () => {
  it.each([
    'a@example.com',
    'first.last+tag@sub.example.co.uk',
    "o'neil@example.org",
    'x@xn--bcher-kva.example',
    'ivan@example.xn--p1ai',
    'ivan@xn--d1acpjx3f.xn--p1ai',
    'li@example.xn--fiqs8s',
    'a@sub.xn--mnchen-3ya.de',
  ])('accepts the address %s', (email) => expect(emailAddressProblem(email)).toBeUndefined());

  it.each([
    ['', /Enter your email/],
    ['plain', /like name@/],
    ['a@b', /like name@/],
    ['two@@example.com', /like name@/],
    ['.dot@example.com', /like name@/],
    ['dots..x@example.com', /like name@/],
    ['jürgen@example.com', /ASCII/],
    ['a b@example.com', /like name@/],
    ['a@example.com\r\nBcc: x@example.com', /like name@/],
    ['a@example.xn--', /like name@/],
    ['a@example.xn--p1ai-', /like name@/],
    ['a@münchen.de', /like name@/],
  ])('refuses the address %j', (email, message) => expect(emailAddressProblem(email)).toMatch(message));

  it.each([
    ['Ana', undefined],
    ['José María', undefined],
    ['李', undefined],
    ['', /Enter your first name/],
    ['a'.repeat(51), /50/],
    ['Eve\nBcc', /line breaks/],
    ['<script>', /markup/],
    ['see www.spam.example', /links/],
  ])('judges the first name %j', (name, message) => {
    const problem = firstNameProblem(name);
    if (message === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(message);
  });

  it.each([
    ['Arabic', 'محمد'],
    ['Arabic with a space', 'عبد الله'],
    ['Devanagari (virama, vowel signs)', 'अनन्या'],
    ['Hindi with a nukta', 'ज़ोया'],
    ['Chinese', '王小明'],
    ['Japanese with a middle dot', 'マリア・テレサ'],
    ['Korean', '김민준'],
    ['Cyrillic', 'Алексей'],
    ['Greek with a tonos', 'Γιώργος'],
    ['Hebrew', 'דוד'],
    ['Hebrew with a geresh', 'ג׳ון'],
    ['Thai (combining vowels and tones)', 'สมชาย'],
    ['Vietnamese', 'Nguyễn Ngọc'],
    ['decomposed accents (combining marks)', 'Zoe\u0308 E\u0301mile'],
    ['Persian with a zero-width non-joiner between letters', 'مهر\u200cآفرین'],
    ['an apostrophe', "O'Brien"],
    ['a curly apostrophe', 'D’Angelo'],
    ['a hyphen', 'Jean-Luc'],
    ['initials', 'J.R.'],
    ['an abbreviation before a space', 'Ma. Elena'],
    ['Catalan middle dot', 'Gal·la'],
    ['Icelandic and Polish letters', 'Þór Łukasz'],
    ['Hawaiian ʻokina', 'ʻIolani'],
  ])('accepts a real name in %s: %s', (_script, name) => expect(firstNameProblem(name)).toBeUndefined());

  it.each([
    ['a domain and path', 'Visit example.com/login', /links/],
    ['a bare domain', 'example.com', /links/],
    ['a domain in capitals', 'CHEAP.PILLS', /links/],
    ['a domain in another script', 'Купи сайт.рф', /links/],
    ['a scheme', 'Ann http://x', /links/],
    ['www', 'www.x', /links/],
    ['a C1 control character (NEL)', 'Ann\u0085Bcc', /control/],
    ['a C1 control character (CSI)', 'Ann\u009b', /control/],
    ['a right-to-left override', 'Ann\u202emoc.live', /invisible/],
    ['a bidi isolate', 'Ann\u2066x\u2069', /invisible/],
    ['a zero-width space', 'Ex\u200bample', /invisible/],
    ['a zero-width joiner at the end', 'Ann\u200d', /invisible/],
    ['a byte-order mark inside', 'An\ufeffn', /invisible/],
    ['a soft hyphen', 'Ex\u00adample', /invisible/],
    ['a line separator', 'Ann\u2028Bcc', /invisible|line breaks/],
    ['a no-break space', 'Ann\u00a0Lee', /invisible/],
    ['a private-use character', 'Ann\ue000', /invisible/],
    ['digits (a phone number)', 'Call 5551234', /only letters/],
    ['an at sign', 'bob@example', /only letters/],
    ['a slash', 'win/prize', /only letters/],
    ['a fullwidth dot', 'example．com', /only letters/],
  ])('refuses a name with %s', (_kind, name, message) => expect(firstNameProblem(name)).toMatch(message));

  it.each(['Europe/Paris', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'UTC'])(
    'accepts the zone %s',
    (zone) => expect(timeZoneProblem(zone)).toBeUndefined(),
  );

  it.each(['', 'Mars/Base', 'Europe/Paris<script>', '+05:30', 'a'.repeat(65)])(
    'refuses the zone %j',
    (zone) => expect(timeZoneProblem(zone)).toBeDefined(),
  );

  it('accepts whole hours 0 to 23 only', () => {
    expect(sendHourProblem(0)).toBeUndefined();
    expect(sendHourProblem(23)).toBeUndefined();
    for (const hour of [-1, 24, 7.5, Number.NaN]) expect(sendHourProblem(hour)).toBeDefined();
  });
});

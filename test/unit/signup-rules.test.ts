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

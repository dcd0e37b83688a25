import * as z from 'zod/mini';
import { ValidationError } from '../domain/errors';
import { MAX_PAUSE_DAYS, type ScheduleChange } from '../domain/schedule-changes';
import {
  emailAddressProblem,
  firstNameProblem,
  sendHourProblem,
  timeZoneProblem,
} from '../domain/signup-rules';
import { sourceProblem } from '../domain/stat-facts';
import { DEFAULT_SEND_HOUR } from '../domain/subscriber';

function rule(problem: (value: string) => string | undefined) {
  return z.superRefine<string>((value, ctx) => {
    const message = problem(value);
    if (message) ctx.issues.push({ code: 'custom', message, input: value });
  });
}

const HOUR_MESSAGE = 'Choose a whole hour from 0 to 23.';

const hourField = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^\s*\d{1,2}\s*$/, HOUR_MESSAGE))], { error: HOUR_MESSAGE }),
  z.transform((value) => Number(value)),
);

/** The signup body, as JSON or as a form post. Unknown fields are ignored. */
export const signupSchema = z.object({
  email: z.string({ error: 'Enter your email address.' }).check(rule(emailAddressProblem)),
  firstName: z.string({ error: 'Enter your first name.' }).check(rule(firstNameProblem)),
  timeZone: z.string({ error: 'Choose your time zone.' }).check(rule(timeZoneProblem)),
  sendHour: z.optional(
    hourField.check(
      z.superRefine((hour, ctx) => {
        const message = sendHourProblem(hour);
        if (message) ctx.issues.push({ code: 'custom', message, input: hour });
      }),
    ),
  ),
  /** Where the visitor came from (`utm_source` / `ref` on the landing page URL), as the page's script cleaned it. */
  source: z.optional(z.string().check(rule(sourceProblem))),
  /** Honeypot: hidden from people, tempting to bots. */
  website: z.optional(z.string()),
});

/** A parsed, trimmed signup. */
export interface SignupBody {
  email: string;
  firstName: string;
  timeZone: string;
  sendHour: number;
  source?: string | undefined;
  website?: string | undefined;
}

/** Parses a signup body or throws ValidationError naming every bad field (the first problem of each). */
export function parseSignup(body: unknown): SignupBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError({ body: 'Send a JSON object with email, firstName and timeZone.' });
  }
  const result = signupSchema.safeParse(body);
  if (!result.success) {
    const fields: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? 'body');
      fields[field] ??= issue.message;
    }
    throw new ValidationError(fields);
  }
  const { email, firstName, timeZone, sendHour, source, website } = result.data;
  return {
    email: email.trim(),
    firstName: firstName.trim(),
    timeZone,
    sendHour: sendHour ?? DEFAULT_SEND_HOUR,
    source: source || undefined,
    website,
  };
}

/** A token query parameter: present, short, and of the token alphabet, or undefined. */
export function tokenParam(value: string | undefined): string | undefined {
  return value && value.length <= 260 && /^[A-Za-z0-9._~-]+$/.test(value) ? value : undefined;
}

const DAYS_MESSAGE = 'Choose a pause of 1 to 14 days.';

/** The manage page's forms: one `action` and the fields it needs. */
export const manageSchema = z.discriminatedUnion(
  'action',
  [
    z.object({
      action: z.literal('update'),
      sendHour: hourField.check(
        z.refine((hour) => sendHourProblem(hour) === undefined, { error: HOUR_MESSAGE }),
      ),
      timeZone: z.string({ error: 'Choose your time zone.' }).check(rule(timeZoneProblem)),
    }),
    z.object({
      action: z.literal('pause'),
      days: z
        .pipe(
          z.string({ error: DAYS_MESSAGE }).check(z.regex(/^\s*\d{1,2}\s*$/, DAYS_MESSAGE)),
          z.transform((value) => Number(value)),
        )
        .check(z.refine((days) => days >= 1 && days <= MAX_PAUSE_DAYS, { error: DAYS_MESSAGE })),
    }),
    z.object({ action: z.literal('resume') }),
    z.object({ action: z.literal('restart') }),
  ],
  { error: 'Choose one of the actions on the page: update, pause, resume or restart.' },
);

/** Parses a manage form post, or throws ValidationError naming each bad field (the first problem of each). */
export function parseManageForm(contentType: string | undefined, body: string): ScheduleChange {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new ValidationError({ body: 'Send the form from the manage page.' });
  }
  const result = manageSchema.safeParse(Object.fromEntries(new URLSearchParams(body)));
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) fields[String(issue.path[0] ?? 'action')] ??= issue.message;
  throw new ValidationError(fields);
}

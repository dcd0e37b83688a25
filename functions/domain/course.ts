import * as z from 'zod/mini';

/** The kinds of email the course sends; `confirm` is the double opt-in request, not a course step. */
export type EmailKind = (typeof EMAIL_KINDS)[number];

const EMAIL_KINDS = ['confirm', 'welcome', 'lesson', 'checkin', 'followup'] as const;

const filled = (what: string) =>
  z.string({ error: `needs ${what} (text)` }).check(z.regex(/\S/, `needs ${what}, not blank`));
const kebabCase = z
  .string({ error: 'needs a key (text)' })
  .check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case, like "lesson-1"'));

const manifestEmailSchema = z.object({
  key: kebabCase,
  kind: z.enum(EMAIL_KINDS, { error: `must be one of ${EMAIL_KINDS.join(', ')}` }),
  /** Days after confirmation (course steps only). */
  day: z.optional(z.int({ error: 'must be a whole number of days' }).check(z.gte(0, 'must not be negative'))),
  /** Hours added to the subscriber's local send hour (the day-3 check-in comes half a day after lesson 3). */
  hourOffset: z.optional(
    z
      .int({ error: 'must be a whole number of hours' })
      .check(z.gte(0, 'must not be negative'), z.lt(24, 'must be under 24')),
  ),
  subject: filled('a subject'),
  preheader: filled('a preheader').check(
    z.minLength(40, 'must be at least 40 characters (inboxes show about that much)'),
    z.maxLength(110, 'must be at most 110 characters (inboxes cut the rest)'),
  ),
  title: z.optional(filled('a title')),
  action: z.optional(filled('an action')),
  layout: z.optional(kebabCase),
});

/** Who writes the course, as the signature of every email shows it. */
const coachSchema = z.object({
  name: filled('a name'),
  /** One line under the name: who this coach is. */
  description: filled('a one-line description'),
});

/** The coach when the manifest names none: a role, not an invented person. */
export const DEFAULT_COACH = {
  name: 'Your career coach',
  description: 'The coach who writes this course',
};

/** The manifest (`templates/course.json`): the whole course as an operator edits it. */
export const manifestSchema = z
  .object({
    title: filled('a title'),
    tagline: filled('a tagline'),
    coach: z._default(coachSchema, DEFAULT_COACH),
    emails: z.array(manifestEmailSchema, { error: 'needs a list of emails' }),
  })
  .check(
    z.superRefine((manifest, ctx) => {
      for (const problem of crossFieldProblems(manifest.emails))
        ctx.issues.push({ code: 'custom', input: manifest, ...problem });
    }),
  );

/** One email as the manifest describes it. */
export type ManifestEmail = z.infer<typeof manifestEmailSchema>;

/** The manifest, parsed: the coach filled in with the default when absent. */
export type CourseManifest = z.infer<typeof manifestSchema>;

/** The rules that span several fields or emails: one confirm, unique keys, course steps complete and in order. */
function crossFieldProblems(emails: ManifestEmail[]): { message: string; path: (string | number)[] }[] {
  const problems: { message: string; path: (string | number)[] }[] = [];
  const confirms = emails.filter((email) => email.kind === 'confirm').length;
  if (confirms !== 1)
    problems.push({
      path: ['emails'],
      message: `needs exactly one email of kind "confirm", found ${confirms}`,
    });
  if (!emails.some((email) => email.kind !== 'confirm'))
    problems.push({ path: ['emails'], message: 'the course has no steps' });
  const keys = new Set<string>();
  let last = -1;
  emails.forEach((email, index) => {
    if (keys.has(email.key))
      problems.push({ path: ['emails', index, 'key'], message: `"${email.key}" appears twice` });
    keys.add(email.key);
    if (email.kind === 'confirm') return;
    for (const field of ['day', 'title', 'action'] as const) {
      if (email[field] === undefined)
        problems.push({
          path: ['emails', index, field],
          message: `is required for an email of kind "${email.kind}"`,
        });
    }
    const at = (email.day ?? 0) * 24 + (email.hourOffset ?? 0);
    if (at < last)
      problems.push({
        path: ['emails', index, 'day'],
        message: `"${email.key}" is listed before an earlier one`,
      });
    last = Math.max(last, at);
  });
  return problems;
}

/** `emails[3].day` for the path of an issue. */
function fieldName(path: readonly PropertyKey[]): string {
  return (
    path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`))
      .join('') || '(the manifest)'
  );
}

/** Thrown for a manifest that breaks a rule; `problems` names each field, e.g. "emails[3].day: must be …". */
export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(`the course manifest has problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

/** Parses a manifest (already read as JSON); throws ManifestError naming every field that is wrong. */
export function parseManifest(json: unknown): CourseManifest {
  const result = z.safeParse(manifestSchema, json);
  if (result.success) return result.data;
  throw new ManifestError(result.error.issues.map((issue) => `${fieldName(issue.path)}: ${issue.message}`));
}

/** A course step: an email the dispatcher sends, in order. `index` is the subscriber's `step` value. */
export interface CourseStep {
  index: number;
  key: string;
  kind: Exclude<EmailKind, 'confirm'>;
  day: number;
  hourOffset: number;
  title: string;
  action: string;
}

/** A template split into literal text (even indices) and placeholder names (odd indices). */
export type TemplateParts = string[];

/** One email compiled at build time: every part is ready to fill, nothing is rendered at run time. */
export interface CompiledEmail {
  key: string;
  kind: EmailKind;
  subject: TemplateParts;
  html: TemplateParts;
  text: TemplateParts;
}

/** The build's output: the manifest, every email and every page, all precompiled. */
export interface CompiledTemplates {
  manifest: CourseManifest;
  emails: Record<string, CompiledEmail>;
  pages: Record<string, TemplateParts>;
}

/** The ordered course steps from a manifest (every email but the confirmation request). */
export function courseSteps(manifest: CourseManifest): CourseStep[] {
  return manifest.emails
    .filter((email) => email.kind !== 'confirm')
    .map((email, index) => ({
      index,
      key: email.key,
      kind: email.kind as CourseStep['kind'],
      day: email.day ?? 0,
      hourOffset: email.hourOffset ?? 0,
      title: email.title ?? email.subject,
      action: email.action ?? '',
    }));
}

/** The kinds of email the course sends; `confirm` is the double opt-in request, not a course step. */
export type EmailKind = 'confirm' | 'welcome' | 'lesson' | 'checkin' | 'followup';

/** One email as the manifest (`templates/course.json`) describes it. */
export interface ManifestEmail {
  key: string;
  kind: EmailKind;
  /** Days after confirmation (course steps only). */
  day?: number;
  /** Hours added to the subscriber's local send hour (the evening check-in uses 12). */
  hourOffset?: number;
  subject: string;
  preheader: string;
  title?: string;
  action?: string;
  layout?: string;
}

/** The manifest: the whole course as an operator edits it. */
export interface CourseManifest {
  title: string;
  tagline: string;
  emails: ManifestEmail[];
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

/** Checks what the code relies on in a manifest; returns one message per problem (empty when sound). */
export function manifestProblems(manifest: CourseManifest): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  const confirms = manifest.emails.filter((email) => email.kind === 'confirm');
  if (confirms.length !== 1)
    problems.push(`expected exactly one email of kind "confirm", found ${confirms.length}`);
  let lastDay = -1;
  let lastOffset = 0;
  for (const email of manifest.emails) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(email.key))
      problems.push(`email key "${email.key}" is not kebab-case`);
    if (keys.has(email.key)) problems.push(`email key "${email.key}" appears twice`);
    keys.add(email.key);
    if (!email.subject?.trim()) problems.push(`email "${email.key}" has no subject`);
    if (!email.preheader?.trim()) problems.push(`email "${email.key}" has no preheader`);
    if (email.kind === 'confirm') continue;
    if (!Number.isInteger(email.day) || (email.day ?? -1) < 0) {
      problems.push(`email "${email.key}" needs a whole, non-negative "day"`);
      continue;
    }
    const offset = email.hourOffset ?? 0;
    const day = email.day ?? 0;
    if (day * 24 + offset < lastDay * 24 + lastOffset)
      problems.push(`email "${email.key}" is listed before an earlier one`);
    lastDay = day;
    lastOffset = offset;
  }
  if (!manifest.emails.some((email) => email.kind !== 'confirm')) problems.push('the course has no steps');
  return problems;
}

/**
 * What the course says about itself, derived from its own text at build time so that it cannot drift:
 * how long each email takes to read, and the sample of the first lesson shown on the landing page.
 */

/**
 * Silent reading speed for English non-fiction used for every stated reading time. Studies put the adult
 * average at about 240 words a minute; 230 leans slightly slow, so no claim undersells the time needed.
 */
export const READING_WORDS_PER_MINUTE = 230;

/** Words in a text: runs of letters or digits, with inner apostrophes and hyphens ("don’t", "follow-up"). */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

/** What a reader of an email reads, for counting: its title, and its body text with today's action filled in. */
export function readerText(
  email: { title?: string | undefined; action?: string | undefined },
  body: string,
): string {
  return `${email.title ?? ''}\n${body.replace(/\{\{\s*action\s*\}\}/g, email.action ?? '')}`;
}

/** Whole minutes to read `words`, at least one. */
export function readingMinutes(words: number): number {
  return Math.max(1, Math.round(words / READING_WORDS_PER_MINUTE));
}

/** "about 2 minutes", or "1 to 2 minutes" for a range. */
export function minutesPhrase(minutes: number[]): string {
  const low = Math.min(...minutes);
  const high = Math.max(...minutes);
  const unit = (n: number) => (n === 1 ? 'minute' : 'minutes');
  return low === high ? `about ${low} ${unit(low)}` : `${low} to ${high} ${unit(high)}`;
}

/** The paragraphs of a plain-text email: blank-line separated, hard wraps joined into one line each. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter((p) => p.length > 0);
}

/** How many opening paragraphs of lesson 1 (after the greeting) the landing page shows. */
export const SAMPLE_PARAGRAPHS = 3;

/** The landing page's sample: the opening paragraphs of a lesson's text, after its greeting line. */
export function sampleOf(lessonText: string): string[] {
  const all = paragraphs(lessonText);
  const body = all[0]?.startsWith('Hi ') ? all.slice(1) : all;
  return body.slice(0, SAMPLE_PARAGRAPHS);
}

/** A reading time typed into a template ("a three-minute read") instead of computed, with its text. */
export function typedReadingTime(text: string): string | undefined {
  return text.match(/\b[\w-]+[- ]minutes?[- ](?:read\b|to read\b)/i)?.[0];
}

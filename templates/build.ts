/**
 * Compiles the course once, at build time: every MJML email (strictly validated) into HTML, every
 * plain-text email and every page into split templates, all written to `templates/dist/compiled.ts`
 * (gzipped JSON in a string: a quarter of a Lambda bundle would otherwise be repetitive email HTML).
 * Run-time code only fills placeholders; it never loads `mjml`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import mjml2html from 'mjml';
import { packTemplates } from '../functions/adapters/packed-templates';
import {
  type CompiledEmail,
  type CompiledTemplates,
  type CourseManifest,
  courseSteps,
  ManifestError,
  parseManifest,
} from '../functions/domain/course';
import { escapeHtml, splitPlaceholders } from '../functions/domain/render';
import { describeCheckins } from '../functions/domain/schedule';
import { DEFAULT_SEND_HOUR } from '../functions/domain/subscriber';
import { countWords, minutesPhrase, readerText, readingMinutes, sampleOf, typedReadingTime } from './reading';

const HERE = dirname(fileURLToPath(import.meta.url));
export const COMPILED_PATH = join(HERE, 'dist', 'compiled.ts');

/** Placeholders filled per subscriber at run time; any other `{{name}}` must be known at build time. */
export const RUNTIME_EMAIL_VALUES = [
  'firstName',
  'unsubscribeUrl',
  'manageUrl',
  'confirmUrl',
  'siteUrl',
  'postalAddress',
  'senderName',
] as const;

/** A problem in a template file, reported with the file and line so an operator can fix it. */
export class TemplateBuildError extends Error {
  constructor(readonly problems: string[]) {
    super(`template build failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TemplateBuildError';
  }
}

function substitute(template: string, values: Record<string, string>): string {
  return template.replace(
    /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g,
    (whole, name: string) => values[name] ?? whole,
  );
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Maps a line of the layout-with-body source back to the file it came from. */
function locate(line: number, layoutFile: string, layout: string, bodyFile: string, body: string): string {
  const slot = layout.indexOf('{{content}}');
  const slotLine = lineOf(layout, slot);
  const bodyLines = body.split('\n').length;
  if (line < slotLine) return `${layoutFile}:${line}`;
  if (line < slotLine + bodyLines) return `${bodyFile}:${line - slotLine + 1}`;
  return `${layoutFile}:${line - bodyLines + 1}`;
}

/** "Lesson 3 of 7", "Check-in · day 8": where an email sits in the course, shown above its title. */
function labelOf(manifest: CourseManifest, email: CourseManifest['emails'][number]): string {
  const lessons = manifest.emails.filter((e) => e.kind === 'lesson');
  if (email.kind === 'lesson') return `Lesson ${lessons.indexOf(email) + 1} of ${lessons.length}`;
  if (email.kind === 'checkin') return `Check-in · day ${email.day}`;
  if (email.kind === 'followup') return `Follow-up · day ${email.day}`;
  return 'Welcome';
}

/** The values an email's own manifest entry and the coach give it at build time. */
function emailValues(
  manifest: CourseManifest,
  email: CourseManifest['emails'][number],
): Record<string, string> {
  return {
    subject: email.subject,
    preheader: email.preheader,
    title: email.title ?? email.subject,
    action: email.action ?? '',
    day: String(email.day ?? 0),
    courseTitle: manifest.title,
    label: labelOf(manifest, email),
    coachName: manifest.coach.name,
    coachDescription: manifest.coach.description,
  };
}

async function compileEmail(
  root: string,
  manifest: CourseManifest,
  email: CourseManifest['emails'][number],
  courseValues: Record<string, string>,
  problems: string[],
): Promise<CompiledEmail | undefined> {
  const layoutName = email.layout ?? 'course';
  const layoutFile = join(root, 'layouts', `${layoutName}.mjml`);
  const bodyFile = join(root, 'emails', `${email.key}.mjml`);
  const [layout, body, layoutText, bodyText] = await Promise.all([
    readFile(layoutFile, 'utf8'),
    readFile(bodyFile, 'utf8'),
    readFile(join(root, 'layouts', `${layoutName}.txt`), 'utf8'),
    readFile(join(root, 'emails', `${email.key}.txt`), 'utf8'),
  ]);
  const staticValues = { ...emailValues(manifest, email), ...courseValues };
  const htmlStatic = Object.fromEntries(Object.entries(staticValues).map(([k, v]) => [k, escapeHtml(v)]));
  // Keep line numbers stable for error mapping: substitute the slot and static values without adding lines.
  const source = substitute(layout.replace('{{content}}', body), htmlStatic);
  let html: string;
  try {
    // `fonts: {}`: no web-font imports (MJML adds Google Fonts for "Roboto" in a font stack by default),
    // so opening an email makes no third-party request. Dropping indentation is safe: emails have no <pre>.
    const result = await mjml2html(source, { validationLevel: 'strict', filePath: bodyFile, fonts: {} });
    html = result.html.replace(/\n[ \t]+/g, '\n');
  } catch (error) {
    const errors = (error as { errors?: { line: number; message: string }[] }).errors;
    if (!errors) throw error;
    for (const e of errors) {
      problems.push(
        `${relative(process.cwd(), locate(e.line, layoutFile, layout, bodyFile, body))}: ${e.message}`,
      );
    }
    return undefined;
  }
  const text = substitute(layoutText.replace('{{content}}', bodyText.trim()), staticValues);
  const compiled: CompiledEmail = {
    key: email.key,
    kind: email.kind,
    subject: splitPlaceholders(email.subject),
    html: splitPlaceholders(html),
    text: splitPlaceholders(text),
  };
  const sources: [string, string[]][] = [
    [join(root, 'course.json'), compiled.subject],
    [bodyFile, compiled.html],
    [join(root, 'emails', `${email.key}.txt`), compiled.text],
  ];
  for (const [file, parts] of sources) {
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i] as string;
      if (!(RUNTIME_EMAIL_VALUES as readonly string[]).includes(name)) {
        problems.push(
          `${relative(process.cwd(), file)}: unknown placeholder {{${name}}} in email "${email.key}"`,
        );
      }
    }
  }
  return compiled;
}

/** The landing page syllabus, built from the manifest so the course is described in one place. */
function syllabusHtml(manifest: CourseManifest): string {
  return courseSteps(manifest)
    .filter((step) => step.kind === 'lesson')
    .map(
      (step) =>
        `<li><span class="day">Day ${step.day}</span> <strong>${escapeHtml(step.title)}</strong>` +
        `<span class="action">${escapeHtml(step.action)}</span></li>`,
    )
    .join('\n');
}

/** The hour menu; each option carries the check-in times for that hour, which the page shows when picked. */
function hourOptionsHtml(manifest: CourseManifest): string {
  const steps = courseSteps(manifest);
  return Array.from({ length: 24 }, (_, hour) => {
    const label = `${String(hour).padStart(2, '0')}:00`;
    const selected = hour === DEFAULT_SEND_HOUR ? ' selected' : '';
    const schedule = escapeHtml(describeCheckins(steps, hour));
    return `<option value="${hour}" data-checkins="${schedule}"${selected}>${label}</option>`;
  }).join('');
}

/** The first lesson's opening, as the landing page quotes it (the greeting's name left out). */
function sampleHtml(lessonText: string): string {
  return sampleOf(lessonText)
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('\n');
}

/** What the build knows about the course's own text: words per email, and the lesson 1 text. */
interface CourseText {
  words: Record<string, number>;
  firstLessonText: string;
}

/** Counts, times and the check-in sentence that emails and pages state, each derived, never typed. */
function derivedValues(manifest: CourseManifest, text: CourseText): Record<string, string> {
  const steps = courseSteps(manifest);
  const lessons = steps.filter((step) => step.kind === 'lesson');
  const lessonMinutes = lessons.map((step) => readingMinutes(text.words[step.key] ?? 0));
  return {
    lessonCount: String(lessons.length),
    lastDay: String(steps.at(-1)?.day ?? 0),
    laterEmailCount: String(steps.filter((step) => step.kind !== 'lesson' && step.kind !== 'welcome').length),
    lessonReadingTime: minutesPhrase(lessonMinutes),
    firstLessonReadingTime: minutesPhrase(lessonMinutes.slice(0, 1)),
    defaultCheckins: describeCheckins(steps, DEFAULT_SEND_HOUR),
  };
}

async function compilePages(
  root: string,
  manifest: CourseManifest,
  values: Record<string, string>,
  text: CourseText,
): Promise<Record<string, string[]>> {
  const layout = await readFile(join(root, 'pages', 'layout.html'), 'utf8');
  const names = (await readdir(join(root, 'pages'))).filter(
    (f) => f.endsWith('.html') && f !== 'layout.html',
  );
  const firstLesson = courseSteps(manifest).find((step) => step.kind === 'lesson');
  const buildValues = {
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeHtml(v)])),
    courseTitle: escapeHtml(manifest.title),
    tagline: escapeHtml(manifest.tagline),
    coachName: escapeHtml(manifest.coach.name),
    coachDescription: escapeHtml(manifest.coach.description),
    syllabus: syllabusHtml(manifest),
    hourOptions: hourOptionsHtml(manifest),
    sample: sampleHtml(text.firstLessonText),
    sampleAction: escapeHtml(firstLesson?.action ?? ''),
  };
  const pages: Record<string, string[]> = {};
  const assets = await fingerprintedAssets(root);
  for (const name of names) {
    const body = await readFile(join(root, 'pages', name), 'utf8');
    const html = Object.entries(assets).reduce(
      (page, [asset, fingerprinted]) => page.replaceAll(`/assets/${asset}`, `/assets/${fingerprinted.name}`),
      substitute(layout.replace('{{content}}', body), buildValues),
    );
    pages[name.replace(/\.html$/, '')] = splitPlaceholders(html);
  }
  for (const { name, content } of Object.values(assets)) pages[name] = [content];
  return pages;
}

/** The site's assets, the file `site.css` named `site.<first 10 hex of its sha256>.css`, and so on. */
const ASSET_FILES = ['site.css', 'browser-zone.js', 'signup.js', 'manage.js', 'console.css'] as const;

/**
 * Each asset under a name that changes whenever its content does, so browsers and the CDN may keep it
 * for a year: a new build references new names, and an old page still finds the files it names.
 */
async function fingerprintedAssets(root: string): Promise<Record<string, { name: string; content: string }>> {
  const assets: Record<string, { name: string; content: string }> = {};
  for (const asset of ASSET_FILES) {
    const content = await readFile(join(root, 'pages', asset), 'utf8').catch(() => undefined);
    if (content === undefined) continue;
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 10);
    assets[asset] = { name: asset.replace(/\.(\w+)$/, `.${hash}.$1`), content };
  }
  return assets;
}

/** The manifest, parsed; a broken one is a TemplateBuildError naming each field. */
async function readManifest(root: string): Promise<CourseManifest> {
  const file = relative(process.cwd(), join(root, 'course.json'));
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(root, 'course.json'), 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new TemplateBuildError([`${file}: not valid JSON (${error.message})`]);
    throw error;
  }
  try {
    return parseManifest(json);
  } catch (error) {
    if (error instanceof ManifestError)
      throw new TemplateBuildError(error.problems.map((p) => `${file}: ${p}`));
    throw error;
  }
}

/**
 * Reads every email's plain text once and counts what a reader reads: the title and the body with today's
 * action in it (not the shared footer). A missing file is reported by the compile step.
 */
async function readCourseText(root: string, manifest: CourseManifest): Promise<CourseText> {
  const words: Record<string, number> = {};
  let firstLessonText = '';
  for (const email of manifest.emails) {
    const body = await readFile(join(root, 'emails', `${email.key}.txt`), 'utf8').catch(() => '');
    words[email.key] = countWords(readerText(email, body));
    if (email.kind === 'lesson' && !firstLessonText) firstLessonText = body;
  }
  return { words, firstLessonText };
}

/** Every file that states something to readers, checked for a reading time typed in by hand. */
async function typedReadingTimes(root: string): Promise<string[]> {
  const problems: string[] = [];
  for (const folder of ['emails', 'layouts', 'pages']) {
    for (const name of await readdir(join(root, folder))) {
      const file = join(root, folder, name);
      const typed = typedReadingTime(await readFile(file, 'utf8'));
      if (typed)
        problems.push(
          `${relative(process.cwd(), file)}: "${typed}" is typed by hand; use {{lessonReadingTime}}, computed from the emails`,
        );
    }
  }
  return problems;
}

/** Reads and compiles every template under `root`; throws TemplateBuildError listing every problem. */
export async function buildTemplates(root = HERE): Promise<CompiledTemplates> {
  const manifest = await readManifest(root);
  const text = await readCourseText(root, manifest);
  const values = derivedValues(manifest, text);
  const problems = await typedReadingTimes(root);
  const emails: Record<string, CompiledEmail> = {};
  for (const email of manifest.emails) {
    const compiled = await compileEmail(root, manifest, email, values, problems).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        problems.push(
          `${relative(process.cwd(), error.path ?? '')}: missing (listed in course.json as "${email.key}")`,
        );
        return undefined;
      },
    );
    if (compiled) emails[email.key] = compiled;
  }
  if (problems.length > 0) throw new TemplateBuildError(problems);
  return { manifest, emails, pages: await compilePages(root, manifest, values, text) };
}

/**
 * Builds and writes `templates/dist/compiled.ts`, a module whose default export is the compiled
 * templates, packed so that each email or page is unpacked only when first read (see packed-templates.ts).
 */
export async function writeCompiledTemplates(root = HERE, out = COMPILED_PATH): Promise<CompiledTemplates> {
  const compiled = await buildTemplates(root);
  await mkdir(dirname(out), { recursive: true });
  // Written aside and renamed into place: a tool building beside a running stack (or a test) never
  // reads half a module.
  const partial = `${out}.${process.pid}.partial`;
  await writeFile(
    partial,
    `// Generated by templates/build.ts; do not edit.\n` +
      `import { unpackTemplates } from '../../functions/adapters/packed-templates';\n\n` +
      `export default unpackTemplates(${JSON.stringify(packTemplates(compiled))});\n`,
  );
  await rename(partial, out);
  return compiled;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeCompiledTemplates()
    .then((compiled) => {
      // On stderr: the tools that build first (`npm run stats -- --json`, say) keep stdout for their output.
      console.error(
        `templates: ${Object.keys(compiled.emails).length} emails, ${Object.keys(compiled.pages).length} pages`,
      );
    })
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(1);
    });
}

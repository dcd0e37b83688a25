import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTemplates, TemplateBuildError } from '../../templates/build';
import { countWords, READING_WORDS_PER_MINUTE } from '../../templates/reading';

/** Plain words of a text, lower-cased: tags and list numbers dropped, entities and quotes normalized. */
function wordsOf(text: string): string[] {
  return text
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/^\s*\d+\.\s/gm, ' ')
    .replace(/’/g, "'")
    .toLowerCase()
    .split(/[^a-z0-9'{}]+/)
    .filter((word) => /[a-z0-9]/.test(word));
}

/** The landing page as the build wrote it, as one string. */
function landingOf(compiled: Awaited<ReturnType<typeof buildTemplates>>): string {
  return compiled.pages.landing!.join('');
}

const COURSE_KINDS = ['welcome', 'lesson', 'checkin', 'followup'];

describe('the template build', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'templates-'));
    await cp('templates', dir, { recursive: true, filter: (src) => !src.includes('dist') });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function problems(): Promise<string[]> {
    try {
      await buildTemplates(dir);
    } catch (error) {
      if (error instanceof TemplateBuildError) return error.problems;
      throw error;
    }
    return [];
  }

  it('compiles every email of the manifest into HTML and text with only run-time placeholders left', async () => {
    const compiled = await buildTemplates(dir);
    const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8'));
    expect(Object.keys(compiled.emails)).toEqual(manifest.emails.map((e: { key: string }) => e.key));
    for (const email of Object.values(compiled.emails)) {
      expect(email.html.join('')).toContain('<!doctype html>');
      expect(email.text.join('').length).toBeGreaterThan(200);
    }
  });

  it('fails on invalid MJML, naming the email file and line', async () => {
    const file = join(dir, 'emails', 'lesson-2.mjml');
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.splice(2, 0, '<mj-bogus>nope</mj-bogus>');
    await writeFile(file, lines.join('\n'));
    const found = await problems();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/emails\/lesson-2\.mjml:3: .*mj-bogus/);
  });

  it('fails on an unknown placeholder, naming the file', async () => {
    const file = join(dir, 'emails', 'lesson-4.txt');
    await writeFile(file, `${await readFile(file, 'utf8')}\n{{shoeSize}}\n`);
    expect(await problems()).toEqual([
      expect.stringMatching(/emails\/lesson-4\.txt: unknown placeholder \{\{shoeSize\}\}/),
    ]);
  });

  it('fails when the manifest lists an email that has no file', async () => {
    await rm(join(dir, 'emails', 'lesson-5.txt'));
    expect(await problems()).toEqual([expect.stringMatching(/lesson-5\.txt: missing/)]);
  });

  it('fails on a manifest whose emails are out of order', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8'));
    manifest.emails.reverse();
    await writeFile(join(dir, 'course.json'), JSON.stringify(manifest));
    expect((await problems()).join('\n')).toMatch(/listed before an earlier one/);
  });

  describe('what the course states about itself', () => {
    /** Minutes to read a lesson, counted here independently of the build: words of its text part. */
    async function lessonMinutes(): Promise<number[]> {
      const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8'));
      const lessons = manifest.emails.filter((e: { kind: string }) => e.kind === 'lesson');
      const minutes: number[] = [];
      for (const { key, title, action } of lessons) {
        const body = await readFile(join(dir, 'emails', `${key}.txt`), 'utf8');
        // What a reader reads: the title and the body with today's action in it.
        const words = countWords(`${title} ${body.replace('{{action}}', action)}`);
        minutes.push(Math.max(1, Math.round(words / READING_WORDS_PER_MINUTE)));
      }
      return minutes;
    }
    const phrase = (minutes: number[]) => {
      const [low, high] = [Math.min(...minutes), Math.max(...minutes)];
      return low === high ? `about ${low} minute${low === 1 ? '' : 's'}` : `${low} to ${high} minutes`;
    };

    it('states the lessons’ reading time on the landing page and in the welcome as counted from their text', async () => {
      const compiled = await buildTemplates(dir);
      const stated = phrase(await lessonMinutes());
      expect(landingOf(compiled)).toContain(`Each takes ${stated} to read`);
      expect(compiled.emails.welcome!.text.join('').replace(/\s+/g, ' ')).toContain(
        `takes ${stated} to read`,
      );
      expect(compiled.emails.welcome!.html.join('').replace(/\s+/g, ' ')).toContain(
        `takes ${stated} to read`,
      );
    });

    it('states a longer reading time as soon as a lesson grows', async () => {
      const before = phrase(await lessonMinutes());
      const file = join(dir, 'emails', 'lesson-2.txt');
      await writeFile(
        file,
        `${await readFile(file, 'utf8')}\n${'More words for the reader here. '.repeat(200)}\n`,
      );
      const after = phrase(await lessonMinutes());
      expect(after).not.toBe(before);
      expect(landingOf(await buildTemplates(dir))).toContain(`Each takes ${after} to read`);
    });

    it('fails on a reading time typed into a template by hand', async () => {
      const file = join(dir, 'pages', 'landing.html');
      await writeFile(
        file,
        (await readFile(file, 'utf8')).replace('{{lessonReadingTime}} to read', 'a three-minute read'),
      );
      expect(await problems()).toEqual([
        expect.stringMatching(/pages\/landing\.html: "three-minute read" is typed by hand/),
      ]);
    });

    it('quotes the first lesson word for word in the landing page sample, in both of its parts', async () => {
      const compiled = await buildTemplates(dir);
      const quote = landingOf(compiled).match(/<blockquote>([\s\S]*?)<\/blockquote>/)![1]!;
      const paragraphs = [...quote.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => wordsOf(m[1]!).join(' '));
      expect(paragraphs.length).toBeGreaterThanOrEqual(2);
      const lesson = compiled.emails['lesson-1']!;
      for (const paragraph of paragraphs) {
        expect(wordsOf(lesson.text.join('')).join(' ')).toContain(paragraph);
        expect(wordsOf(lesson.html.join('')).join(' ')).toContain(paragraph);
      }
    });

    it('fails the sample check when lesson 1 changes: the sample follows it', async () => {
      const file = join(dir, 'emails', 'lesson-1.txt');
      const text = await readFile(file, 'utf8');
      await writeFile(
        file,
        text.replace('Hi {{firstName}},', 'Hi {{firstName}},\n\nA brand-new opening line.'),
      );
      expect(landingOf(await buildTemplates(dir))).toContain('<p>A brand-new opening line.</p>');
    });
  });

  describe('every course email', () => {
    it('says the same thing, word for word, in its HTML and its text part', async () => {
      const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8'));
      // The confirmation request is left out: its HTML has a button where its text has the bare link.
      for (const { key } of manifest.emails.filter((e: { kind: string }) => e.kind !== 'confirm')) {
        const html = wordsOf(await readFile(join(dir, 'emails', `${key}.mjml`), 'utf8'));
        const text = wordsOf(await readFile(join(dir, 'emails', `${key}.txt`), 'utf8'));
        expect(html, key).toEqual(text);
      }
    });

    it('has exactly one reply prompt, and the 24-hour promise once, from the layout', async () => {
      const compiled = await buildTemplates(dir);
      for (const email of Object.values(compiled.emails)) {
        if (!COURSE_KINDS.includes(email.kind)) continue;
        const source = await readFile(join(dir, 'emails', `${email.key}.mjml`), 'utf8');
        expect(source.match(/class="reply-prompt"/g), email.key).toHaveLength(1);
        expect(email.html.join('').match(/24 hours/g), email.key).toHaveLength(1);
        expect(email.text.join('').match(/24 hours/g), email.key).toHaveLength(1);
      }
    });

    it('is signed by the coach the manifest names, and by a role when it names none', async () => {
      const withCoach = await buildTemplates(dir);
      expect(withCoach.emails['lesson-1']!.text.join('')).toContain(withCoach.manifest.coach.name);
      const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8'));
      delete manifest.coach;
      await writeFile(join(dir, 'course.json'), JSON.stringify(manifest));
      const compiled = await buildTemplates(dir);
      expect(compiled.manifest.coach.name).toBe('Your career coach');
      expect(compiled.emails['lesson-1']!.text.join('')).toContain('Your career coach');
    });

    it('is written in American English', async () => {
      const british =
        /\b(?:\w*(?:organis|realis|recognis|apologis|prioritis|minimis|maximis|personalis|normalis)\w*|colour\w*|favour\w*|behaviour\w*|centre|CV|judgement|whilst|programme|travelled|cancelled|labelled)\b/gi;
      for (const folder of ['emails', 'layouts', 'pages']) {
        for (const name of await readdir(join(dir, folder))) {
          const text = await readFile(join(dir, folder, name), 'utf8');
          const found = [...text.matchAll(british)].map((m) => m[0]);
          expect(found, `${folder}/${name}`).toEqual([]);
        }
      }
    });
  });

  describe('the manifest', () => {
    async function withManifest(
      change: (manifest: { emails: Record<string, unknown>[] } & Record<string, unknown>) => void,
    ) {
      const manifest = JSON.parse(await readFile(join('templates', 'course.json'), 'utf8'));
      change(manifest);
      await writeFile(join(dir, 'course.json'), JSON.stringify(manifest));
      return problems();
    }

    it('rejects a bad value with an error naming the field', async () => {
      expect(
        await withManifest((m) => {
          m.emails[3]!.day = -1.5;
        }),
      ).toEqual([expect.stringMatching(/course\.json: emails\[3\]\.day: must be a whole number of days/)]);
      expect(
        await withManifest((m) => {
          m.emails[2]!.kind = 'lessen';
        }),
      ).toEqual([
        expect.stringMatching(
          /course\.json: emails\[2\]\.kind: must be one of confirm, welcome, lesson, checkin, followup/,
        ),
      ]);
    });

    it('rejects a coach without a name', async () => {
      const found = await withManifest((m) => {
        m.coach = { description: 'Someone' };
      });
      expect(found).toEqual([expect.stringMatching(/course\.json: coach\.name: needs a name/)]);
    });

    it('rejects a course email without the fields it needs', async () => {
      const found = await withManifest((m) => {
        delete m.emails[4]!.action;
      });
      expect(found).toEqual([
        expect.stringMatching(/course\.json: emails\[4\]\.action: is required for an email of kind "lesson"/),
      ]);
    });

    it('rejects a preheader an inbox would cut, and a key used twice', async () => {
      const found = await withManifest((m) => {
        m.emails[1]!.preheader = 'x'.repeat(120);
        m.emails[2]!.key = m.emails[1]!.key;
      });
      expect(found).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/emails\[1\]\.preheader: must be at most 110 characters/),
          expect.stringMatching(/emails\[2\]\.key: "welcome" appears twice/),
        ]),
      );
    });
  });
});

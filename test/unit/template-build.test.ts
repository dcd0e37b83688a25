import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTemplates, TemplateBuildError } from '../../templates/build';

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
});

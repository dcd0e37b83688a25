/**
 * How the compiled course travels inside a Lambda bundle. About 330 KB of HTML would otherwise be source
 * text that every cold start reads and parses; unpacking all of it at start took about 13 ms. Instead,
 * each email and page is deflated on its own against a shared dictionary (one compiled email, since they
 * all share the layout), and only unpacked the first time it is read: a signup unpacks the confirmation
 * email and nothing else.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CompiledEmail, CompiledTemplates, CourseManifest, TemplateParts } from '../domain/course';

/** The compiled course, each part deflated and base64-encoded. */
export interface PackedTemplates {
  manifest: CourseManifest;
  /** Deflated (without a dictionary) JSON that every other part was deflated against. */
  dictionary: string;
  emails: Record<string, string>;
  pages: Record<string, string>;
}

type Inflate = (data: Buffer, options: { dictionary?: Buffer }) => Buffer;

/** Packs compiled templates; the dictionary is the JSON of the first course email (or of the first email). */
export function packTemplates(compiled: CompiledTemplates): PackedTemplates {
  const sample = Object.values(compiled.emails).find((email) => email.kind !== 'confirm');
  const dictionary = Buffer.from(JSON.stringify(sample ?? Object.values(compiled.emails)[0] ?? {}));
  const pack = (value: unknown) =>
    deflateRawSync(JSON.stringify(value), { level: 9, dictionary }).toString('base64');
  const packAll = <T>(parts: Record<string, T>) =>
    Object.fromEntries(Object.entries(parts).map(([key, value]) => [key, pack(value)]));
  return {
    manifest: compiled.manifest,
    dictionary: deflateRawSync(dictionary, { level: 9 }).toString('base64'),
    emails: packAll(compiled.emails),
    pages: packAll(compiled.pages),
  };
}

/** Compiled templates whose emails and pages are unpacked on first read and then kept. */
export function unpackTemplates(
  packed: PackedTemplates,
  inflate: Inflate = inflateRawSync,
): CompiledTemplates {
  let dictionary: Buffer | undefined;
  const unpack = (data: string) => {
    dictionary ??= inflate(Buffer.from(packed.dictionary, 'base64'), {});
    return JSON.parse(inflate(Buffer.from(data, 'base64'), { dictionary }).toString('utf8'));
  };
  const lazily = <T>(parts: Record<string, string>): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const [key, data] of Object.entries(parts)) {
      let value: T | undefined;
      Object.defineProperty(out, key, {
        enumerable: true,
        get: () => {
          value ??= unpack(data) as T;
          return value;
        },
      });
    }
    return out;
  };
  return {
    manifest: packed.manifest,
    emails: lazily<CompiledEmail>(packed.emails),
    pages: lazily<TemplateParts>(packed.pages),
  };
}

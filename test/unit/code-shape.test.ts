/**
 * The shape rules a newcomer relies on: functions fit on a screen, imports run one way without cycles,
 * and nothing in the repo sends a reader to documents outside it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(ROOT, path)).isDirectory()) return name === 'dist' ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every function-like node in a file with its line count (a class counts its methods, not itself). */
function functionLengths(file: string): { name: string; lines: number }[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name =
        node.name?.getText() ?? (ts.isConstructorDeclaration(node) ? 'constructor' : '(anonymous)');
      found.push({ name: `${file}:${start + 1} ${name}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Relative imports of a file, resolved to repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)].map((m) => m[1] ?? '');
  return specs.map((spec) => {
    const base = relative(ROOT, resolve(join(ROOT, dirname(file)), spec));
    for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
      try {
        if (statSync(join(ROOT, candidate)).isFile()) return candidate;
      } catch {}
    }
    return base;
  });
}

function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const walk = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...path.slice(path.indexOf(file)), file]);
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) if (graph.has(next)) walk(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) walk(file, []);
  return found;
}

describe('the shape of the code', () => {
  it.each([
    ['functions', 60],
    ['infra', 80],
  ])('has no function in %s/ longer than %i lines', (folder, limit) => {
    const long = sourceFiles(folder)
      .flatMap(functionLengths)
      .filter((fn) => fn.lines > limit)
      .map((fn) => `${fn.name} (${fn.lines} lines)`);
    expect(long).toEqual([]);
  });

  it('has no import cycle in functions/ or infra/', () => {
    expect(cycles([...sourceFiles('functions'), ...sourceFiles('infra')])).toEqual([]);
  });

  it('keeps functions/domain/ free of SDKs, Hono, process.env and Date.now()', () => {
    const offending = sourceFiles('functions/domain').filter((file) =>
      /from '@aws-sdk|from 'hono|process\.env|Date\.now\(\)/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offending).toEqual([]);
  });

  it('never points a reader at documents outside the repo', () => {
    const files = [...sourceFiles('functions'), ...sourceFiles('infra'), ...sourceFiles('test'), 'README.md'];
    const pointing = files.filter((file) =>
      /DESIGN\.md|\.\.\/shared\//.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(pointing.filter((file) => file !== 'test/unit/code-shape.test.ts')).toEqual([]);
  });
});

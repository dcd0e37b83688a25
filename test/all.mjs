/**
 * `npm test` after the template build: the type-check (tsc) and the lint (biome) run beside every test
 * suite (vitest) instead of before them. The suites spend a quarter of their time waiting on sockets,
 * stand-ins and Chromium, so the checks, started at a lower CPU priority, fill those gaps. Their output
 * is printed after the suites', and the run fails if any of the three fails. Arguments go to vitest.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

/** Runs a command to its end; `quiet` keeps its output for later instead of streaming it. */
function run(command, args, { quiet = false, nice = 0 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (nice) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // Not allowed here: it still runs, at the same priority.
      }
    }
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const checks = [
  ['type-check (tsc -p tsconfig.json)', run(bin('tsc'), ['-p', 'tsconfig.json'], { quiet: true, nice: 10 })],
  ['lint (biome check .)', run(bin('biome'), ['check', '.'], { quiet: true, nice: 10 })],
];
const suites = await run(bin('vitest'), ['run', ...process.argv.slice(2)]);

let failed = suites.code !== 0;
for (const [name, pending] of checks) {
  const { code, output } = await pending;
  console.log(`\n${code === 0 ? 'passed' : 'FAILED'}: ${name}`);
  if (code !== 0 || output.trim()) console.log(output.trimEnd());
  failed ||= code !== 0;
}
process.exit(failed ? 1 : 0);

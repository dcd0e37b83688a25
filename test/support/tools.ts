/** Runs the project's command-line tools from tests, as `npm run <tool>` runs them, without blocking this process. */
import { execFile } from 'node:child_process';

/** What a finished tool printed, and its exit status. */
export interface ToolRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `file` (a TypeScript entry point, relative to the repo's root) with `args` under Node and tsx, the
 * way the npm scripts do, with `env` added to this process's environment. Node is started directly
 * (`--import tsx`), not through npx: half a second less per run, the same code path.
 */
export function runTool(file: string, args: string[], env: Record<string, string> = {}): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', file, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

import type { Log } from '../../functions/app/deps';

/** Log lines captured in memory, so tests can read (and check) what would be logged. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, data?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${data ? JSON.stringify(data) : ''}`);
  };
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

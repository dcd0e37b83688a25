import type { Log } from '../app/deps';

type Level = 'info' | 'warn' | 'error';
const RANK: Record<Level | 'silent', number> = { info: 1, warn: 2, error: 3, silent: 4 };

/** Where a log line goes: stdout for info, stderr for warnings and errors (both reach CloudWatch Logs). */
export type LogSink = (line: string, level: Level) => void;

const standardStreams: LogSink = (line, level) =>
  (level === 'info' ? process.stdout : process.stderr).write(line);

/**
 * `Log` as one JSON object per line, the shape CloudWatch Logs Insights reads without a parse step:
 * `{"level","message","service","timestamp",...data}`. Written straight to the process's streams, which
 * Lambda forwards as they are; its patched `console` would put a text prefix in front of the JSON.
 * `LOG_LEVEL` (`info`, `warn`, `error` or `silent`) sets the least severe level written. Callers pass
 * ids and outcomes, never addresses or message bodies; an `Error` in the data is reduced to its name,
 * because messages of SDK errors can quote the request.
 */
export function jsonLog(service: string, options: { level?: string | undefined; sink?: LogSink } = {}): Log {
  const requested = (options.level ?? process.env.LOG_LEVEL ?? 'info').toLowerCase();
  const least = requested in RANK ? RANK[requested as Level] : RANK.info;
  const sink = options.sink ?? standardStreams;
  const write = (level: Level, message: string, data: Record<string, unknown> | undefined) => {
    if (RANK[level] < least) return;
    const entry: Record<string, unknown> = { level, message, service, timestamp: new Date().toISOString() };
    for (const [key, value] of Object.entries(data ?? {})) {
      if (!(key in entry)) entry[key] = value instanceof Error ? value.name : value;
    }
    sink(`${JSON.stringify(entry)}\n`, level);
  };
  return {
    info: (message, data) => write('info', message, data),
    warn: (message, data) => write('warn', message, data),
    error: (message, data) => write('error', message, data),
  };
}

import { describe, expect, it } from 'vitest';
import { jsonLog } from '../../functions/adapters/json-log';

function captured(level?: string) {
  const lines: { line: string; level: string }[] = [];
  const log = jsonLog('api', { level, sink: (line, at) => lines.push({ line, level: at }) });
  return { log, lines };
}

describe('the Lambda JSON logger', () => {
  it('writes one JSON object per line with level, message, service, time and the data', () => {
    const { log, lines } = captured();
    log.info('email sent', { subscriberId: 's1', step: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.line.endsWith('\n')).toBe(true);
    expect(lines[0]!.line.trim().split('\n')).toHaveLength(1);
    const entry = JSON.parse(lines[0]!.line);
    expect(entry).toMatchObject({
      level: 'info',
      message: 'email sent',
      service: 'api',
      subscriberId: 's1',
      step: 3,
    });
    expect(Number.isNaN(Date.parse(entry.timestamp))).toBe(false);
  });

  it('sends warnings and errors to the error stream and info to the output stream', () => {
    const { log, lines } = captured();
    log.info('a');
    log.warn('b');
    log.error('c');
    expect(lines.map((l) => l.level)).toEqual(['info', 'warn', 'error']);
  });

  it('drops entries below LOG_LEVEL, and writes nothing when silent', () => {
    const warnOnly = captured('warn');
    warnOnly.log.info('quiet');
    warnOnly.log.error('loud');
    expect(warnOnly.lines.map((l) => JSON.parse(l.line).message)).toEqual(['loud']);
    const silent = captured('silent');
    silent.log.error('nothing');
    expect(silent.lines).toHaveLength(0);
  });

  it('logs an Error by its name only, since SDK error messages can quote the request', () => {
    const { log, lines } = captured();
    const error = new Error('could not send to someone@example.com');
    error.name = 'MessageRejected';
    log.error('delivery failed', { error });
    expect(lines[0]!.line).not.toContain('someone@example.com');
    expect(JSON.parse(lines[0]!.line).error).toBe('MessageRejected');
  });

  it('does not let data overwrite the level, message or service', () => {
    const { log, lines } = captured();
    log.warn('real', { level: 'info', message: 'fake', service: 'other' });
    expect(JSON.parse(lines[0]!.line)).toMatchObject({ level: 'warn', message: 'real', service: 'api' });
  });
});

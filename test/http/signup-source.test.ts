/** Where a signup came from (`source`, from the landing page's `utm_source` / `ref`), through the signup API. */
import { describe, expect, it } from 'vitest';
import { readFigures } from '../../functions/app/insights';
import { fromClient, testApp } from '../support/app';
import { memoryDeps } from '../support/memory/deps';

const signup = (body: Record<string, unknown>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
  body: JSON.stringify({ firstName: 'Ama', timeZone: 'Africa/Accra', ...body }),
});

describe('signup source', () => {
  it('keeps a clean source with the signup and counts the signup under it; none when absent', async () => {
    const m = memoryDeps();
    const app = testApp(m.deps);
    expect(
      (
        await app.request(
          '/api/subscribe',
          signup({ email: 'a@example.com', source: 'newsletter' }),
          fromClient('192.0.2.1'),
        )
      ).status,
    ).toBe(202);
    expect(
      (
        await app.request(
          '/api/subscribe',
          signup({ email: 'b@example.com', source: '' }),
          fromClient('192.0.2.1'),
        )
      ).status,
    ).toBe(202);
    expect(await m.store.findByEmail('a@example.com')).toMatchObject({ source: 'newsletter' });
    expect((await m.store.findByEmail('b@example.com'))?.source).toBeUndefined();
    expect((await readFigures(m.deps)).sources).toEqual([
      { source: 'newsletter', signups: 1 },
      { source: 'none', signups: 1 },
    ]);
  });

  it('refuses a source the landing page would never send, naming the field, and stores nothing', async () => {
    const m = memoryDeps();
    const app = testApp(m.deps);
    const response = await app.request(
      '/api/subscribe',
      signup({ email: 'c@example.com', source: '<script>' }),
      fromClient('192.0.2.1'),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      fields: { source: 'Use lower-case letters, digits, dots, dashes and underscores only.' },
    });
    expect(await m.store.findByEmail('c@example.com')).toBeUndefined();
    expect(m.stats.facts.size).toBe(0);
  });
});

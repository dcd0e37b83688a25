import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import * as z from 'zod/mini';
import type { Deps } from '../app/deps';
import type { TravelClock } from './clock';
import { createEmailPreview } from './email-preview';
import { travel } from './time-travel';

const clockBody = z.object({
  advanceHours: z
    .number()
    .check(z.gt(0, 'advanceHours must be more than 0'), z.lte(24 * 60, 'advanceHours must be at most 1440')),
});

/** Routes that exist only on the local stack (mounted at `/_dev`): time travel and email previews. */
export function createDevRoutes(
  deps: Deps,
  clock: TravelClock,
  afterDispatch: () => Promise<unknown> = async () => {},
): Hono {
  const dev = new Hono();
  // Previews show compiled emails, whose inline styles the site's strict policy would block.
  dev.use('*', secureHeaders({ referrerPolicy: 'no-referrer', xFrameOptions: 'SAMEORIGIN' }));

  dev.get('/clock', (c) => c.json({ now: clock.now().toISOString() }));

  dev.post('/clock', async (c) => {
    // JSON only, and never from a page: a form or a plain fetch from any site a developer visits could
    // otherwise move their clock (a JSON post from another origin needs a preflight, which is refused).
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    const site = c.req.header('sec-fetch-site');
    if (type !== 'application/json' || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
      return c.json(
        {
          error: 'unsupported_media_type',
          message: 'Send JSON like {"advanceHours": 24}, from this machine.',
        },
        415,
      );
    }
    const body = await c.req.json().catch(() => undefined);
    const parsed = clockBody.safeParse(body);
    if (!parsed.success) {
      return c.json(
        {
          error: 'validation_failed',
          message: 'Send JSON like {"advanceHours": 24}.',
          fields: { advanceHours: parsed.error.issues[0]?.message ?? 'required' },
        },
        400,
      );
    }
    return c.json(await travel(deps, clock, parsed.data.advanceHours, afterDispatch));
  });

  dev.route('/emails', createEmailPreview(deps));

  return dev;
}

/** The production HTTP app for in-process tests (`app.request()`), with the client's address in `env.ip`. */
import type { Hono } from 'hono';
import type { Deps } from '../../functions/app/deps';
import { createApp } from '../../functions/http/app';

/** The app as Lambda builds it; a request's client address is the `ip` of the env passed to `app.request()`. */
export function testApp(deps: Deps, signupFloorMs = 0): Hono {
  return createApp(deps, {
    signupFloorMs,
    clientAddress: (c) => (c.env as { ip?: string } | undefined)?.ip,
  });
}

/** The env of a request from `ip`. */
export const fromClient = (ip: string | undefined) => ({ ip });

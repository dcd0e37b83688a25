/** The links in emails: confirm an address, unsubscribe. */
import { Hono } from 'hono';
import { manageUrl, unsubscribeUrl } from '../app/compose-email';
import { confirm } from '../app/confirm';
import type { Deps } from '../app/deps';
import { isValidUnsubscribeToken, unsubscribe } from '../app/unsubscribe';
import { InvalidTokenError } from '../domain/errors';
import { limitBody } from './middleware';
import { sendPage } from './pages';
import { tokenParam } from './schemas';

/** `GET /confirm`, `GET /unsubscribe` (a page with one button) and `POST /unsubscribe` (one click). */
export function linkRoutes(deps: Deps): Hono {
  return new Hono()
    .get('/confirm', async (c) => {
      const token = tokenParam(c.req.query('token'));
      try {
        if (!token) throw new InvalidTokenError('malformed');
        const outcome = await confirm(deps, token);
        if (outcome.kind === 'stopped') return sendPage(c, deps, 'unsubscribed');
        const now = deps.clock.now();
        return sendPage(c, deps, outcome.kind, 200, {
          firstName: outcome.subscriber.firstName,
          firstLessonAt: outcome.firstLessonAt ?? 'tomorrow morning',
          timeZone: outcome.subscriber.timeZone,
          checkinTimes: outcome.checkinTimes,
          manageUrl: manageUrl(deps, outcome.subscriber.id, now),
          unsubscribeUrl: unsubscribeUrl(deps, outcome.subscriber.id, now),
        });
      } catch (error) {
        if (error instanceof InvalidTokenError) return sendPage(c, deps, 'link-invalid', 400);
        throw error;
      }
    })
    .get('/unsubscribe', (c) => {
      const token = tokenParam(c.req.query('token'));
      // Never unsubscribes: mail scanners prefetch links. An invalid token gets the same page.
      return sendPage(c, deps, 'unsubscribe', 200, {
        token: token && isValidUnsubscribeToken(deps, token) ? token : '',
      });
    })
    .post(
      '/unsubscribe',
      limitBody((c) => sendPage(c, deps, 'unsubscribed')),
      async (c) => {
        const token = tokenParam(c.req.query('token'));
        try {
          if (token) await unsubscribe(deps, token);
        } catch (error) {
          if (!(error instanceof InvalidTokenError)) throw error;
        }
        return sendPage(c, deps, 'unsubscribed');
      },
    );
}

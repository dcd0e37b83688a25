/** Saved replies (`/console/replies`): list, create (also from an answer), edit, delete. */
import { type Context, Hono } from 'hono';
import { saveReply } from '../app/console/saved-replies';
import type { Deps } from '../app/deps';
import { REPLY_FIELD_NAMES } from '../domain/console';
import type { SavedReply } from '../domain/console-records';
import { staffName } from '../domain/staff';
import type { ConsoleEnv } from './console-auth';
import { formFields } from './console-form';
import { consolePage, h, type Safe } from './console-layout';

function replyForm(action: string, reply: Partial<SavedReply>, button: string, idPrefix: string): Safe {
  return h`<form class="stack" method="post" action="${action}">
<label for="${idPrefix}-title">Title</label><input id="${idPrefix}-title" name="title" maxlength="100" value="${reply.title ?? ''}" required>
<label for="${idPrefix}-body">Text</label><textarea id="${idPrefix}-body" name="body" rows="8" maxlength="20000" required>${reply.body ?? ''}</textarea>
<button type="submit">${button}</button></form>`;
}

function replyItem(reply: SavedReply): Safe {
  return h`<li id="reply-${reply.id}"><details><summary>${reply.title}</summary>
<p class="meta">Last changed by ${staffName(reply.updatedBy)}, ${reply.updatedAt.slice(0, 10)}</p>
${replyForm(`/console/replies/${reply.id}`, reply, 'Save changes', `edit-${reply.id}`)}
<form method="post" action="/console/replies/${reply.id}/delete"><button type="submit" class="danger">Delete “${reply.title}”</button></form>
</details></li>`;
}

async function repliesPage(c: Context<ConsoleEnv>, deps: Deps, notice?: Safe, status: 200 | 400 = 200) {
  const replies = await deps.console.listSavedReplies();
  const fields = REPLY_FIELD_NAMES.map((name) => h`<code>{{${name}}}</code>`);
  return consolePage(c, {
    title: 'Saved replies',
    staff: c.get('staff'),
    status,
    body: h`<h1>Saved replies</h1>${notice ?? ''}
<p class="hint">Fields filled in from the question: ${fields.map((f, i) => h`${i > 0 ? ', ' : ''}${f}`)}. Mark what must be written for each person with <code>[[fill in]]</code>: an answer with a marker left in it is not sent.</p>
${replies.length > 0 ? h`<ul class="replies">${replies.map(replyItem)}</ul>` : h`<p>None yet.</p>`}
<h2>New saved reply</h2>${replyForm('/console/replies', {}, 'Save reply', 'new')}`,
  });
}

const problem = (text: string) => h`<p class="notice" role="alert">${text}</p>`;
const SAVED = h`<p class="notice success" role="status">Saved.</p>`;
const DELETED = h`<p class="notice success" role="status">Deleted.</p>`;

/** The saved replies' routes. */
export function savedReplyRoutes(deps: Deps): Hono<ConsoleEnv> {
  const save = async (c: Context<ConsoleEnv>, id: string | undefined, textField: 'body' | 'answer') => {
    const fields = await formFields(c);
    const result = await saveReply(deps, {
      id,
      title: fields.title ?? '',
      body: fields[textField] ?? '',
      author: c.get('staff').email,
    });
    if ('problem' in result) return repliesPage(c, deps, problem(result.problem), 400);
    return c.redirect(`/console/replies?done=saved#reply-${result.saved.id}`, 303);
  };
  return new Hono<ConsoleEnv>()
    .get('/', (c) => {
      const done = c.req.query('done');
      return repliesPage(c, deps, done === 'saved' ? SAVED : done === 'deleted' ? DELETED : undefined);
    })
    .post('/', (c) => save(c, undefined, 'body'))
    .post('/from-answer', (c) => save(c, undefined, 'answer'))
    .post('/:id', (c) => save(c, c.req.param('id'), 'body'))
    .post('/:id/delete', async (c) => {
      await deps.console.deleteSavedReply(c.req.param('id'));
      return c.redirect('/console/replies?done=deleted', 303);
    });
}

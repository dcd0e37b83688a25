/** Saved replies: reusable answers, shared by every expert. */
import type { SavedReply } from '../../domain/console-records';
import type { Deps } from '../deps';

const MAX_TITLE = 100;
const MAX_BODY = 20_000;

/** Saves a new reply, or replaces the one with `id`; a problem (empty or too long) is named, nothing is saved. */
export async function saveReply(
  deps: Deps,
  input: { id?: string | undefined; title: string; body: string; author: string },
): Promise<{ saved: SavedReply } | { problem: string }> {
  const body = input.body.replace(/\r\n/g, '\n').trim();
  const title = (input.title.trim() || body.split('\n')[0] || '').slice(0, MAX_TITLE).trim();
  if (body === '') return { problem: 'A saved reply needs some text.' };
  if (body.length > MAX_BODY) return { problem: `A saved reply may be at most ${MAX_BODY} characters.` };
  if (input.id && !(await deps.console.listSavedReplies()).some((r) => r.id === input.id)) {
    return { problem: 'That saved reply was deleted.' };
  }
  const saved: SavedReply = {
    id: input.id ?? deps.newId(),
    title,
    body,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: input.author,
  };
  await deps.console.putSavedReply(saved);
  return { saved };
}

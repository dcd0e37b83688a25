/** What every `ConsoleStore` promises, whatever keeps the data. */
import { describe, expect, it } from 'vitest';
import { at, type MakePorts, question, winners } from './ports';

function linksAndSessions(make: MakePorts): void {
  it('lets a sign-in link be used exactly once, by one of several racing uses', async () => {
    const store = (await make()).console;
    await store.saveSignInLink('link1', 'expert@example.com', at(15));
    const uses = await Promise.all([1, 2, 3].map(() => store.useSignInLink('link1', at(1))));
    expect(uses.filter((email) => email === 'expert@example.com')).toHaveLength(1);
    expect(uses.filter((email) => email === undefined)).toHaveLength(2);
    expect(await store.useSignInLink('link1', at(2))).toBeUndefined();
  });

  it('refuses a sign-in link once it has expired, and one it never saved', async () => {
    const store = (await make()).console;
    await store.saveSignInLink('link1', 'expert@example.com', at(15));
    expect(await store.useSignInLink('link1', at(15))).toBeUndefined();
    expect(await store.useSignInLink('unknown', at(1))).toBeUndefined();
  });

  it('keeps a session until it expires or ends', async () => {
    const store = (await make()).console;
    const session = { id: 's1', email: 'expert@example.com', expiresAt: at(720) };
    await store.saveSession(session);
    expect(await store.getSession('s1', at(719))).toEqual(session);
    expect(await store.getSession('s1', at(720))).toBeUndefined();
    await store.endSession('s1');
    expect(await store.getSession('s1', at(1))).toBeUndefined();
  });

  it('hands out each turn of the rotation once, racing callers included', async () => {
    const store = (await make()).console;
    const turns = await Promise.all([1, 2, 3, 4].map(() => store.nextTurn()));
    expect(turns.sort()).toEqual([1, 2, 3, 4]);
  });
}

function notesRepliesRaw(make: MakePorts): void {
  it("keeps a question's notes, oldest first, apart from other questions' notes", async () => {
    const store = (await make()).console;
    const q1 = question('ann', 'm1').id;
    const q2 = question('ann', 'm2').id;
    const note = (id: string, questionId: string, minutes: number) => ({
      id,
      questionId,
      at: at(minutes),
      author: 'expert@example.com',
      kind: 'note' as const,
      text: `note ${id}`,
    });
    await store.addNote(note('b', q1, 5));
    await store.addNote(note('a', q1, 1));
    await store.addNote(note('c', q2, 2));
    expect((await store.listNotes(q1)).map((n) => n.id)).toEqual(['a', 'b']);
    expect(await store.listNotes(q2)).toEqual([note('c', q2, 2)]);
  });

  it('creates, replaces and deletes saved replies, listed by title', async () => {
    const store = (await make()).console;
    const reply = (id: string, title: string) => ({
      id,
      title,
      body: `Hi {{firstName}}, ${title}`,
      updatedAt: at(0),
      updatedBy: 'expert@example.com',
    });
    await store.putSavedReply(reply('r1', 'Waiting'));
    await store.putSavedReply(reply('r2', 'Ghosted'));
    await store.putSavedReply({ ...reply('r1', 'After a week'), updatedBy: 'expert2@example.com' });
    expect((await store.listSavedReplies()).map((r) => [r.id, r.title, r.updatedBy])).toEqual([
      ['r1', 'After a week', 'expert2@example.com'],
      ['r2', 'Ghosted', 'expert@example.com'],
    ]);
    expect(await winners([store.deleteSavedReply('r2'), store.deleteSavedReply('r2')], true)).toBe(1);
    expect((await store.listSavedReplies()).map((r) => r.id)).toEqual(['r1']);
  });

  it('keeps the raw message of a question', async () => {
    const store = (await make()).console;
    const id = question('ann', 'm1').id;
    expect(await store.getRawMessage(id)).toBeUndefined();
    await store.keepRawMessage(id, 'From: a@example.com\r\n\r\nHello');
    expect(await store.getRawMessage(id)).toBe('From: a@example.com\r\n\r\nHello');
  });
}

/** The console store's contract. */
export function consoleStoreContract(make: MakePorts): void {
  describe('sign-in links, sessions, the rotation', () => linksAndSessions(make));
  describe('notes, saved replies, raw messages', () => notesRepliesRaw(make));
}

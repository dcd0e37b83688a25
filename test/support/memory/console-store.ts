/**
 * An in-memory `ConsoleStore` with the DynamoDB store's semantics (test/contract proves it). Every
 * method changes state before its first `await`, so racing calls are applied one after the other.
 */
import { MAX_RAW_CHARS } from '../../../functions/adapters/dynamo-console-store';
import type { QuestionNote, SavedReply } from '../../../functions/domain/console-records';
import type { ConsoleStore } from '../../../functions/domain/ports';
import { splitQuestionId } from '../../../functions/domain/questions';
import type { StaffSession } from '../../../functions/domain/staff';

export class MemoryConsoleStore implements ConsoleStore {
  readonly links = new Map<string, { email: string; until: string; usedAt?: string }>();
  readonly sessions = new Map<string, StaffSession>();
  readonly notes: QuestionNote[] = [];
  readonly replies = new Map<string, SavedReply>();
  private readonly raws = new Map<string, string>();
  private turn = 0;

  async saveSignInLink(linkId: string, email: string, expiresAt: string): Promise<void> {
    this.links.set(linkId, { email, until: expiresAt });
  }

  async useSignInLink(linkId: string, now: string): Promise<string | undefined> {
    const link = this.links.get(linkId);
    if (!link || link.usedAt !== undefined || link.until <= now) return undefined;
    link.usedAt = now;
    return link.email;
  }

  async saveSession(session: StaffSession): Promise<void> {
    this.sessions.set(session.id, { ...session });
  }

  async getSession(sessionId: string, now: string): Promise<StaffSession | undefined> {
    const session = this.sessions.get(sessionId);
    return session && session.expiresAt > now ? { ...session } : undefined;
  }

  async endSession(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
  }

  async nextTurn(): Promise<number> {
    this.turn += 1;
    return this.turn;
  }

  async addNote(note: QuestionNote): Promise<void> {
    if (!splitQuestionId(note.questionId)) throw new Error('malformed question id');
    this.notes.push({ ...note });
  }

  async listNotes(questionId: string): Promise<QuestionNote[]> {
    return this.notes
      .filter((note) => note.questionId === questionId)
      .sort((a, b) => `${a.at}#${a.id}`.localeCompare(`${b.at}#${b.id}`))
      .map((note) => ({ ...note }));
  }

  async listSavedReplies(): Promise<SavedReply[]> {
    return [...this.replies.values()].map((r) => ({ ...r })).sort((a, b) => a.title.localeCompare(b.title));
  }

  async putSavedReply(reply: SavedReply): Promise<void> {
    this.replies.set(reply.id, { ...reply });
  }

  async deleteSavedReply(replyId: string): Promise<boolean> {
    return this.replies.delete(replyId);
  }

  async keepRawMessage(questionId: string, raw: string): Promise<void> {
    if (!splitQuestionId(questionId)) throw new Error('malformed question id');
    this.raws.set(questionId, raw.slice(0, MAX_RAW_CHARS));
  }

  async getRawMessage(questionId: string): Promise<string | undefined> {
    return this.raws.get(questionId);
  }
}

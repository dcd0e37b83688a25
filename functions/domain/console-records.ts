/** What the console keeps besides questions: notes on them and saved replies. */

/** A note on a question: an expert's internal note, never sent, or the record of a follow-up that was. */
export interface QuestionNote {
  id: string;
  questionId: string;
  at: string;
  author: string;
  kind: 'note' | 'follow-up';
  text: string;
}

/** Reusable answer text with `{{field}}`s filled from the context and `[[fill in]]` markers to replace. */
export interface SavedReply {
  id: string;
  title: string;
  body: string;
  updatedAt: string;
  updatedBy: string;
}

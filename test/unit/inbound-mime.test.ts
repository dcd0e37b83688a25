import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractReply, htmlToText, PostalMimeParser } from '../../functions/adapters/mime';
import { UnreadableMailError } from '../../functions/domain/errors';

const parser = new PostalMimeParser();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));

describe('reading real-world reply shapes (postal-mime + reply stripping)', () => {
  it('keeps only what a Gmail user wrote above a wrapped "On … wrote:" line and the quoted lesson', async () => {
    const mail = await parser.parse(fixture('gmail.eml'));
    expect(mail.text).toBe(
      'Hi Sam,\n\nI had a final-round interview ten days ago and have heard nothing since. Is it OK to follow up a second time, or does that look desperate?\n\nThanks,\nJo',
    );
    expect(mail.messageId).toBe('<CAH7x9qQ2m-gmail-reply-1@mail.gmail.com>');
    expect(mail.references).toEqual(['<010001900aaa-course-lesson-2@email.amazonses.com>']);
    expect(mail.from).toBe('jo.reader@gmail.com');
  });

  it('cuts an Outlook "From:/Sent:" block that has no > quoting, and decodes Windows-1252 dashes', async () => {
    const mail = await parser.parse(fixture('outlook.eml'));
    expect(mail.text).toBe(
      'Honestly it was rough. A recruiter ghosted me after three calls. How do I stop replaying those calls in my head – is there an exercise for that?',
    );
    expect(mail.text).not.toContain('Three days in');
    expect(mail.text).not.toContain('Get Outlook');
  });

  it('decodes Apple Mail quoted-printable UTF-8 and drops the > quoted lesson', async () => {
    const mail = await parser.parse(fixture('apple-mail.eml'));
    expect(mail.text).toBe(
      'What counts as “data” when a rejection email is just a template? I can’t learn anything from “we went with another candidate”.\n\nJo',
    );
  });

  it('drops the "Sent from my iPhone" signature of a mobile reply', async () => {
    const mail = await parser.parse(fixture('iphone.eml'));
    expect(mail.text).toBe(
      'Quick one from the bus: should I tell friends about every application or keep it private until there is an offer?',
    );
  });

  it('turns an HTML-only (base64) message into text without its blockquote, decoding entities and headers', async () => {
    const mail = await parser.parse(fixture('html-only.eml'));
    expect(mail.text).toBe(
      'Hallo Sam,\nist es normal, dass ich nach 40 Absagen keine Lust mehr habe? & wie fange ich wieder an\nJörg',
    );
    expect(mail.subject).toBe('Re: Tag 6: Dein nächster Schritt');
  });

  it('decodes ISO-8859-1 quoted-printable and cuts the French "Le … a écrit :" history', async () => {
    const mail = await parser.parse(fixture('latin1-qp.eml'));
    expect(mail.text).toBe(
      "Bonjour Sam,\n\nJ'ai reçu une réponse négative après un entretien très réussi. Dois-je demander un retour détaillé à la recruteuse ?\n\nRenée",
    );
  });

  it('notes an attachment by name, size and type, and keeps it out of the text', async () => {
    const mail = await parser.parse(fixture('attachment.eml'));
    expect(mail.text).toBe('Could you look at my CV? I attached it. Does the summary sound too apologetic?');
    expect(mail.attachments).toEqual([{ name: 'Jo Reader CV.pdf', size: 136, type: 'application/pdf' }]);
  });

  it('reads the text of a multipart message whose boundary never closes and whose charset is unknown', async () => {
    const mail = await parser.parse(fixture('broken-mime.eml'));
    expect(mail.text).toMatch(
      /^Does this course work if I am changing careers, not just looking for a new job\?/,
    );
  });

  it('keeps the headers that mark an out-of-office reply and a delivery report', async () => {
    const ooo = await parser.parse(fixture('out-of-office.eml'));
    expect(ooo.headers['auto-submitted']).toBe('auto-replied');
    const dsn = await parser.parse(fixture('dsn.eml'));
    expect(dsn.headers['content-type']).toMatch(/^multipart\/report/);
    expect(dsn.from).toBe('mailer-daemon@mx.example.net');
  });

  it('never throws anything but UnreadableMailError, whatever bytes arrive', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        try {
          const mail = await parser.parse(bytes);
          expect(typeof mail.text).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(UnreadableMailError);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('extractReply', () => {
  it('cuts "-----Original Message-----" and signatures after "-- "', () => {
    expect(extractReply('Is it worth it?\n\n-- \nJo Reader\n+1 555 0100\n')).toBe('Is it worth it?');
    expect(extractReply('Yes please.\n\n-----Original Message-----\nFrom: Sam\nSent: Monday\n\nlesson')).toBe(
      'Yes please.',
    );
  });

  it('cuts a bare Outlook header block whose From line has no angle brackets', () => {
    const text =
      'My question is short.\n\nFrom: Sam\nSent: Tuesday, 3 March 2026 08:00\nTo: Jo\nSubject: Day 2\n\nold lesson';
    expect(extractReply(text)).toBe('My question is short.');
  });

  it('keeps a line that merely starts with "From:" when no header block follows', () => {
    expect(extractReply('From: my side, the silence hurts most.\nWhat do I do?')).toBe(
      'From: my side, the silence hurts most.\nWhat do I do?',
    );
  });
});

describe('htmlToText', () => {
  it('removes styles, the Outlook reply block and tags, and decodes numeric entities', () => {
    const html =
      '<html><head><style>p{}</style></head><body><p>Caf&#233; &#x2013; yes</p><div id="divRplyFwdMsg">From: Sam</div></body></html>';
    expect(htmlToText(html).trim()).toBe('Café – yes');
  });
});

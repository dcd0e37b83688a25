/** The operator's figures as plain-text tables for a terminal. */
import { emailTable, type Figures, percent as pct } from '../domain/figures';

/** A table with a header row, columns padded to their widest cell (numbers right-aligned). */
export function table(header: string[], rows: (string | number | null)[][]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === null ? '–' : String(cell))))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[], isHeader: boolean) =>
    row
      .map((cell, i) => {
        const numeric = !isHeader && i > 0 && /^[\d.,%–-]+$/.test(cell);
        return numeric ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0] as string[], true), rule, ...cells.slice(1).map((row) => line(row, false))].join(
    '\n',
  );
}

function emailAndFunnelTables(f: Figures): string[] {
  const emails = emailTable(f);
  return [
    `Course emails\n${table(emails.header, emails.rows)}`,
    `Funnel\n${table(
      ['step', 'people', 'lost from the step before'],
      [
        ['signed up', f.funnel.signedUp, ''],
        ...f.funnel.dropOff.map((d) => [d.to, f.funnel[d.to as 'confirmed'], `${d.lost} (${pct(d.rate)})`]),
        ['exits: unsubscribed', f.funnel.unsubscribed, ''],
        ['exits: bounced', f.funnel.bounced, ''],
        ['exits: complained', f.funnel.complained, ''],
      ],
    )}`,
  ];
}

function promiseAndGrowthTables(f: Figures): string[] {
  const q = f.questions;
  return [
    `Questions (the 24-hour promise)\n${table(
      ['asked', 'answered', 'within 24 h', 'open now', 'overdue now', 'median min', 'p90 min'],
      [
        [
          q.asked,
          q.answered,
          q.answeredWithin24h,
          q.open,
          q.overdue,
          q.medianMinutesToAnswer,
          q.p90MinutesToAnswer,
        ],
      ],
    )}`,
    `Daily\n${table(
      ['day', 'signups', 'confirmations', 'sends', 'unsubscribes'],
      f.daily
        .filter((d) => d.signups + d.confirmations + d.sends + d.unsubscribes > 0)
        .map((d) => [d.day, d.signups, d.confirmations, d.sends, d.unsubscribes]),
    )}`,
    `Weekly signup cohorts\n${table(
      ['week', 'signed up', 'confirmed', 'lesson 1', 'lesson 7', 'completed'],
      f.cohorts.map((c) => [
        c.week,
        c.signedUp,
        c.confirmed,
        c.receivedLesson1,
        c.receivedLesson7,
        c.completed,
      ]),
    )}`,
    `Signup sources\n${table(
      ['source', 'signups'],
      f.sources.map((s) => [s.source, s.signups]),
    )}`,
  ];
}

/** Every section of the figures, one table each. */
export function figuresAsText(f: Figures): string {
  const heading = `Figures from ${f.range.since} to ${f.range.until} (UTC days)`;
  return `${[heading, ...emailAndFunnelTables(f), ...promiseAndGrowthTables(f)].join('\n\n')}\n`;
}

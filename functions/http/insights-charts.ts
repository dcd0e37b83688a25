/**
 * Charts for the insights page as server-rendered SVG: no script, no inline style (the site's CSP allows
 * neither); colors come from classes in console.css, sizes from SVG attributes. Every chart has a title
 * for screen readers and the exact figures beside it in a table.
 */
import { h, type Safe } from './console-layout';

/** One bar: its label, its value, and what to print at its end. */
export interface Bar {
  label: string;
  value: number;
  note?: string | undefined;
}

const WIDTH = 480;
const ROW = 26;
const LABEL = 110;

let chartCount = 0;
const nextId = () => `chart-${++chartCount}`;

/** Horizontal bars, one row each, scaled to the largest value (or `max`). */
export function barChart(title: string, bars: Bar[], tone = 'bar', max?: number): Safe {
  const id = nextId();
  const top = Math.max(1, max ?? 0, ...bars.map((b) => b.value));
  const span = WIDTH - LABEL - 90;
  const rows = bars.map((bar, i) => {
    const y = i * ROW + 4;
    const width = Math.round((bar.value / top) * span);
    return h`<text x="${LABEL - 8}" y="${y + 15}" text-anchor="end" class="chart-label">${bar.label}</text>
<rect x="${LABEL}" y="${y + 2}" width="${Math.max(width, bar.value > 0 ? 2 : 0)}" height="${ROW - 8}" rx="3" class="${tone}"></rect>
<text x="${LABEL + width + 6}" y="${y + 15}" class="chart-value">${bar.note ?? String(bar.value)}</text>`;
  });
  const height = bars.length * ROW + 8;
  return h`<figure class="chart-figure"><figcaption>${title}</figcaption><svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}"><title id="${id}">${title}</title>${rows}</svg></figure>`;
}

/** One bar cut into parts (answered within 24 hours, later, still open), with a legend. */
export function stackedBar(title: string, parts: { label: string; value: number; tone: string }[]): Safe {
  const id = nextId();
  const total = Math.max(
    1,
    parts.reduce((sum, p) => sum + p.value, 0),
  );
  let x = 0;
  const rects = parts.map((part) => {
    const width = Math.round((part.value / total) * WIDTH);
    const rect = h`<rect x="${x}" y="0" width="${width}" height="28" class="${part.tone}"></rect>`;
    x += width;
    return rect;
  });
  const legend = parts.map(
    (part, i) =>
      h`<rect x="${i * 160}" y="40" width="14" height="14" class="${part.tone}"></rect><text x="${i * 160 + 20}" y="52" class="chart-label">${part.label}: ${part.value}</text>`,
  );
  return h`<figure class="chart-figure"><figcaption>${title}</figcaption><svg class="chart" viewBox="0 0 ${WIDTH} 62" role="img" aria-labelledby="${id}"><title id="${id}">${title}</title>${rects}${legend}</svg></figure>`;
}

/** Columns, one per day, with the first and last day written under them. */
export function dayColumns(title: string, days: { day: string; value: number }[], tone = 'bar'): Safe {
  const id = nextId();
  const height = 90;
  const top = Math.max(1, ...days.map((d) => d.value));
  const step = WIDTH / Math.max(1, days.length);
  const columns = days.map((d, i) => {
    const barHeight = Math.round((d.value / top) * (height - 22));
    return h`<rect x="${(i * step).toFixed(1)}" y="${height - 18 - barHeight}" width="${Math.max(1, step - 2).toFixed(1)}" height="${barHeight}" class="${tone}"><title>${d.day}: ${d.value}</title></rect>`;
  });
  const first = days[0]?.day ?? '';
  const last = days.at(-1)?.day ?? '';
  return h`<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}"><title id="${id}">${title}, ${first} to ${last}; highest ${top}</title>
<line x1="0" y1="${height - 17}" x2="${WIDTH}" y2="${height - 17}" class="chart-axis"></line>${columns}
<text x="0" y="${height - 2}" class="chart-label">${first}</text><text x="${WIDTH}" y="${height - 2}" text-anchor="end" class="chart-label">${last}</text></svg>`;
}

/** A table of figures inside a scrollable, focusable region (narrow screens scroll it sideways). */
export function figureTable(caption: string, header: string[], rows: (string | number | null)[][]): Safe {
  return h`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table><caption>${caption}</caption>
<thead><tr>${header.map((cell) => h`<th scope="col">${cell}</th>`)}</tr></thead>
<tbody>${rows.map((row) => h`<tr>${row.map((cell, i) => (i === 0 ? h`<th scope="row">${cell ?? '–'}</th>` : h`<td>${cell ?? '–'}</td>`))}</tr>`)}</tbody></table></div>`;
}

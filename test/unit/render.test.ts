import { describe, expect, it } from 'vitest';
import { escapeHtml, fill, renderEmail, splitPlaceholders } from '../../functions/domain/render';

describe('precompiled templates', () => {
  it('splits a template into literal text and placeholder names', () => {
    expect(splitPlaceholders('Hi {{firstName}}, see {{ url }}.')).toEqual([
      'Hi ',
      'firstName',
      ', see ',
      'url',
      '.',
    ]);
  });

  it('HTML-escapes values in the HTML part but not in the text part', () => {
    const email = {
      key: 'k',
      kind: 'lesson' as const,
      subject: splitPlaceholders('For {{firstName}}'),
      html: splitPlaceholders('<p>Hi {{firstName}}</p>'),
      text: splitPlaceholders('Hi {{firstName}}'),
    };
    const rendered = renderEmail(email, { firstName: `O'Neil <b>&` });
    expect(rendered.html).toBe('<p>Hi O&#39;Neil &lt;b&gt;&amp;</p>');
    expect(rendered.text).toBe(`Hi O'Neil <b>&`);
    expect(rendered.subject).toBe(`For O'Neil <b>&`);
  });

  it('refuses to send a half-filled email when a value is missing', () => {
    expect(() => fill(splitPlaceholders('Hi {{firstName}}'), {}, escapeHtml)).toThrow(/firstName/);
  });
});

import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packTemplates, unpackTemplates } from '../../functions/adapters/packed-templates';
import { templates } from '../../functions/compose';

describe('templates packed into the Lambda bundles', () => {
  it('unpack to exactly the compiled course', () => {
    const packed = packTemplates(templates);
    const unpacked = unpackTemplates(packed);
    expect(Object.keys(unpacked.emails)).toEqual(Object.keys(templates.emails));
    expect(Object.keys(unpacked.pages)).toEqual(Object.keys(templates.pages));
    expect(JSON.parse(JSON.stringify(unpacked))).toEqual(JSON.parse(JSON.stringify(templates)));
  });

  it('unpack an email only when it is first read, and only once', () => {
    const calls: number[] = [];
    const counting = (data: Buffer, options: { dictionary?: Buffer }) => {
      calls.push(data.length);
      return inflateRawSync(data, options);
    };
    const unpacked = unpackTemplates(packTemplates(templates), counting);
    expect(calls).toHaveLength(0);
    const first = unpacked.emails.confirm;
    expect(first?.subject.join('')).toBe(templates.emails.confirm?.subject.join(''));
    expect(calls).toHaveLength(2); // the shared dictionary, then the email
    expect(unpacked.emails.confirm).toBe(first);
    expect(calls).toHaveLength(2);
  });

  it('are smaller than a third of the compiled HTML they carry', () => {
    const packed = JSON.stringify(packTemplates(templates)).length;
    const plain = JSON.stringify(templates).length;
    expect(packed).toBeLessThan(plain / 3);
  });
});

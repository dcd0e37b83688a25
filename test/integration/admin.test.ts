import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DynamoAdminStore } from '../../functions/adapters/dynamo-admin-store';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo-safeguards';
import { S3RawMailArchive } from '../../functions/adapters/s3-raw-mail-archive';
import { type AdminDeps, erasePerson, exportPerson } from '../../functions/app/admin';
import type { RawMailArchive } from '../../functions/domain/privacy';
import { postJson, tableItems, useTestStack } from '../support/stack';

/** An S3 client double that keeps objects in a map and answers List/DeleteObjects, two keys a page. */
function fakeS3(keys: string[]) {
  const objects = new Set(keys);
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      calls.push({ name, input: command.input });
      if (name === 'ListObjectsV2Command') {
        const matching = [...objects].filter((key) => key.startsWith(String(command.input.Prefix))).sort();
        const from = Number(command.input.ContinuationToken ?? 0);
        const page = matching.slice(from, from + 2);
        const more = from + 2 < matching.length;
        return {
          Contents: page.map((Key) => ({ Key })),
          IsTruncated: more,
          NextContinuationToken: more ? String(from + 2) : undefined,
        };
      }
      if (name === 'DeleteObjectsCommand') {
        for (const { Key } of (command.input.Delete as { Objects: { Key: string }[] }).Objects)
          objects.delete(Key);
        return { Errors: [] };
      }
      throw new Error(`unexpected ${name}`);
    },
  };
  return { client: client as unknown as S3Client, objects, calls };
}

describe('erasure of raw inbound mail', () => {
  const testStack = useTestStack();

  function adminDeps(rawMail?: RawMailArchive): AdminDeps {
    return {
      records: new DynamoAdminStore({
        tableName: testStack().config.TABLE_NAME,
        client: testStack().clients.dynamo,
      }),
      suppressions: new DynamoSuppressionList(testStack().clients.dynamo, testStack().config.TABLE_NAME),
      rawMail,
      clock: testStack().clock,
      log: testStack().log,
    };
  }

  it('deletes every object under raw/<subscriberId>/ of the inbound bucket, and nobody else’s', async () => {
    await postJson(testStack(), '/api/subscribe', {
      email: 'raw@example.com',
      firstName: 'Ray',
      timeZone: 'UTC',
    });
    await postJson(testStack(), '/api/subscribe', {
      email: 'other@example.com',
      firstName: 'Oz',
      timeZone: 'UTC',
    });
    const id = (await testStack().deps.store.findByEmail('raw@example.com'))!.id;
    const other = (await testStack().deps.store.findByEmail('other@example.com'))!.id;
    const mine = [1, 2, 3, 4, 5].map((n) => `raw/${id}/message-${n}.eml`);
    const s3 = fakeS3([...mine, `raw/${other}/message-1.eml`, `raw/${id}x/not-mine.eml`]);
    const archive = new S3RawMailArchive({ bucket: 'inbound-bucket', client: s3.client });

    const exported = await exportPerson(adminDeps(archive), 'RAW@example.com');
    expect(exported.rawMail).toEqual(mine);

    const report = await erasePerson(adminDeps(archive), 'raw@example.com');
    expect(report).toMatchObject({ subscriberId: id, rawMailDeleted: 5, suppressed: true });
    expect([...s3.objects].sort()).toEqual([`raw/${id}x/not-mine.eml`, `raw/${other}/message-1.eml`].sort());
    for (const call of s3.calls) expect(call.input.Bucket).toBe('inbound-bucket');
    expect((await tableItems(testStack())).some((item) => String(item.pk) === `SUB#${other}`)).toBe(true);
  });

  it('keeps the data when the raw mail cannot be deleted, so the erasure can be run again', async () => {
    await postJson(testStack(), '/api/subscribe', {
      email: 'retry@example.com',
      firstName: 'Rae',
      timeZone: 'UTC',
    });
    const id = (await testStack().deps.store.findByEmail('retry@example.com'))!.id;
    const failing: RawMailArchive = {
      listFor: async () => [],
      deleteFor: async () => {
        throw new Error('S3 unavailable');
      },
    };
    await expect(erasePerson(adminDeps(failing), 'retry@example.com')).rejects.toThrow('S3 unavailable');
    // Already suppressed, still findable: the next run finishes the job.
    expect((await exportPerson(adminDeps(), 'retry@example.com')).suppressed).toBe(true);
    expect(await testStack().deps.store.findByEmail('retry@example.com')).toMatchObject({ id });
    const report = await erasePerson(
      adminDeps({ listFor: async () => [], deleteFor: async () => 0 }),
      'retry@example.com',
    );
    expect(report.itemsDeleted).toBeGreaterThanOrEqual(3);
    expect(await testStack().deps.store.findByEmail('retry@example.com')).toBeUndefined();
  });
});

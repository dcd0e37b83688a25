import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { RawMailArchive } from '../domain/privacy';

/** Options of the S3 raw-mail archive. */
export interface S3RawMailArchiveOptions {
  bucket: string;
  client?: S3Client | undefined;
}

/** The folder of the bucket where raw inbound mail is filed per subscriber. */
export const RAW_MAIL_PREFIX = 'raw/';

/** Where the raw inbound mail of a subscriber is kept: `raw/<subscriberId>/...`. */
export const rawMailPrefix = (subscriberId: string) => `${RAW_MAIL_PREFIX}${subscriberId}/`;

/**
 * Raw inbound mail in S3, under `raw/<subscriberId>/`. Deleting removes the current version of each
 * object; on a versioned bucket, a lifecycle rule must expire noncurrent versions.
 */
export class S3RawMailArchive implements RawMailArchive {
  private readonly client: S3Client;

  constructor(private readonly options: S3RawMailArchiveOptions) {
    this.client = options.client ?? new S3Client({});
  }

  async listFor(subscriberId: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: rawMailPrefix(subscriberId),
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async deleteFor(subscriberId: string): Promise<number> {
    const keys = await this.listFor(subscriberId);
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const result = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.options.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (result.Errors && result.Errors.length > 0) {
        throw new Error(`S3 refused to delete ${result.Errors.length} object(s) of the subscriber`);
      }
    }
    return keys.length;
  }
}

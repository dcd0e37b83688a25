import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { RawMailSource } from '../domain/ports';
import { rawMailPrefix } from './s3-raw-mail-archive';

/** Options of the S3 raw-mail reader. */
export interface S3RawMailOptions {
  bucket: string;
  /** The object key prefix the SES receipt rule's S3 action writes under (e.g. `inbound/`). */
  prefix: string;
  client?: S3Client | undefined;
}

/** `RawMailSource` on the bucket where the SES receipt rule stores each message as `<prefix><SES message id>`. */
export class S3RawMail implements RawMailSource {
  private readonly client: S3Client;

  constructor(private readonly options: S3RawMailOptions) {
    this.client = options.client ?? new S3Client({});
  }

  async read(messageId: string): Promise<Uint8Array> {
    checkId(messageId);
    const result = await this.client.send(
      new GetObjectCommand({ Bucket: this.options.bucket, Key: `${this.options.prefix}${messageId}` }),
    );
    if (!result.Body) throw new Error('empty S3 object');
    return result.Body.transformToByteArray();
  }

  async fileUnder(messageId: string, subscriberId: string): Promise<void> {
    checkId(messageId);
    const source = `${this.options.prefix}${messageId}`;
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.options.bucket,
        CopySource: `${this.options.bucket}/${source}`,
        Key: `${rawMailPrefix(subscriberId)}${messageId}`,
      }),
    );
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: source }));
  }
}

function checkId(messageId: string): void {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(messageId)) throw new Error('malformed SES message id');
}

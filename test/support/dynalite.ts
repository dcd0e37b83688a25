/**
 * dynalite alone, in this process, on a free port: the DynamoDB adapters' stand-in for tests that need
 * nothing else of the local stack. Each `newTable()` is a fresh, empty copy of the app's table.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { documentClient } from '../../functions/adapters/dynamo-document';
import { createTableInput } from '../../functions/adapters/dynamo-table';
import { closeServer } from '../../functions/local/standins';

/** A running dynalite and a document client pointed at it. */
export interface Dynalite {
  client: DynamoDBDocumentClient;
  /** Creates an empty table shaped like the app's and returns its name. */
  newTable(): Promise<string>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let tables = 0;
  return {
    client: documentClient(raw),
    newTable: async () => {
      const name = `contract-${++tables}`;
      await raw.send(new CreateTableCommand(createTableInput(name)));
      // dynalite answers CreateTable before the table takes writes: wait until it says ACTIVE.
      for (let tries = 0; tries < 100; tries++) {
        const { Table } = await raw.send(new DescribeTableCommand({ TableName: name }));
        if (Table?.TableStatus === 'ACTIVE') return name;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`dynalite did not make table ${name} active`);
    },
    stop: async () => {
      raw.destroy();
      await closeServer(server);
    },
  };
}

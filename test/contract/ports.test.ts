/**
 * One contract, two implementations: the in-memory ports of the fast test tier and the DynamoDB adapters
 * against dynalite must keep the same promises, so a test passing on the fakes means the same in the cloud.
 */
import { afterAll, describe } from 'vitest';
import { DynamoConsoleStore } from '../../functions/adapters/dynamo-console-store';
import { DynamoQuestionStore } from '../../functions/adapters/dynamo-question-store';
import { dynamoSafeguards } from '../../functions/adapters/dynamo-safeguards';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamo-subscriber-store';
import { type Dynalite, startDynalite } from '../support/dynalite';
import { MemoryConsoleStore } from '../support/memory/console-store';
import { MemoryQuestionStore } from '../support/memory/question-store';
import { memorySafeguards } from '../support/memory/safeguards';
import { MemorySubscriberStore } from '../support/memory/subscriber-store';
import { consoleStoreContract } from './console-store.contract';
import { type MakePorts, SHARDS } from './ports';
import { questionStoreContract } from './question-store.contract';
import { safeguardsContract } from './safeguards.contract';
import { subscriberStoreContract } from './subscriber-store.contract';

let dynalite: Promise<Dynalite> | undefined;
afterAll(async () => {
  await (await dynalite)?.stop();
});

const inMemory: MakePorts = async () => ({
  subscribers: new MemorySubscriberStore(SHARDS),
  questions: new MemoryQuestionStore(),
  console: new MemoryConsoleStore(),
  safeguards: memorySafeguards(),
});

/** A fresh table per test on one dynalite, started by the first test that needs it. */
const onDynalite: MakePorts = async () => {
  dynalite ??= startDynalite();
  const { client, newTable } = await dynalite;
  const tableName = await newTable();
  return {
    subscribers: new DynamoSubscriberStore({ tableName, dueShards: SHARDS, client }),
    questions: new DynamoQuestionStore({ tableName, client }),
    console: new DynamoConsoleStore({ tableName, client }),
    safeguards: dynamoSafeguards({ tableName, client }),
  };
};

describe.each([
  { name: 'in memory', make: inMemory },
  { name: 'DynamoDB on dynalite', make: onDynalite },
])('ports $name', ({ make }) => {
  describe('SubscriberStore', () => subscriberStoreContract(make));
  describe('QuestionStore', () => questionStoreContract(make));
  describe('Safeguards', () => safeguardsContract(make));
  describe('ConsoleStore', () => consoleStoreContract(make));
});

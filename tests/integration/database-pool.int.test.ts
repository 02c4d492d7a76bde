// The database must not wedge under the writes the services make. FerretDB v1 (the local stack's MongoDB protocol)
// held each query's PostgreSQL connection while the same command took another one to write: one `update` of 50+
// statements, or ~50 concurrent updates, waited on each other forever, and every later request behind them (a CI
// run spent its 90 minutes so). infra/local/ferretdb-patches fixes it; these are the two shapes that wedged it.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/stack';
import { uniqueName } from '../support/names';
import { within } from '../support/wait';

describe('the database under many writes at once', () => {
  let client: MongoClient;
  const dbName = uniqueName('dbpool').replace(/-/g, '_');

  beforeAll(async () => {
    client = new MongoClient(stack().mongoUri, { maxPoolSize: 200 });
    await client.connect();
  });

  afterAll(async () => {
    await within(10_000, 'dropDatabase', client.db(dbName).dropDatabase()).catch(() => undefined);
    await client.close();
  });

  it('applies one update command of 200 statements (a bulk of lane outcomes)', async () => {
    const rows = client.db(dbName).collection<{ _id: string; lane: string; n: number }>('bulk');
    await rows.insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: `d${i}`, lane: 'a', n: i })));
    const result = await within(
      20_000,
      'bulkWrite of 200 updateOne (a wedged database never answers)',
      rows.bulkWrite(Array.from({ length: 200 }, (_, i) => ({ updateOne: { filter: { _id: `d${i}`, lane: 'a' }, update: { $set: { n: -i } } } }))),
    );
    expect(result.modifiedCount).toBe(200);
    expect(await rows.countDocuments({ n: { $lte: 0 } })).toBe(200);
  });

  it('answers 150 concurrent updates and find-and-modifies', async () => {
    const rows = client.db(dbName).collection<{ _id: string; lane: string; n: number; claimedBy?: number }>('concurrent');
    await rows.insertMany(Array.from({ length: 150 }, (_, i) => ({ _id: `d${i}`, lane: 'a', n: 0 })));
    await within(
      20_000,
      '150 concurrent writes (a wedged database never answers)',
      Promise.all(
        Array.from({ length: 150 }, (_, i) =>
          i % 2 === 0 ? rows.updateOne({ _id: `d${i}`, lane: 'a' }, { $inc: { n: 1 } }) : rows.findOneAndUpdate({ _id: `d${i}` }, { $set: { claimedBy: i } }),
        ),
      ),
    );
    expect(await rows.countDocuments({ n: 1 })).toBe(75);
    expect(await rows.countDocuments({ claimedBy: { $exists: true } })).toBe(75);
  });
});

// Compare-and-set that holds on FerretDB v1 (services/shared/mongo/cas.ts), as the read models of several instances
// need it (issue #19, "two of everything"): the proposals' projection and snapshots, the approvals' records and the
// programme's pilots keep the newest state whatever order two instances write them in; a writer that died holding
// a token is taken over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVISION_TOKENS_COLLECTION, replaceFrom, replaceIfNewer } from '../../services/shared/mongo/cas';
import type { MongoHandle } from '../../services/shared/mongo/mongo';
import { twoInstancesOfOneDatabase, type TwoInstances } from '../support/instances-db';

type Doc = { _id: string; sequence: number; writer: string };

describe('compare-and-set on FerretDB', () => {
  let a: MongoHandle;
  let b: MongoHandle;
  let instances: TwoInstances;

  beforeAll(async () => {
    instances = await twoInstancesOfOneDatabase('cas');
    ({ a, b } = instances);
  });
  afterAll(async () => instances?.drop());

  it('keeps the newest of many states two instances write side by side, for each of many documents', async () => {
    const [first, second] = [a.db.collection<Doc>('read_model'), b.db.collection<Doc>('read_model')];
    const ids = Array.from({ length: 40 }, (_, i) => `doc-${i}`);
    // Rounds: in each, for every document, one instance writes state 2k+1 and the other 2k+2 at the same moment.
    for (let k = 0; k < 5; k++) {
      await Promise.all(
        ids.flatMap((_id) => [
          replaceIfNewer(first, 'sequence', { _id, sequence: 2 * k + 1, writer: 'first' }),
          replaceIfNewer(second, 'sequence', { _id, sequence: 2 * k + 2, writer: 'second' }),
        ]),
      );
      const stored = await first.find({ _id: { $in: ids } }).toArray();
      expect(stored.filter((d) => d.sequence !== 2 * k + 2).map((d) => [d._id, d.sequence])).toEqual([]); // none went back
    }
    expect(await a.db.collection(REVISION_TOKENS_COLLECTION).countDocuments({})).toBe(0); // every token removed
  });

  it('rewrites the same state only when asked (a re-save after a crash), never an older one', async () => {
    const c = a.db.collection<Doc>('saves');
    expect(await replaceIfNewer(c, 'sequence', { _id: 'x', sequence: 2, writer: 'one' })).toBe(true);
    expect(await replaceIfNewer(c, 'sequence', { _id: 'x', sequence: 2, writer: 'two' })).toBe(false);
    expect(await replaceIfNewer(c, 'sequence', { _id: 'x', sequence: 2, writer: 'three' }, { orEqual: true })).toBe(true);
    expect(await replaceIfNewer(c, 'sequence', { _id: 'x', sequence: 1, writer: 'four' }, { orEqual: true })).toBe(false);
    expect(await c.findOne({ _id: 'x' })).toMatchObject({ sequence: 2, writer: 'three' });
  });

  it('a token whose removal is deferred to the caller still keeps out a writer of the same state, and is gone once awaited', async () => {
    const c = a.db.collection<Doc>('deferred');
    await c.insertOne({ _id: 'z', sequence: 1, writer: 'start' });
    const releases: Promise<unknown>[] = [];
    expect(await replaceFrom(c, 'z', 'sequence', 1, { _id: 'z', sequence: 2, writer: 'first' }, releases)).toBe(true);
    expect(releases).toHaveLength(1);
    // A late writer of the state just replaced loses, whether or not the token is gone yet.
    expect(await replaceFrom(c, 'z', 'sequence', 1, { _id: 'z', sequence: 2, writer: 'late' })).toBe(false);
    await Promise.all(releases);
    expect(
      await a.db.collection<{ _id: string }>(REVISION_TOKENS_COLLECTION).countDocuments({ _id: JSON.stringify(['deferred', 'z', 'sequence', 1, 0]) }),
    ).toBe(0);
    expect(await replaceFrom(c, 'z', 'sequence', 1, { _id: 'z', sequence: 2, writer: 'later' })).toBe(false);
    expect(await c.findOne({ _id: 'z' })).toMatchObject({ sequence: 2, writer: 'first' });
  });

  it("waits while a state's token is held, and takes it over once its writer is presumed dead", async () => {
    const c = a.db.collection<Doc>('held');
    await c.insertOne({ _id: 'y', sequence: 1, writer: 'start' });
    const tokens = a.db.collection<{ _id: string; at: Date }>(REVISION_TOKENS_COLLECTION);
    const token = JSON.stringify(['held', 'y', 'sequence', 1, 0]);
    await tokens.insertOne({ _id: token, at: new Date() });
    expect(await replaceFrom(c, 'y', 'sequence', 1, { _id: 'y', sequence: 2, writer: 'blocked' })).toBe(false);
    await tokens.updateOne({ _id: token }, { $set: { at: new Date(Date.now() - 60_000) } });
    expect(await replaceFrom(c, 'y', 'sequence', 1, { _id: 'y', sequence: 2, writer: 'taker' })).toBe(true);
    expect(await c.findOne({ _id: 'y' })).toMatchObject({ sequence: 2, writer: 'taker' });
  });
});

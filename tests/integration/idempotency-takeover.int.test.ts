// Idempotency keys across instances (issue #19, "two of everything"): when the holder of a key's claim died (its
// lease ran out), the retries waiting on that key — in several instances, each with its own connection — take the
// claim over one at a time, so the call's work runs once, and every retry gets its one result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyStore } from '../../services/shared/idempotency/idempotency';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';

describe("idempotency keys: taking over a dead holder's claim from several instances", () => {
  const handles: MongoHandle[] = [];

  beforeAll(async () => {
    const name = uniqueName('idem_inst').replace(/[^a-zA-Z0-9_]/g, '_');
    for (let i = 0; i < 3; i++) handles.push(await connectMongo(stack().mongoUri, name));
  });
  afterAll(async () => {
    await handles[0]?.db.dropDatabase();
    for (const h of handles) await h.close();
  });

  it('runs the work once per key when three instances retry it at once after its holder died', async () => {
    const stores = handles.map((h) => new IdempotencyStore(h.db, 'idempotency_keys', { pollMs: 20, leaseMs: 60_000 }));
    const keys = Array.from({ length: 120 }, (_, i) => ({ method: '/bps.test.v1.Test/Do', subject: 'someone', key: `k-${i}` }));
    // Each key's first call died mid-work: its claim is still "running", its lease over.
    const past = new Date(Date.now() - 1_000);
    await stores[0]!.collection.insertMany(
      keys.map((scope) => ({ _id: IdempotencyStore.recordId(scope), digest: 'd', state: 'running' as const, holder: 'dead', leaseUntil: past, at: past })),
    );
    const runs = new Map<string, number>();
    const results = await Promise.all(
      keys.flatMap((scope) =>
        stores.map((store, i) =>
          store.once(scope, 'd', async () => {
            runs.set(scope.key, (runs.get(scope.key) ?? 0) + 1);
            await new Promise((r) => setTimeout(r, 30));
            return Buffer.from(`${scope.key} by ${i}`);
          }),
        ),
      ),
    );
    expect([...runs.entries()].filter(([, n]) => n > 1)).toEqual([]); // no key's work ran twice
    expect(runs.size).toBe(keys.length);
    for (let k = 0; k < keys.length; k++) {
      const answers = new Set(results.slice(k * 3, k * 3 + 3).map((r) => Buffer.from(r).toString()));
      expect(answers.size).toBe(1); // every retry of a key got the one result
    }
  });
});

// Two audit instances on one database (issue #19, "two of everything"): their consumers share the partitions, so
// both append to the same logs (the global log always; one event redelivered to the other after a rebalance, too),
// and both checkpointers sign the logs' heads. The chain stays one unbroken chain with every event once (an entry's
// `_id` is its log and sequence: of two writers of one sequence the database lets one win, the other re-reads the
// head), and a head is checkpointed — stored and announced — once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../services/audit/adapters/mongo/checkpoints';
import { LogStore } from '../../services/audit/adapters/mongo/log-store';
import { recordEvent } from '../../services/audit/domain/entry';
import { generatePrivateKey, loadSigningKey } from '../../services/audit/domain/signing';
import { verifyChain } from '../../services/audit/domain/verify';
import type { MongoHandle } from '../../services/shared/mongo/mongo';
import { twoInstancesOfOneDatabase, type TwoInstances } from '../support/instances-db';
import { PENDING_COLLECTION } from '../../services/shared/mongo/outbox';
import { uniqueName } from '../support/names';
import { testLogger } from '../support/stack';

describe('audit: two instances appending to and checkpointing the same logs', () => {
  let a: MongoHandle;
  let b: MongoHandle;
  let instances: TwoInstances;

  beforeAll(async () => {
    instances = await twoInstancesOfOneDatabase('audit_inst');
    ({ a, b } = instances);
  });
  afterAll(async () => instances?.drop());

  const event = (i: number) =>
    recordEvent({
      specversion: '1.0',
      id: randomUUID(),
      type: 'bps.test.recorded',
      source: '/bps/test',
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      datacontenttype: 'application/json',
      key: `k-${i}`,
      data: Buffer.from(JSON.stringify({ i })),
    });

  it('keeps one unbroken chain with every event once, and signs each head once', async () => {
    const first = new LogStore(a.db, 'sha256');
    const second = new LogStore(b.db, 'sha256');
    await first.init();
    const events = Array.from({ length: 60 }, (_, i) => event(i));
    // Both instances append, concurrently, four at a time each: the first all of them, the second every other one
    // (the events a rebalance handed it again).
    const appendAll = async (store: LogStore, list: typeof events) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < list.length) await store.append('global', 'bps.test.v1', list[next++]!);
        }),
      );
    };
    await Promise.all([
      appendAll(first, events),
      appendAll(
        second,
        events.filter((_, i) => i % 2 === 0),
      ),
    ]);
    const entries = await first.read('global');
    expect(entries).toHaveLength(60);
    expect(new Set(entries.map((e) => e.eventId))).toEqual(new Set(events.map((e) => e.id)));
    const chain = verifyChain('global', entries);
    expect(chain.mismatch).toBeUndefined();
    expect(chain.storedSize).toBe(60);

    // Both checkpointers sign the head at once, twice each.
    const key = loadSigningKey('ed25519', generatePrivateKey('ed25519'));
    const options = { hashAlgorithm: 'sha256' as const, topicNamespace: uniqueName('ns'), logger: testLogger };
    const signers = [new CheckpointStore(a.db, first, key, options), new CheckpointStore(b.db, second, key, options)];
    await signers[0]!.init();
    const signed = await Promise.all(signers.flatMap((s) => [s.checkpointHead('global'), s.checkpointHead('global')]));
    expect(new Set(signed.map((c) => c.signature)).size).toBe(1); // every caller got the one stored checkpoint
    expect(signed[0]).toMatchObject({ log: 'global', size: 60, headHash: chain.verifiedHashes.at(-1) });
    expect(await signers[0]!.collection.countDocuments({ 'checkpoint.log': 'global' })).toBe(1);
    // One checkpoint document carries its one event: one marker for the relay.
    expect(await a.db.collection(PENDING_COLLECTION).countDocuments({ c: 'checkpoints' })).toBe(1);
  });
});

// The registry's read models under writers in two instances (issue #19, "two of everything"): an item's head (its
// latest versions with every record) and its timeline pages are rewritten by whoever appends a record; appends of
// one item from two instances side by side must leave every record in them (FerretDB v1 runs a conditional
// replace as an unlocked read then write, so a compare-and-set on `rev` alone would lose one writer's record).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryStore } from '../../services/registry/adapters/mongo/store';
import type { VersionDoc } from '../../services/registry/application/records';
import type { MongoHandle } from '../../services/shared/mongo/mongo';
import { twoInstancesOfOneDatabase, type TwoInstances } from '../support/instances-db';
import { TOKEN_STALE_MS } from '../../services/shared/mongo/cas';

describe('registry heads and pages with two writing instances', () => {
  let a: MongoHandle;
  let b: MongoHandle;
  let instances: TwoInstances;

  beforeAll(async () => {
    instances = await twoInstancesOfOneDatabase('reg_heads');
    ({ a, b } = instances);
  });
  afterAll(async () => instances?.drop());

  const record = (revision: number): Omit<VersionDoc, 'aggregateId' | 'sequence'> => ({
    _id: `TST-01@1.${revision}`,
    itemCode: 'TST-01',
    version: 1,
    revision,
    effectiveFrom: '2026-01-01',
    recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, revision)),
    item: {} as never,
    retired: false,
    releaseId: `release-${revision}`,
    releaseKind: 0 as never,
    changeType: 0 as never,
    lineageFrom: [],
    provenance: null,
    correctionOf: '',
    correctionReason: '',
  });

  it('keeps every record of an item in its head and pages when two instances append side by side', async () => {
    const first = new RegistryStore(a.db);
    const second = new RegistryStore(b.db);
    await first.init();
    const revisions = Array.from({ length: 40 }, (_, i) => i);
    // Each instance appends its records one after another (as one request after another), both at once.
    const appendAll = async (store: RegistryStore, mine: readonly number[]) => {
      for (const r of mine) await store.appendVersion(record(r));
    };
    await Promise.all([
      appendAll(
        first,
        revisions.filter((r) => r % 2 === 0),
      ),
      appendAll(
        second,
        revisions.filter((r) => r % 2 === 1),
      ),
    ]);
    const head = await a.db
      .collection<{ _id: string; recent: { version: number; records: { revision: number }[] }[] }>('item_heads')
      .findOne({ _id: 'TST-01' });
    const inHead = head?.recent
      .find((e) => e.version === 1)
      ?.records.map((r) => r.revision)
      .sort((x, y) => x - y);
    expect(inHead).toEqual(revisions);
    const pages = await a.db.collection<{ entries: { version: number; revisions: { revision: number }[] }[] }>('item_pages').find({}).toArray();
    const inPages = pages.flatMap((p) => p.entries.flatMap((e) => e.revisions.map((r) => r.revision))).sort((x, y) => x - y);
    expect(inPages).toEqual(revisions);
  });

  it('takes over the revision a writer claimed and never wrote (it died): at once when its token is old, after waiting when fresh', async () => {
    const store = new RegistryStore(a.db);
    const heads = a.db.collection<{ _id: string; rev: number; recent: { version: number; records: { revision: number }[] }[] }>('item_heads');
    const tokens = a.db.collection<{ _id: string; at: Date }>('revision_tokens');
    const token = (rev: number, generation: number) => JSON.stringify(['item_heads', 'TST-01', 'rev', rev, generation]);
    const revisionsInHead = async () =>
      (await heads.findOne({ _id: 'TST-01' }))!.recent
        .find((e) => e.version === 1)!
        .records.map((r) => r.revision)
        .sort((x, y) => x - y);

    // A writer killed a moment ago, holding the next revision: the next append waits its token out (TOKEN_STALE_MS)
    // and takes it over, instead of failing — the chaos suite saw an approved change set dead-lettered that way.
    const before = (await heads.findOne({ _id: 'TST-01' }))!.rev;
    await tokens.insertOne({ _id: token(before, 0), at: new Date() });
    const began = Date.now();
    await store.appendVersion(record(40));
    expect(Date.now() - began).toBeGreaterThanOrEqual(TOKEN_STALE_MS - 1_000);
    expect((await heads.findOne({ _id: 'TST-01' }))!.rev).toBe(before + 1);
    expect(await revisionsInHead()).toContain(40);

    // One that died long ago: taken over at once.
    await tokens.insertOne({ _id: token(before + 1, 0), at: new Date(Date.now() - 60_000) });
    const quick = Date.now();
    await store.appendVersion(record(41));
    expect(Date.now() - quick).toBeLessThan(TOKEN_STALE_MS / 2);
    expect(await revisionsInHead()).toEqual(Array.from({ length: 42 }, (_, i) => i));
    expect(await tokens.countDocuments({ _id: token(before + 1, 1) })).toBe(0); // written, its token removed
  }, 60_000);
});

// Finds by key are index lookups (issue #16). FerretDB v1 pushes `{_id: k}` down as `(_jsonb -> '_id') @> '"k"'`,
// which its own B-tree indexes cannot answer; the local stack gives each of them a GIN companion
// (infra/local/ferretdb-lookups.sql). Without it every find by `_id` scanned the whole collection, so each read of
// the platform cost in proportion to all history. On MongoDB (the containers path) the same finds must not scan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from 'mongodb';
import { connectMongo, ensureIndexes, type MongoHandle } from '../../services/shared/mongo/mongo';
import pg from 'pg';
import { settings } from '../../infra/local/settings';
import { postgresUrl } from '../../infra/local/postgres';
import { uniqueName } from '../support/names';
import { behindFerretDbOnPostgres } from '../support/pg-stats';
import { stack } from '../support/stack';

type Explained = { readonly nodes: string[]; readonly ferretdb: boolean };

/** The plan's node types (FerretDB: PostgreSQL's plan; MongoDB: the winning plan's stages). */
function planNodes(explained: Document): Explained {
  const nodes: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    for (const key of ['Node Type', 'stage']) if (typeof n[key] === 'string') nodes.push(n[key] as string);
    for (const key of ['Plans', 'inputStage', 'inputStages', 'queryPlan', 'winningPlan']) {
      const child = n[key];
      if (Array.isArray(child)) child.forEach(walk);
      else walk(child);
    }
  };
  const planner = explained['queryPlanner'] as Record<string, unknown> | undefined;
  walk(planner?.['Plan']);
  walk(planner?.['winningPlan']);
  return { nodes, ferretdb: planner?.['Plan'] !== undefined };
}

describe('finds by key use an index at any size', () => {
  let h: MongoHandle;
  const size = 3_000;
  const dbName = uniqueName('lookups').replace(/[^a-zA-Z0-9_]/g, '_');
  beforeAll(async () => {
    h = await connectMongo(stack().mongoUri, dbName);
    await ensureIndexes(h.db.collection('history'), [{ key: { logId: 1 }, name: 'logId_1' }]);
    const docs = Array.from({ length: size }, (_, i) => ({ _id: `entry#${String(i).padStart(6, '0')}`, logId: `log-${i % 300}`, body: 'x'.repeat(300) }));
    for (let i = 0; i < docs.length; i += 500) await h.db.collection('history').insertMany(docs.slice(i, i + 500) as never[]);
  }, 120_000);
  afterAll(async () => {
    await h?.db.dropDatabase().catch(() => undefined);
    await h?.close();
  });

  const explain = async (filter: Document): Promise<Explained> =>
    planNodes(await h.db.command({ explain: { find: 'history', filter, limit: 1 }, verbosity: 'queryPlanner' }));

  it('answers find by _id from an index, not a scan of the collection', async () => {
    const plan = await explain({ _id: 'entry#001234' });
    expect(plan.nodes.length).toBeGreaterThan(0);
    if (plan.ferretdb) expect(plan.nodes).toContain('Bitmap Index Scan');
    expect(plan.nodes).not.toContain('Seq Scan');
    expect(plan.nodes).not.toContain('COLLSCAN');
    expect(await h.db.collection('history').findOne({ _id: 'entry#001234' } as never)).toMatchObject({ logId: 'log-34' });
  });

  it('answers an equality on an indexed field from an index, with the same results', async () => {
    const plan = await explain({ logId: 'log-7' });
    expect(plan.nodes).not.toContain('Seq Scan');
    expect(plan.nodes).not.toContain('COLLSCAN');
    expect(await h.db.collection('history').countDocuments({ logId: 'log-7' })).toBe(size / 300);
  });

  it('answers $in of _ids from an index: a read of many documents by key reads those documents', async () => {
    const ids = ['entry#000007', 'entry#001500', 'entry#002999', 'entry#missing'];
    const plan = await explain({ _id: { $in: ids } });
    expect(plan.nodes.length).toBeGreaterThan(0);
    expect(plan.nodes).not.toContain('Seq Scan');
    expect(plan.nodes).not.toContain('COLLSCAN');
    const found = await h.db
      .collection('history')
      .find({ _id: { $in: ids } } as never)
      .toArray();
    expect(found.map((d) => d['_id']).sort()).toEqual(ids.slice(0, 3));
    // What cannot be pushed down (numbers, an empty list) is still answered right, by FerretDB itself.
    expect(await h.db.collection('history').countDocuments({ _id: { $in: [7, 'entry#000008'] } } as never)).toBe(1);
    expect(await h.db.collection('history').countDocuments({ _id: { $in: [] } } as never)).toBe(0);
  });

  it('answers $in on an indexed field from an index, with MongoDB results (arrays that hold a value match)', async () => {
    const plan = await explain({ logId: { $in: ['log-3', 'log-4'] } });
    expect(plan.nodes).not.toContain('Seq Scan');
    expect(plan.nodes).not.toContain('COLLSCAN');
    await h.db.collection('history').insertOne({ _id: 'entry#array', logId: ['log-5', 'other'] } as never);
    try {
      expect(await h.db.collection('history').countDocuments({ logId: { $in: ['log-3', 'log-4'] } })).toBe((2 * size) / 300);
      expect(await h.db.collection('history').countDocuments({ logId: { $in: ['log-5', "it's"] } })).toBe(size / 300 + 1);
    } finally {
      await h.db.collection('history').deleteOne({ _id: 'entry#array' } as never);
    }
  });

  it('writes the documents one update statement changes in one transaction (one commit, all or none)', async (ctx) => {
    if (!(await behindFerretDbOnPostgres(h.db, 'history'))) ctx.skip(); // MongoDB promises no atomicity across the documents of an updateMany
    // infra/local/ferretdb-patches/0004: upstream FerretDB wrote (and committed) each document on its own, so an
    // outcome batch of 500 delivery rows cost 500 WAL flushes. Seen from outside as atomicity: the second document
    // breaks a unique index, and the first is not left changed.
    const codes = h.db.collection<{ _id: string; code: string; checked?: boolean }>('codes');
    await ensureIndexes(codes, [{ key: { code: 1 }, name: 'code_unique', unique: true }]);
    await codes.insertMany([
      { _id: 'a', code: 'a' },
      { _id: 'b', code: 'b' },
      { _id: 'c', code: 'c' },
    ]);
    await expect(codes.updateMany({ _id: { $in: ['a', 'b'] } }, { $set: { code: 'same' } })).rejects.toThrow();
    expect((await codes.find({}).sort({ _id: 1 }).toArray()).map((d) => d.code)).toEqual(['a', 'b', 'c']);
    const fine = await codes.updateMany({ _id: { $in: ['a', 'b', 'c'] } }, { $set: { checked: true } });
    expect(fine).toMatchObject({ matchedCount: 3, modifiedCount: 3 });
    expect(await codes.countDocuments({ checked: true })).toBe(3);
  });

  it('keeps the database consistent when an index is dropped and made again', async () => {
    await h.db.collection('history').dropIndex('logId_1');
    expect((await h.db.collection('history').indexes()).map((i) => i.name)).toEqual(['_id_']);
    await ensureIndexes(h.db.collection('history'), [{ key: { logId: 1 }, name: 'logId_1' }]);
    expect((await explain({ logId: 'log-8' })).nodes).not.toContain('Seq Scan');
    expect(await h.db.collection('history').countDocuments({ logId: 'log-8' })).toBe(size / 300);
  });

  it('keeps no pending list in front of the lookups (every new entry is in the index at once)', async (ctx) => {
    if (!(await behindFerretDbOnPostgres(h.db, 'history'))) ctx.skip(); // MongoDB: no GIN companions to look at
    // GIN's default fastupdate parks new entries in a pending list that every lookup reads in full until a vacuum,
    // so a find right after a burst of inserts (an audit history, a fan-out of deliveries) cost in proportion to the
    // burst. FerretDB v1 names the PostgreSQL schema after the database.
    const client = new pg.Client({ connectionString: postgresUrl(settings()) });
    await client.connect();
    try {
      const { rows } = await client.query<{ relname: string; reloptions: string[] | null }>(
        `SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname LIKE '%\\_bpsgin'`,
        [dbName],
      );
      expect(rows.length).toBeGreaterThanOrEqual(2); // _id and logId of `history`
      for (const row of rows) expect(row.reloptions ?? [], row.relname).toContain('fastupdate=off');
    } finally {
      await client.end();
    }
  });
});

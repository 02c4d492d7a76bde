// What one write costs on the platform's database (FerretDB v1 on PostgreSQL), the unit every other benchmark's
// database cost is made of: a batched insert (insertMany of 100), and an update by `_id` (bulkWrite of 100
// updateOne — the outcome batches of the notifications worker, the outbox's sent marks), next to the raw anchor
// of the same update: the two statements FerretDB sends for it (read the document by `_id`, write it back by
// `_id`), sent straight to PostgreSQL on the same table; and the same updates as one updateMany per batch (`_id $in`),
// as the notifications worker writes its outcomes. Per row: wall milliseconds, and CPU milliseconds of the
// database processes (FerretDB, PostgreSQL with its backends). The collection has the delivery rows' indexes (each
// with its GIN companion, infra/local/ferretdb-lookups.sql).
//
// Size: BENCH_DB_WRITES_ROWS (default 3,000), BENCH_DB_WRITES_ROUNDS (default 2). `npm run bench -- db-writes`;
// with MONGODB_URI it needs BENCH_DB_PIDS and BENCH_DB_POSTGRES_URL, else the raw anchor is left out.
import type { IndexDescription } from 'mongodb';
import { benchDatabase } from './bench-database';
import { databaseCpu } from './cpu';
import type { Bench, BenchRow } from './run';

const ROWS = Number(process.env['BENCH_DB_WRITES_ROWS'] ?? 3_000);
const ROUNDS = Number(process.env['BENCH_DB_WRITES_ROUNDS'] ?? 2);
const BATCH = 100;

const indexes: IndexDescription[] = [
  { key: { owner: 1, status: 1, held: 1, availableAt: 1 }, name: 'recoverable' },
  { key: { subscriptionId: 1, key: 1, status: 1, cursor: 1 }, name: 'lane' },
  { key: { subscriptionId: 1, cursor: 1 }, name: 'by_subscription' },
  { key: { eventId: 1 }, name: 'by_event' },
];

/** A delivery row's shape (services/notifications/application/ports.ts). */
const row = (i: number) => ({
  _id: `sub-${i % 100}/evt-${Math.floor(i / 100)}`,
  subscriptionId: `sub-${i % 100}`,
  organisation: 'org-1',
  eventId: `evt-${Math.floor(i / 100)}`,
  eventType: 'bps.standard.version.published',
  subject: 'standards/item/1.1.1',
  releaseId: 'release-1',
  key: 'item-1.1.1',
  cursor: Math.floor(i / 100),
  status: 'pending',
  held: false,
  availableAt: new Date(),
  claim: `claim-${i}` as string | null,
  owner: 'worker-1',
  attempts: 0,
  roundAttempts: 0,
  createdAt: new Date(),
  updatedAt: new Date(),
  deliveredAt: null as Date | null,
  lastStatusCode: 0,
  lastError: '',
});

const round = (n: number, digits = 3): number => +n.toFixed(digits);

async function measure(label: string, rows: number, cpu: () => number, work: () => Promise<void>): Promise<BenchRow> {
  const c0 = cpu();
  const t0 = performance.now();
  await work();
  const wall = performance.now() - t0;
  return { write: label, rows, 'wall ms/row': round(wall / rows), 'db cpu ms/row': round(((cpu() - c0) * 1000) / rows) };
}

const bench: Bench = {
  title: 'Database writes: batched insert and update by _id through FerretDB, against the raw PostgreSQL statements',
  async run(endpoints) {
    const database = await benchDatabase(endpoints.mongoUri, 'bench_writes');
    const { mongo, client } = database;
    const cpu = databaseCpu();
    const results: BenchRow[] = [];
    try {
      for (let r = 1; r <= ROUNDS; r++) {
        const name = `rows_round_${String.fromCharCode(96 + r)}`; // letters only: FerretDB's table names keep only a-z and _
        const collection = mongo.db.collection<ReturnType<typeof row>>(name);
        await mongo.db.createCollection(name);
        await collection.createIndexes(indexes);
        const batches = Array.from({ length: Math.ceil(ROWS / BATCH) }, (_, b) =>
          Array.from({ length: Math.min(BATCH, ROWS - b * BATCH) }, (_, j) => row(b * BATCH + j)),
        );
        results.push(
          await measure(`round ${r}: insertMany of ${BATCH} (FerretDB)`, ROWS, cpu, async () => {
            for (const batch of batches) await collection.insertMany(batch, { ordered: false });
          }),
        );
        const perRow = await measure(`round ${r}: bulkWrite of ${BATCH} updateOne by _id and claim (FerretDB)`, ROWS, cpu, async () => {
          for (const batch of batches)
            await collection.bulkWrite(
              batch.map((d) => ({
                updateOne: {
                  filter: { _id: d._id, claim: d.claim },
                  update: { $set: { claim: null, owner: '', status: 'delivered', deliveredAt: new Date(), updatedAt: new Date() } },
                },
              })),
              { ordered: false },
            );
        });
        results.push(perRow);
        // The same outcome written as notifications' finishMany writes it: one updateMany per batch, `_id $in` and
        // `claim $in` (FerretDB reads the batch with one index scan and writes it in one transaction: patches 0003-0004).
        const many = mongo.db.collection<ReturnType<typeof row>>(`${name}_many`);
        await mongo.db.createCollection(`${name}_many`);
        await many.createIndexes(indexes);
        for (const batch of batches) await many.insertMany(batch, { ordered: false });
        results.push(
          await measure(`round ${r}: updateMany of ${BATCH} by _id $in and claim $in (FerretDB)`, ROWS, cpu, async () => {
            for (const batch of batches)
              await many.updateMany(
                { _id: { $in: batch.map((d) => d._id) }, claim: { $in: batch.map((d) => d.claim) } },
                { $set: { claim: null, owner: '', status: 'delivered', deliveredAt: new Date(), updatedAt: new Date() } },
              );
          }),
        );
        if (!client) continue;
        const table = (await database.tableOf(name))!;
        const selectById = `SELECT _jsonb FROM ${table} WHERE (_jsonb -> '_id') @> $1::jsonb`;
        const updateById = `UPDATE ${table} SET _jsonb = $1 WHERE (_jsonb -> '_id') = $2::jsonb`;
        const raw = await measure(`round ${r}: raw anchor, the same read and write by _id (PostgreSQL)`, ROWS, cpu, async () => {
          for (const batch of batches)
            for (const d of batch) {
              const id = JSON.stringify(d._id);
              const found = await client.query<{ _jsonb: unknown }>(selectById, [id]);
              await client.query(updateById, [found.rows[0]!._jsonb, id]);
            }
        });
        results.push(raw, {
          write: `round ${r}: update by _id, FerretDB / raw`,
          rows: ROWS,
          'wall ms/row': round(Number(perRow['wall ms/row']) / Number(raw['wall ms/row']), 2),
          'db cpu ms/row': round(Number(perRow['db cpu ms/row']) / Number(raw['db cpu ms/row']), 2),
        });
      }
    } finally {
      await database.close();
    }
    return results;
  },
};
export default bench;

// What one read costs on the platform's database (FerretDB v1 on PostgreSQL) when the documents are nested, as the
// registry's are: a province's 81 filing heads (each with its four latest filings inline; the compliance report and
// ListItems with a province read exactly these, tests/bench/results/2026-12-01-registry.md), one head by `_id`, and
// for scale 81 flat documents of the same size (one long string each). The raw anchor is the statement FerretDB
// sends for the same find, sent straight to PostgreSQL on the same table, its rows parsed as JSON by the client:
// what is left is FerretDB's own work (decoding each stored document, converting it to BSON). Per query: wall
// milliseconds (p50, p99) and CPU milliseconds of the database processes (FerretDB, PostgreSQL with its backends).
//
// Size: BENCH_DB_READS_QUERIES (default 200 per row). `npm run bench -- db-reads`; with MONGODB_URI it needs
// BENCH_DB_PIDS and BENCH_DB_POSTGRES_URL, else the raw anchors are left out.
import { RegistryStore } from '../../services/registry/adapters/mongo/store';
import { benchDatabase } from './bench-database';
import { databaseCpu } from './cpu';
import { loadFilings } from './registry-load';
import type { Bench, BenchRow } from './run';

const QUERIES = Number(process.env['BENCH_DB_READS_QUERIES'] ?? 200);
const PROVINCES = [{ code: '110000' }, { code: '120000' }];

const round = (n: number, digits = 2): number => +n.toFixed(digits);

type Measured = { p50: number; p99: number; cpu: number };

async function measure(cpu: () => number, work: () => Promise<unknown>): Promise<Measured> {
  for (let i = 0; i < 5; i++) await work(); // warm-up
  const times: number[] = [];
  const c0 = cpu();
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  const used = cpu() - c0;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p99: at(0.99), cpu: (used * 1000) / QUERIES };
}

const bench: Bench = {
  title: "Database reads of nested documents: a province's 81 filing heads through FerretDB, against the raw PostgreSQL statement",
  async run(endpoints) {
    const database = await benchDatabase(endpoints.mongoUri, 'bench_reads');
    const { mongo, client, tableOf } = database;
    const cpu = databaseCpu();
    const results: BenchRow[] = [];
    const row = (read: string, m: Measured, anchor?: Measured) =>
      results.push({
        read,
        'p50 ms': round(m.p50),
        'p99 ms': round(m.p99),
        'db cpu ms': round(m.cpu),
        ...(anchor ? { 'p50 / raw': round(m.p50 / anchor.p50), 'db cpu / raw': round(m.cpu / anchor.cpu) } : {}),
      });
    try {
      const store = new RegistryStore(mongo.db, {});
      await loadFilings(store, PROVINCES, 50, Date.now() - 10 * 24 * 3600_000, 'bench');
      const heads = mongo.db.collection<{ _id: string; provinceCode: string }>('filing_heads');
      const flat = mongo.db.collection<{ _id: string; p: string; blob: string }>('flat');
      const size = JSON.stringify(await heads.findOne({})).length;
      await flat.insertMany(Array.from({ length: 81 }, (_, i) => ({ _id: `flat-${i}`, p: 'a', blob: 'x'.repeat(size) })));
      await flat.createIndex({ p: 1 }, { name: 'by_p' });
      const oneId = (await heads.findOne({ provinceCode: '110000' }))!._id;

      // The statements FerretDB sends (its explain shows them): an equality as a containment on the field.
      const raw = async (table: string | undefined, field: string, value: string): Promise<Measured | undefined> => {
        if (!client || !table) return undefined;
        const sql = `SELECT _jsonb::text AS doc FROM ${table} WHERE (_jsonb -> '${field}') @> $1::jsonb`;
        return measure(cpu, async () => {
          const { rows } = await client.query<{ doc: string }>(sql, [JSON.stringify(value)]);
          for (const r of rows) JSON.parse(r.doc);
        });
      };

      const headsTable = await tableOf('filing_heads');
      const flatTable = await tableOf('flat');
      const rawHeads = await raw(headsTable, 'provinceCode', '110000');
      if (rawHeads) row("raw anchor: a province's 81 filing heads (PostgreSQL, JSON.parse)", rawHeads);
      row("find a province's 81 filing heads (FerretDB)", await measure(cpu, () => heads.find({ provinceCode: '110000' }).toArray()), rawHeads);
      const rawOne = await raw(headsTable, '_id', oneId);
      if (rawOne) row('raw anchor: one filing head by _id (PostgreSQL, JSON.parse)', rawOne);
      row('findOne one filing head by _id (FerretDB)', await measure(cpu, () => heads.findOne({ _id: oneId })), rawOne);
      const rawFlat = await raw(flatTable, 'p', 'a');
      if (rawFlat) row(`raw anchor: 81 flat documents of ${size} bytes (PostgreSQL, JSON.parse)`, rawFlat);
      row(`find 81 flat documents of ${size} bytes (FerretDB)`, await measure(cpu, () => flat.find({ p: 'a' }).toArray()), rawFlat);
    } finally {
      await database.close();
    }
    return results;
  },
};
export default bench;

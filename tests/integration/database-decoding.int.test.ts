// Every document the platform reads comes back exactly as written (issue #16). The local stack's FerretDB decodes
// stored documents with our patches (infra/local/ferretdb-patches/0005, 0006: one pass per document instead of one
// per level of nesting, ~3x less CPU per read); a decoder that changed one value would corrupt the system of
// record silently. Here documents holding every BSON type the platform can store, nested in objects and arrays,
// are written and read back by find, findOne and an aggregation, and compared byte for byte as BSON; and the
// patches' own Go tests (old and new decoders agree on every test case of FerretDB's) run in the patched source.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Binary, BSON, Decimal128, Double, Int32, Long, ObjectId, BSONRegExp, Timestamp, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferretdbSource, mongoFlavour } from '../../infra/local/mongo';
import { settings } from '../../infra/local/settings';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';

/** One value of each type, as the platform's documents hold them (Decimal128 is refused by FerretDB v1). */
const scalars = (i: number): Document => ({
  text: `公共服务 "${i}" \\ \n\t\u0001 😀`,
  empty: '',
  double: new Double(i + 0.1),
  huge: new Double(1.7976931348623157e308),
  tiny: new Double(5e-324),
  int: new Int32(-2_147_483_648 + i),
  long: Long.fromString('9007199254740993'),
  minLong: Long.fromString('-9223372036854775808'),
  date: new Date(Date.UTC(2026, 11, 2, 3, 4, 5, 678) + i),
  before1970: new Date(Date.UTC(1949, 9, 1)),
  id: ObjectId.createFromHexString('65a1b2c3d4e5f60718293a4b'),
  yes: true,
  no: false,
  nothing: null,
  bytes: new Binary(Buffer.from([0, 1, 2, 254, 255]), 0),
  uuid: new Binary(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'), 4),
  pattern: new BSONRegExp('^HEA-\\d+$', 'i'),
  timestamp: new Timestamp({ t: 1_700_000_000, i: 7 }),
});

/** A registry filing head's shape: records inline, each with items and metrics, arrays of objects of arrays. */
const nested = (i: number): Document => ({
  _id: `head-${i}`,
  provinceCode: '110000',
  ...scalars(i),
  emptyArray: [],
  emptyObject: {},
  recent: Array.from({ length: 4 }, (_, r) => ({
    revision: new Int32(r),
    ...scalars(r),
    metrics: [
      { name: 'coverage', value: new Double(0.95), unit: '%', bounds: [new Double(0), new Double(100)] },
      { name: 'amount', value: Long.fromNumber(120), unit: '元', bounds: [] },
    ],
    // FerretDB v1 refuses arrays directly inside arrays; objects between them are fine.
    deep: { a: { b: { c: [1, { d: [2, { e: [3, { f: scalars(r) }] }] }] } } },
  })),
});

const asBson = (doc: Document): string => Buffer.from(BSON.serialize(doc)).toString('hex');
const asEjson = (doc: Document): string => BSON.EJSON.stringify(doc, { relaxed: false });

describe('documents read back exactly as written', () => {
  let h: MongoHandle;
  const dbName = uniqueName('decoding').replace(/[^a-zA-Z0-9_]/g, '_');
  const written = Array.from({ length: 20 }, (_, i) => nested(i));

  beforeAll(async () => {
    h = await connectMongo(stack().mongoUri, dbName, { promoteValues: false, promoteLongs: false });
    await h.db.collection('heads').insertMany(written.map((d) => ({ ...d })));
  }, 60_000);
  afterAll(async () => {
    await h?.db.dropDatabase().catch(() => undefined);
    await h?.close();
  });

  it('find, findOne and aggregate return every value of every type, in order, at every depth', async () => {
    const heads = h.db.collection('heads');
    const found = await heads.find({ provinceCode: '110000' }, { sort: { _id: 1 } }).toArray();
    const expected = [...written].sort((a, b) => String(a['_id']).localeCompare(String(b['_id'])));
    expect(found.map(asEjson)).toEqual(expected.map(asEjson)); // the values, readably
    expect(found.map(asBson)).toEqual(expected.map(asBson)); // and their order and types, byte for byte
    for (const doc of written.slice(0, 3)) expect(asBson((await heads.findOne({ _id: doc['_id'] }))!)).toBe(asBson(doc));
    const aggregated = await heads.aggregate([{ $match: { _id: 'head-7' } }]).toArray();
    expect(aggregated.map(asBson)).toEqual([asBson(written[7]!)]);
  });

  it('stores -0 as 0 (PostgreSQL jsonb keeps no negative zero; upstream FerretDB on PostgreSQL does the same)', async () => {
    // No platform value is a negative zero (amounts are decimal strings); this pins the limitation down.
    const zeros = h.db.collection('zeros');
    await zeros.insertOne({ _id: 'z', value: new Double(-0) } as Document);
    const back = (await zeros.findOne({ _id: 'z' } as Document))!['value'] as Double;
    expect(back.value).toBe(0);
  });

  it('refuses what it cannot store, and keeps what it stored', async () => {
    const heads = h.db.collection('heads');
    await expect(heads.insertOne({ _id: 'decimal', value: Decimal128.fromString('1.1') } as Document)).rejects.toThrow();
    expect(Number(await heads.countDocuments({}))).toBe(written.length);
  });
});

describe("the FerretDB patches' own tests", () => {
  const s = settings();
  const src = ferretdbSource(s);
  const runnable = mongoFlavour(s) === 'ferretdb' && existsSync(join(src, 'go.mod'));

  it.skipIf(!runnable)(
    'pass in the source the running binary was built from (sjson decoders agree)',
    () => {
      // FerretDB's test helpers find the repository root by its .git directory: give the copy one while they run.
      const marker = join(src, '.git');
      const made = !existsSync(marker);
      if (made) mkdirSync(marker);
      try {
        const result = spawnSync('go', ['test', '-count=1', './internal/handler/sjson/', './internal/types/'], {
          cwd: src,
          env: { ...process.env, GOFLAGS: '-mod=mod' },
          encoding: 'utf8',
          timeout: 600_000,
        });
        expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
        expect(result.stdout).toMatch(/^ok\s+github\.com\/FerretDB\/FerretDB\/internal\/handler\/sjson/m);
      } finally {
        if (made) rmSync(marker, { recursive: true, force: true });
      }
    },
    660_000,
  );
});

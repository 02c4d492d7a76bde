// Registry read performance on a large history: point-in-time item lookups (national and provincial) and the
// whole catalogue as of a date, through gRPC, next to a raw MongoDB findOne on the same data in the same run.
// Also the same lookup on an item with 1,000 versions: cost must not grow with history length.
//
// Size: BENCH_REGISTRY_PROVINCES (default 4; 31 = the full ~125k filings of 31 provinces x 81 items x 50 versions)
// and BENCH_REGISTRY_VERSIONS (default 50). `npm run bench -- registry`.
import * as grpc from '@grpc/grpc-js';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { tokenFor } from '../support/identity';
import { unary } from '../../services/shared/grpc/client';
import { createLogger } from '../../services/shared/log/logger';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { ChangeType } from '../../proto/gen/bps/standards/v1/events';
import { toDateMessage } from '../../services/registry/domain/dates';
import { addDays } from '../../services/shared/standards/china-date';
import { pagesOfFilings, pagesOfVersions } from '../../services/registry/adapters/mongo/store';
import type { FilingDoc, FilingHead, FilingPage, HeadEntry, ItemHead, VersionDoc, VersionPage } from '../../services/registry/application/records';
import { baselineRelease, provinces } from '../../services/registry/seed/baseline';
import type { Bench, BenchRow } from './run';
import { startPlatform } from '../support/platform';

const PROVINCES = Number(process.env['BENCH_REGISTRY_PROVINCES'] ?? 4);
const VERSIONS = Number(process.env['BENCH_REGISTRY_VERSIONS'] ?? 50);
const LONG = 1000;
const SAMPLES = Number(process.env['BENCH_REGISTRY_SAMPLES'] ?? 200);
const CONCURRENCY = 8;
const START = '2017-01-23';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(name: string, samples: number, op: (i: number) => Promise<unknown>): Promise<BenchRow & { p50: number }> {
  for (let i = 0; i < 5; i++) await op(i); // warm-up
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await op(i);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < samples) await op(next++);
    }),
  );
  const throughput = samples / ((performance.now() - t) / 1000);
  const p50 = percentile(latencies, 50);
  console.log(`${name}: p50 ${p50.toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, ${throughput.toFixed(1)} ops/s (c=${CONCURRENCY})`);
  return {
    query: name,
    samples,
    p50,
    p50_ms: +p50.toFixed(2),
    p99_ms: +percentile(latencies, 99).toFixed(2),
    [`ops_per_s(c=${CONCURRENCY})`]: +throughput.toFixed(1),
  };
}

async function insertChunked<T>(insert: (docs: T[]) => Promise<unknown>, docs: T[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 1000) await insert(docs.slice(i, i + 1000));
}

const bench: Bench = {
  title: `Registry point-in-time reads (${PROVINCES} provinces x 81 items x ${VERSIONS} versions + one item with ${LONG} versions)`,
  async run(endpoints) {
    // The relay runs as in production: idle, it reads only its pending markers.
    const p = await startPlatform('bench-registry', {
      services: ['registry'],
      overrides: { registry: { schedulerPollMs: 3_600_000, relayPollMs: 200, logger: createLogger('bench-registry', 'warn') } },
    });
    const running = p.registry;
    const dbName = p.names.db('registry');
    const mongo = await connectMongo(endpoints.mongoUri, dbName);
    const rows: BenchRow[] = [];
    try {
      // ---- load: national versions 2..V of the 81 seeded items, one item with LONG versions, provincial filings
      const loadStart = performance.now();
      const base = baselineRelease();
      const recordedBase = Date.now() - 10 * 24 * 3600_000;
      const sent = new Date();
      const versionDocs: VersionDoc[] = [];
      const heads: ItemHead[] = [];
      const makeVersions = (itemCode: string, template: VersionDoc['item'], count: number, stepDays: number, fromVersion: number): VersionDoc[] =>
        Array.from({ length: count - fromVersion + 1 }, (_, k) => {
          const version = fromVersion + k;
          return {
            _id: `${itemCode}:v${version}:r0`,
            aggregateId: itemCode,
            sequence: version * 1000,
            itemCode,
            version,
            revision: 0,
            effectiveFrom: addDays(START, (version - 1) * stepDays),
            recordedAt: new Date(recordedBase + version * 1000),
            item: { ...template, itemCode, serviceContent: { stated: true, text: `bench version ${version}` } },
            retired: false,
            releaseId: `bench-${version}`,
            releaseKind: ReleaseKind.RELEASE_KIND_AMENDMENT,
            changeType: ChangeType.CHANGE_TYPE_MODIFIED,
            lineageFrom: [],
            provenance: null,
            correctionOf: '',
            correctionReason: '',
          };
        });
      const versionPages: VersionPage[] = [];
      const headOf = (itemCode: string, all: VersionDoc[]): ItemHead => {
        const { pages, summaries } = pagesOfVersions(itemCode, all);
        versionPages.push(...pages);
        return {
          _id: itemCode,
          rev: 1000,
          latest: all.at(-1)!.version,
          pages: summaries,
          recent: all.slice(-4).map((v): HeadEntry => ({ version: v.version, effectiveFrom: v.effectiveFrom, records: [v] })),
        };
      };
      for (const v of base.versions) {
        const v1 = await running.store.versions.findOne({ _id: `${v.itemCode}:v1:r0` });
        const rest = makeVersions(v.itemCode, v.item, VERSIONS, 30, 2);
        versionDocs.push(...rest);
        heads.push(headOf(v.itemCode, [v1!, ...rest]));
      }
      const long = makeVersions('BENCH-1K', base.versions[0]!.item, LONG, 1, 1).map((v) => ({ ...v, item: { ...v.item, fieldCode: 'F17-EDU' } }));
      versionDocs.push(...long);
      heads.push(headOf('BENCH-1K', long));
      await insertChunked((d) => running.store.versions.insertMany(d), versionDocs);
      for (const h of heads) await running.store.heads.replaceOne({ _id: h._id }, h, { upsert: true });
      await running.store.pages.deleteMany({});
      await insertChunked((d) => running.store.pages.insertMany(d), versionPages);

      const chosen = provinces.slice(0, PROVINCES);
      let filingCount = 0;
      for (const p of chosen) {
        const filings: FilingDoc[] = [];
        const filingHeads: FilingHead[] = [];
        const filingPages: FilingPage[] = [];
        for (const v of base.versions) {
          const mine: FilingDoc[] = Array.from({ length: VERSIONS }, (_, k) => ({
            _id: `${p.code}:${v.itemCode}:${k + 1}`,
            provinceCode: p.code,
            itemCode: v.itemCode,
            fieldCode: v.item.fieldCode,
            effectiveFrom: addDays('2017-02-01', k * 30),
            recordedAt: new Date(recordedBase + k * 1000),
            metrics: (v.item.qualityStandard?.metrics ?? []).map((m) => ({
              metric: m.metric,
              value: String(Number(m.value) + k),
              unit: m.unit,
              basis: m.basis,
            })),
            comparisons: [],
            exceeds: false,
            nationalVersion: 1,
            localFunding: null,
            localFundingSource: '',
            note: '',
            actor: { subject: 'bench', organisation: p.code, roles: ['province-officer'] },
            outbox: { topic: 'unused', event: {} as never, sentAt: sent }, // already "sent": the relay skips the bulk load
          }));
          filings.push(...mine);
          const { pages, summaries } = pagesOfFilings(`${p.code}:${v.itemCode}`, mine);
          filingPages.push(...pages);
          filingHeads.push({
            _id: `${p.code}:${v.itemCode}`,
            provinceCode: p.code,
            itemCode: v.itemCode,
            rev: 1,
            latest: VERSIONS,
            recent: mine.slice(-4).map(({ outbox: _o, ...f }) => f),
            pages: summaries,
          });
        }
        await insertChunked((d) => running.store.filings.insertMany(d), filings);
        await running.store.filingHeads.insertMany(filingHeads);
        await insertChunked((d) => running.store.filingPages.insertMany(d), filingPages);
        filingCount += filings.length;
      }
      const loadSeconds = (performance.now() - loadStart) / 1000;
      console.log(`loaded ${versionDocs.length + 81} national item versions and ${filingCount} provincial filings in ${loadSeconds.toFixed(1)} s`);

      // ---- measure
      const client = new StandardRegistryClient(`127.0.0.1:${running.grpcPort}`, grpc.credentials.createInsecure());
      const token = await tokenFor('beijing-officer');
      const codes = base.versions.map((v) => v.itemCode);
      let seed = 42;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const historyDays = (VERSIONS - 1) * 30;
      const randomDate = (days: number) => toDateMessage(addDays(START, rand(days + 60)));
      const pick = <T>(list: readonly T[]): T => list[rand(list.length)] as T;

      const rawFiling = await measure('raw MongoDB findOne(_id) — one filing', SAMPLES, () =>
        mongo.db.collection('filings').findOne({ _id: `${pick(chosen).code}:${pick(codes)}:${1 + rand(VERSIONS)}` } as never),
      );
      const rawVersion = await measure('raw MongoDB findOne(_id) — one item version', SAMPLES, () =>
        mongo.db.collection('item_versions').findOne({ _id: `${pick(codes)}:v${1 + rand(VERSIONS)}:r0` } as never),
      );
      const ratio = (row: BenchRow & { p50: number }, raw: { p50: number }): BenchRow => {
        const { p50, ...rest } = row;
        return { ...rest, 'p50 / raw p50': +(p50 / raw.p50).toFixed(1) };
      };
      const nationalRandom = await measure(`gRPC GetItem national, random date (${VERSIONS} versions)`, SAMPLES, () =>
        unary(client.getItem.bind(client), { itemCode: pick(codes), asOf: { date: randomDate(historyDays), knownAt: undefined }, provinceCode: '' }, token),
      );
      const nationalToday = await measure(`gRPC GetItem national, today (${VERSIONS} versions)`, SAMPLES, () =>
        unary(client.getItem.bind(client), { itemCode: pick(codes), asOf: undefined, provinceCode: '' }, token),
      );
      const provincialRandom = await measure(`gRPC GetItem provincial, random date (${VERSIONS} + ${VERSIONS} versions)`, SAMPLES, () =>
        unary(
          client.getItem.bind(client),
          { itemCode: pick(codes), asOf: { date: randomDate(historyDays), knownAt: undefined }, provinceCode: pick(chosen).code },
          token,
        ),
      );
      const longRandom = await measure(`gRPC GetItem national, random date (${LONG} versions)`, SAMPLES, () =>
        unary(client.getItem.bind(client), { itemCode: 'BENCH-1K', asOf: { date: randomDate(LONG), knownAt: undefined }, provinceCode: '' }, token),
      );
      const longToday = await measure(`gRPC GetItem national, today (${LONG} versions)`, SAMPLES, () =>
        unary(client.getItem.bind(client), { itemCode: 'BENCH-1K', asOf: undefined, provinceCode: '' }, token),
      );
      const catalogue = await measure('gRPC ListItems whole catalogue, random date', Math.max(20, SAMPLES / 10), () =>
        unary(
          client.listItems.bind(client),
          { asOf: { date: randomDate(historyDays), knownAt: undefined }, fieldCode: '', categoryCode: '', provinceCode: '' },
          token,
        ),
      );
      const catalogueProvince = await measure('gRPC ListItems whole catalogue + province, random date', Math.max(20, SAMPLES / 10), () =>
        unary(
          client.listItems.bind(client),
          { asOf: { date: randomDate(historyDays), knownAt: undefined }, fieldCode: '', categoryCode: '', provinceCode: pick(chosen).code },
          token,
        ),
      );
      client.close();

      rows.push(
        ratio(rawFiling, rawFiling),
        ratio(rawVersion, rawVersion),
        ratio(nationalToday, rawVersion),
        ratio(nationalRandom, rawVersion),
        ratio(provincialRandom, rawFiling),
        ratio(longToday, rawVersion),
        ratio(longRandom, rawVersion),
        ratio(catalogue, rawVersion),
        ratio(catalogueProvince, rawFiling),
      );
      rows.push({
        query: `load: ${versionDocs.length + 81} versions + ${filingCount} filings`,
        samples: 1,
        p50_ms: +(loadSeconds * 1000).toFixed(0),
        p99_ms: 0,
      });
      return rows;
    } finally {
      await mongo.close();
      await p.stop();
    }
  },
};

export default bench;

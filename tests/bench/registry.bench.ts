// Registry reads at full size (issue #16, row "registry"): point-in-time item lookups (national and provincial),
// the whole catalogue (today and at a past date) and a province's compliance report, through gRPC, next to a raw
// MongoDB findOne(_id) on the same data in the same run, at two sizes with the growth between them.
//
// Sizes: BENCH_REGISTRY_SIZES provinces (default "3,31": 1x and the full 31 provinces x 81 items x 50 versions,
// ~125,000 filings); BENCH_REGISTRY_VERSIONS (default 50). The smaller size is loaded and measured first, then the
// other provinces are added to the same database and the registry restarted (nothing kept from the first size).
// Every background process runs as in production (the outbox relay at its usual 200 ms; the due-list scheduler
// is slowed only because no release is due). `npm run bench -- registry`.
import { loadavg } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { tokenFor } from '../support/identity';
import { unary } from '../../services/shared/grpc/client';
import { createLogger } from '../../services/shared/log/logger';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import { toDateMessage } from '../../services/registry/domain/dates';
import { STAMP_SETTLE_MS } from '../../services/registry/application/stamped';
import { addDays } from '../../services/shared/standards/china-date';
import { baselineRelease } from '../../services/registry/seed/baseline';
import type { Bench, BenchRow } from './run';
import { startPlatform } from '../support/platform';
import { loadFilings, loadNational, provinces, START, STEP_DAYS } from './registry-load';

const SIZES = (process.env['BENCH_REGISTRY_SIZES'] ?? '3,31').split(',').map(Number);
const VERSIONS = Number(process.env['BENCH_REGISTRY_VERSIONS'] ?? 50);
const LONG = 1000;
const SAMPLES = Number(process.env['BENCH_REGISTRY_SAMPLES'] ?? 200);
const LIST_SAMPLES = Number(process.env['BENCH_REGISTRY_LIST_SAMPLES'] ?? 50);
const CONCURRENCY = 8;
/** The past date the catalogue and the report are read at (a date users ask about: the 2021 edition's). */
const PAST_DATE = '2021-03-30';

type Measured = { p50: number; p99: number; opsPerS: number };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(name: string, samples: number, op: (i: number) => Promise<unknown>): Promise<Measured> {
  for (let i = 0; i < 5; i++) await op(samples + i); // warm-up (inputs not among the measured ones when random)
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
  const opsPerS = samples / ((performance.now() - t) / 1000);
  const m = { p50: percentile(latencies, 50), p99: percentile(latencies, 99), opsPerS };
  console.log(`${name}: p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, ${opsPerS.toFixed(1)} ops/s (c=${CONCURRENCY})`);
  return m;
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const bench: Bench = {
  title: `Registry reads at ${SIZES.join(' and ')} provinces x 81 items x ${VERSIONS} versions (+ one item with ${LONG} versions)`,
  async run(endpoints) {
    const p = await startPlatform('bench-registry', {
      services: ['registry'],
      overrides: { registry: { schedulerPollMs: 3_600_000, relayPollMs: 200, logger: createLogger('bench-registry', 'warn') } },
    });
    const dbName = p.names.db('registry');
    const mongo = await connectMongo(endpoints.mongoUri, dbName);
    const results = new Map<string, Map<number, Measured & { anchor?: string }>>();
    const anchors = new Map<number, Map<string, Measured>>();
    const notes: BenchRow[] = [];
    try {
      const recordedBase = Date.now() - 10 * 24 * 3600_000;
      const t0 = performance.now();
      const nationalCount = await loadNational(p.registry.store, VERSIONS, LONG, recordedBase);
      notes.push({ query: `load: ${nationalCount} national versions`, seconds: +((performance.now() - t0) / 1000).toFixed(1) });
      let loaded = 0;
      const codes = baselineRelease().versions.map((v) => v.itemCode);
      const token = await tokenFor('beijing-officer');

      for (const size of [...SIZES].sort((a, b) => a - b)) {
        const t1 = performance.now();
        const filings = await loadFilings(p.registry.store, provinces.slice(loaded, size), VERSIONS, recordedBase, p.namespace);
        notes.push({ query: `load: provinces ${loaded + 1}..${size}: ${filings} filings`, seconds: +((performance.now() - t1) / 1000).toFixed(1) });
        loaded = size;
        await p.restart('registry'); // nothing kept from the smaller size
        await new Promise((resolve) => setTimeout(resolve, STAMP_SETTLE_MS + 500)); // the load's stamps settle
        console.log(`\n### ${size} provinces (load average ${load()})`);
        const chosen = provinces.slice(0, size);
        const client = new StandardRegistryClient(p.address('registry'), grpc.credentials.createInsecure());
        let seed = 42;
        const rand = (n: number): number => {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          return seed % n;
        };
        const historyDays = (VERSIONS - 1) * STEP_DAYS;
        const randomDate = (days: number) => toDateMessage(addDays(START, rand(days + 60)));
        const pick = <T>(list: readonly T[]): T => list[rand(list.length)] as T;
        const past = { date: toDateMessage(PAST_DATE), knownAt: undefined };
        const row = (name: string, m: Measured, anchor?: string) => {
          const bySize = results.get(name) ?? new Map();
          bySize.set(size, { ...m, ...(anchor ? { anchor } : {}) });
          results.set(name, bySize);
        };
        const anchorOf = new Map<string, Measured>();
        anchors.set(size, anchorOf);

        anchorOf.set(
          'filing',
          await measure('raw findOne(_id) — one filing', SAMPLES, () =>
            mongo.db.collection('filings').findOne({ _id: `${pick(chosen).code}:${pick(codes)}:${1 + rand(VERSIONS)}` } as never),
          ),
        );
        anchorOf.set(
          'version',
          await measure('raw findOne(_id) — one item version', SAMPLES, () =>
            mongo.db.collection('item_versions').findOne({ _id: `${pick(codes)}:v${1 + rand(VERSIONS)}:r0` } as never),
          ),
        );
        const getItem = (itemCode: string, asOf: { date: ReturnType<typeof toDateMessage>; knownAt: undefined } | undefined, provinceCode = '') =>
          unary(client.getItem.bind(client), { itemCode, asOf, provinceCode }, token);
        row('GetItem national, today', await measure('GetItem national, today', SAMPLES, () => getItem(pick(codes), undefined)), 'version');
        row(
          'GetItem national, random past date (first reads)',
          await measure('GetItem national, random past date (first reads)', SAMPLES, () =>
            getItem(pick(codes), { date: randomDate(historyDays), knownAt: undefined }),
          ),
          'version',
        );
        row(
          'GetItem provincial, random past date (first reads)',
          await measure('GetItem provincial, random past date (first reads)', SAMPLES, () =>
            getItem(pick(codes), { date: randomDate(historyDays), knownAt: undefined }, pick(chosen).code),
          ),
          'filing',
        );
        // Steady state: every version record read once (as a registry that has served for a while holds them).
        for (const code of codes) {
          await Promise.all(
            Array.from({ length: VERSIONS }, (_, k) => getItem(code, { date: toDateMessage(addDays(START, k * STEP_DAYS)), knownAt: undefined })),
          );
        }
        row(
          'GetItem national, random past date (records read before)',
          await measure('GetItem national, random past date (records read before)', SAMPLES, () =>
            getItem(pick(codes), { date: randomDate(historyDays), knownAt: undefined }),
          ),
          'version',
        );
        row(
          `GetItem national, random past date (${LONG} versions)`,
          await measure(`GetItem national, random past date (${LONG} versions)`, SAMPLES, () =>
            getItem('BENCH-1K', { date: randomDate(LONG), knownAt: undefined }),
          ),
          'version',
        );
        const listItems = (asOf: typeof past | undefined, provinceCode = '') =>
          unary(client.listItems.bind(client), { asOf, fieldCode: '', categoryCode: '', provinceCode }, token);
        row('ListItems whole catalogue, today', await measure('ListItems whole catalogue, today', LIST_SAMPLES, () => listItems(undefined)), 'version');
        row(
          `ListItems whole catalogue, ${PAST_DATE}`,
          await measure(`ListItems whole catalogue, ${PAST_DATE}`, LIST_SAMPLES, () => listItems(past)),
          'version',
        );
        row(
          'ListItems whole catalogue, random past date',
          await measure('ListItems whole catalogue, random past date', LIST_SAMPLES, () => listItems({ date: randomDate(historyDays), knownAt: undefined })),
          'version',
        );
        row(
          'ListItems whole catalogue + province, today',
          await measure('ListItems whole catalogue + province, today', LIST_SAMPLES, () => listItems(undefined, pick(chosen).code)),
          'filing',
        );
        const report = (provinceCode: string, asOf: typeof past | undefined) => unary(client.getComplianceReport.bind(client), { provinceCode, asOf }, token);
        row(
          'GetComplianceReport one province, today',
          await measure('GetComplianceReport one province, today', LIST_SAMPLES, () => report(pick(chosen).code, undefined)),
          'filing',
        );
        row(
          `GetComplianceReport one province, ${PAST_DATE}`,
          await measure(`GetComplianceReport one province, ${PAST_DATE}`, LIST_SAMPLES, () => report(pick(chosen).code, past)),
          'filing',
        );
        client.close();
        console.log(`load average after ${size} provinces: ${load()}`);
        notes.push({ query: `load average after measuring ${size} provinces`, seconds: load() });
      }

      // ---- one row per read: each size's p50/p99, p99 against the raw anchor's p99, growth of p99 between sizes
      const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)];
      const fmt = (n: number | undefined) => (n === undefined ? '' : +n.toFixed(2));
      const rows: BenchRow[] = [];
      for (const kind of ['version', 'filing'] as const) {
        const s = anchors.get(small)?.get(kind);
        const l = anchors.get(large)?.get(kind);
        rows.push({
          query: `raw findOne(_id) — one ${kind === 'version' ? 'item version' : 'filing'} (anchor)`,
          [`p50 ${small}`]: fmt(s?.p50),
          [`p99 ${small}`]: fmt(s?.p99),
          [`p50 ${large}`]: fmt(l?.p50),
          [`p99 ${large}`]: fmt(l?.p99),
          [`p99 growth ${large}/${small}`]: s && l ? fmt(l.p99 / s.p99) : '',
        });
      }
      for (const [name, bySize] of results) {
        const s = bySize.get(small);
        const l = bySize.get(large);
        const ratio = (m: (Measured & { anchor?: string }) | undefined, size: number) => {
          const a = m?.anchor ? anchors.get(size)?.get(m.anchor as 'version') : undefined;
          return m && a ? fmt(m.p99 / a.p99) : '';
        };
        rows.push({
          query: name,
          [`p50 ${small}`]: fmt(s?.p50),
          [`p99 ${small}`]: fmt(s?.p99),
          [`p99/raw ${small}`]: ratio(s, small),
          [`p50 ${large}`]: fmt(l?.p50),
          [`p99 ${large}`]: fmt(l?.p99),
          [`p99/raw ${large}`]: ratio(l, large),
          [`ops/s ${large} (c=${CONCURRENCY})`]: fmt(l?.opsPerS),
          [`p99 growth ${large}/${small}`]: s && l ? fmt(l.p99 / s.p99) : '',
        });
      }
      console.table(notes);
      return rows;
    } finally {
      await mongo.close();
      await p.stop();
    }
  },
};

export default bench;

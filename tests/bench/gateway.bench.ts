// Gateway latency over the real registry: the catalogue as of a date (JSON API and console page) and one item.
import { tokenFor } from '../support/identity';
import type { Bench, BenchRow } from './run';
import { startPlatform } from '../support/platform';

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const bench: Bench = {
  title: 'gateway: HTTP latency over the registry',
  async run() {
    const p = await startPlatform('bench-gw', {
      services: ['registry', 'gateway'],
      overrides: { registry: { schedulerPollMs: 60_000 }, gateway: { rateLimit: { burst: 1e6, perSecond: 1e6 } } },
    });
    const { gateway } = p;
    const token = await tokenFor('nhc-staff');
    const rows: BenchRow[] = [];
    try {
      const cases: [string, string, Record<string, string>][] = [
        ['GET /api/v1/standards/items?date (81 items)', '/api/v1/standards/items?date=2018-01-01', { authorization: `Bearer ${token}` }],
        ['GET /api/v1/standards/items/INS-05', '/api/v1/standards/items/INS-05', { authorization: `Bearer ${token}` }],
        ['GET /standards?date (console page)', '/standards?date=2018-01-01', { cookie: `bps_token=${token}` }],
      ];
      for (const [name, path, headers] of cases) {
        for (let i = 0; i < 5; i++) await (await fetch(gateway.url + path, { headers })).arrayBuffer(); // warm-up
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 50; i++) {
          const t0 = performance.now();
          const res = await fetch(gateway.url + path, { headers });
          bytes = (await res.arrayBuffer()).byteLength;
          if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        rows.push({
          request: name,
          n: times.length,
          'p50 ms': percentile(times, 50).toFixed(1),
          'p95 ms': percentile(times, 95).toFixed(1),
          'max ms': (times.at(-1) ?? 0).toFixed(1),
          bytes: bytes,
        });
      }
    } finally {
      await p.stop();
    }
    return rows;
  },
};
export default bench;

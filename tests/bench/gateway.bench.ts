// Gateway latency over the real registry: the catalogue as of a date (JSON API and console page) and one item.
import { startGateway } from '../../services/gateway/app';
import { startRegistry } from '../../services/registry/app';
import { testVerifier, tokenFor } from '../support/identity';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { createLogger } from '../../services/shared/log/logger';
import { uniqueName } from '../support/names';
import type { Bench, BenchRow } from './run';
import { kafkaCredentials } from '../support/kafka';
import { decisionVerifyingDeps } from '../support/decisions';

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const bench: Bench = {
  title: 'gateway: HTTP latency over the registry',
  async run(endpoints) {
    const logger = createLogger('bench', 'silent');
    const tokens = testVerifier();
    const dbName = uniqueName('bench-gw').replace(/[^a-zA-Z0-9_-]/g, '_');
    const registry = await startRegistry({ ...decisionVerifyingDeps(),  mongoUri: endpoints.mongoUri, dbName, kafkaBrokers: endpoints.kafkaBrokers, kafkaCredentials: kafkaCredentials('registry'), topicNamespace: uniqueName('bench-gw'), grpcPort: 0, tokens, logger, schedulerPollMs: 60_000 });
    const closed = '127.0.0.1:9';
    const gateway = await startGateway({ port: 0, tokens, logger, environment: 'test', backends: { registry: `127.0.0.1:${registry.grpcPort}`, proposals: closed, approvals: closed, notifications: closed, audit: closed }, rateLimit: { burst: 1e6, perSecond: 1e6 } });
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
        rows.push({ request: name, n: times.length, 'p50 ms': percentile(times, 50).toFixed(1), 'p95 ms': percentile(times, 95).toFixed(1), 'max ms': (times.at(-1) ?? 0).toFixed(1), 'bytes': bytes });
      }
    } finally {
      await gateway.stop();
      await registry.stop();
      const mongo = await connectMongo(endpoints.mongoUri, dbName);
      await mongo.db.dropDatabase();
      await mongo.close();
    }
    return rows;
  },
};
export default bench;

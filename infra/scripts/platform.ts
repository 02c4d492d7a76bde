// The platform launcher behind `npm start`: brings up the real infrastructure, then every service, prints
// where each listens, and on Ctrl-C stops the services and the infrastructure it started.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { portOpen } from '../local/process';
import { settings } from '../local/settings';
import { ensureStack, stopStack } from '../local/stack';
import { temporalUiUrl } from '../local/temporal';
import { instanceAddressEnv, launchInstances, serviceInstances, type ServiceInstance } from './launch';
import { Supervisor } from './supervisor';
import { demoServiceEnv } from './demo';
import { runDemoLoad, runDemoRemove } from './demo-cli';

const root = fileURLToPath(new URL('../..', import.meta.url));
const s = settings();
const began = Date.now();

const { started, endpoints, secrets } = await ensureStack(s);
// --demo: the demonstration data set on its own databases and topics (infra/scripts/demo.ts); --demo-remove drops them.
const demo = process.argv.includes('--demo');
if (process.argv.includes('--demo-remove')) {
  await runDemoRemove(secrets, endpoints);
  if (process.env['BPS_KEEP_INFRA'] !== '1') await stopStack(s, started);
  process.exit(0);
}
if (demo) console.error('[start] --demo: services run on the demonstration databases (bps_*_demo) and topics (*.demo), apart from real data');
console.error("[start] development mode: services get BPS_ENV=development and the local stack's generated keys (persona sign-in on loopback only)");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  BPS_KAFKA_BROKERS: endpoints.kafkaBrokers,
  MONGODB_URI: endpoints.mongoUri,
  BPS_TEMPORAL_ADDRESS: endpoints.temporalAddress,
  BPS_TEMPORAL_NAMESPACE: endpoints.temporalNamespace,
  ...(demo ? demoServiceEnv() : {}),
};

// --replicas N: N instances of every service (infra/scripts/launch.ts), sharing consumer groups, task queues and
// databases; clients spread their calls over all instances of the service they call.
const replicas = replicasArgument(process.argv.slice(2));
const instances = serviceInstances({ replicas, logDir: s.logDir });
const supervisor = new Supervisor();
let running: ServiceInstance[] = [];
mkdirSync(s.logDir, { recursive: true });
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  console.error('\n[start] stopping services…');
  await supervisor.stop();
  if (process.env['BPS_KEEP_INFRA'] !== '1') {
    console.error(`[start] stopping infrastructure (${started.join(', ') || 'none started here'})…`);
    await stopStack(s, started);
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  running = await launchInstances({ root, instances, env: { ...env, ...instanceAddressEnv(replicas) }, secrets, supervisor });
} catch (error) {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}

const rows: Record<string, string>[] = [
  { component: 'Kafka', endpoint: endpoints.kafkaBrokers },
  { component: 'Temporal', endpoint: `${endpoints.temporalAddress} (namespace ${endpoints.temporalNamespace})` },
  {
    component: 'Temporal Web UI',
    // A dev server started headless by an older checkout serves none until the stack restarts.
    endpoint: (await portOpen(s.temporal.uiPort))
      ? temporalUiUrl(s)
      : `not served on 127.0.0.1:${s.temporal.uiPort} (Temporal was started without it: npm run infra -- stop temporal, then npm start)`,
  },
  { component: 'MongoDB protocol', endpoint: endpoints.mongoUri },
  ...running.map((i) =>
    i.spec.httpPortEnv
      ? { component: `${i.name} (HTTP)`, endpoint: `http://127.0.0.1:${i.port}/` }
      : { component: `${i.name} (gRPC)`, endpoint: `127.0.0.1:${i.port}` },
  ),
  ...running.map((i) => ({ component: `${i.name} (metrics)`, endpoint: `http://127.0.0.1:${i.metricsPort}/metrics` })),
];
console.log(`\nBasic public service standards platform is up (${((Date.now() - began) / 1000).toFixed(0)}s).`);
console.table(rows);
const gateway = running.find((i) => i.spec.name === 'gateway');
if (gateway) console.log(`web console: http://127.0.0.1:${gateway.port}/  (API: /openapi.json)`);
console.log(
  `crashed services are restarted with backoff (said here)\nlogs: ${s.logDir}\nbearer token for a seeded persona: npm run token -- nhc-staff\nstop: Ctrl-C`,
);
if (demo && gateway) {
  try {
    await runDemoLoad(secrets, `http://127.0.0.1:${gateway.port}`);
  } catch (error) {
    console.error(`[start] the demonstration data was not loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
}
// Stay in the foreground until Ctrl-C, even when no service process holds the event loop open.
setInterval(() => undefined, 1 << 30);

/** `--replicas N` or `--replicas=N`; 1 when absent. */
function replicasArgument(args: readonly string[]): number {
  const at = args.findIndex((a) => a === '--replicas' || a.startsWith('--replicas='));
  if (at < 0) return 1;
  const raw = args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 9) {
    console.error(`[start] --replicas takes a whole number from 1 to 9 (got ${raw ?? 'nothing'})`);
    process.exit(2);
  }
  return n;
}

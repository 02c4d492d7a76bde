// The platform launcher behind `npm start`: brings up the real infrastructure, then every service, prints
// where each listens, and on Ctrl-C stops the services and the infrastructure it started.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portOpen, sleep } from '../local/process';
import { settings } from '../local/settings';
import { devServiceEnv } from '../local/secrets';
import { ensureStack, stopStack } from '../local/stack';
import { temporalUiUrl } from '../local/temporal';
import { platformServices, serviceAddressEnv } from './services';
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
  ...serviceAddressEnv(), // REGISTRY_GRPC_ADDRESS, PROPOSALS_GRPC_ADDRESS, …
  ...(demo ? demoServiceEnv() : {}),
};

// Services run as `node --import tsx <main.ts>` (not through the tsx launcher), so the supervised pid is the service
// itself: a kill -9 of it is seen at once, and no orphan keeps its port.
const supervisor = new Supervisor();
const running: string[] = [];
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

for (const service of platformServices) {
  const entry = join(root, service.entry);
  if (!existsSync(entry)) continue;
  const portEnv = service.httpPortEnv ?? service.grpcPortEnv;
  const port = Number(process.env[portEnv] ?? (service.httpPortEnv ? service.httpPort : service.grpcPort));
  const logPath = join(s.logDir, `${service.name}.log`);
  const child = supervisor.start({
    name: service.name,
    spawn: () => {
      const out = openSync(logPath, 'a');
      try {
        return spawn(process.execPath, ['--import', 'tsx', entry], {
          cwd: root,
          env: { ...env, ...devServiceEnv(secrets, service.name), [portEnv]: String(port) },
          stdio: ['ignore', out, out],
        });
      } finally {
        closeSync(out);
      }
    },
  });
  running.push(service.name);
  const deadline = Date.now() + 120_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      console.error(`[start] ${service.name} did not start; see ${logPath}`);
      await shutdown(1);
    }
    await sleep(300);
  }
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
  ...platformServices
    .filter((p) => running.includes(p.name))
    .map((p) =>
      p.httpPortEnv
        ? { component: `${p.name} (HTTP)`, endpoint: `http://127.0.0.1:${process.env[p.httpPortEnv] ?? p.httpPort}/` }
        : { component: `${p.name} (gRPC)`, endpoint: `127.0.0.1:${process.env[p.grpcPortEnv] ?? p.grpcPort}` },
    ),
  ...platformServices
    .filter((p) => running.includes(p.name))
    .map((p) => ({ component: `${p.name} (metrics)`, endpoint: `http://127.0.0.1:${process.env[p.metricsPortEnv] ?? p.metricsPort}/metrics` })),
];
console.log(`\nBasic public service standards platform is up (${((Date.now() - began) / 1000).toFixed(0)}s).`);
console.table(rows);
const gatewaySpec = platformServices.find((p) => p.name === 'gateway' && running.includes(p.name));
if (gatewaySpec?.httpPortEnv)
  console.log(`web console: http://127.0.0.1:${process.env[gatewaySpec.httpPortEnv] ?? gatewaySpec.httpPort}/  (API: /openapi.json)`);
console.log(
  `crashed services are restarted with backoff (said here)\nlogs: ${s.logDir}\nbearer token for a seeded persona: npm run token -- nhc-staff\nstop: Ctrl-C`,
);
if (demo && gatewaySpec?.httpPortEnv) {
  try {
    await runDemoLoad(secrets, `http://127.0.0.1:${process.env[gatewaySpec.httpPortEnv] ?? gatewaySpec.httpPort}`);
  } catch (error) {
    console.error(`[start] the demonstration data was not loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
}
// Stay in the foreground until Ctrl-C, even when no service process holds the event loop open.
setInterval(() => undefined, 1 << 30);

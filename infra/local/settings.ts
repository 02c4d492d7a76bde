// Where the local stack lives and which ports it uses. Every value can be overridden by env;
// the same env names are read by services/shared/config and by infra/compose.yaml.
import { homedir } from 'node:os';
import { join } from 'node:path';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const port = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a TCP port, got "${raw}"`);
  return n;
};

export const versions = {
  kafka: '3.9.1',
  temporalCli: 'v1.5.1',
  /** The gRPC command-line client (operators' tool; the reflection test drives it). */
  grpcurl: 'v1.9.3',
  /** The Kubernetes manifest tools CI validates infra/helm/bps with (infra/local/helm.ts), and the schemas' wheel. */
  helm: 'v3.22.0',
  kubeconform: 'v0.8.0',
  kubernetesValidate: '1.37.0',
  ferretdb: 'v1.24.2',
  /** Debian's postgresql-NN package (FerretDB's default storage); the minor version is the mirror's. */
  postgresql: '15',
} as const;

export function settings() {
  const cacheDir = env('BPS_CACHE_DIR', join(homedir(), '.cache', 'bps'));
  const dataDir = env('BPS_DATA_DIR', join(cacheDir, 'data'));
  return {
    cacheDir,
    binDir: join(cacheDir, 'bin'),
    dataDir,
    logDir: join(dataDir, 'logs'),
    runDir: join(dataDir, 'run'),
    kafka: {
      home: join(cacheDir, `kafka-${versions.kafka}`),
      dataDir: join(dataDir, 'kafka'),
      port: port('BPS_KAFKA_PORT', 9092),
      controllerPort: port('BPS_KAFKA_CONTROLLER_PORT', 9093),
      /** The SASL_SSL listener (SCRAM over TLS, as production runs), certificates from the stack's own CA; default port + 2. */
      tlsPort: port('BPS_KAFKA_TLS_PORT', port('BPS_KAFKA_PORT', 9092) + 2),
      heap: env('BPS_KAFKA_HEAP', '768m'),
    },
    temporal: {
      dataDir: join(dataDir, 'temporal'),
      port: port('BPS_TEMPORAL_PORT', 7233),
      uiPort: port('BPS_TEMPORAL_UI_PORT', 8233),
      namespace: env('BPS_TEMPORAL_NAMESPACE', 'bps'),
    },
    mongo: {
      dataDir: join(dataDir, 'mongo'),
      port: port('BPS_MONGO_PORT', 27017),
      /** FerretDB's debug handler (goroutine dumps, metrics): what the tests' stack watch reads when it wedges. */
      debugPort: port('BPS_MONGO_DEBUG_PORT', 27019),
      /** FerretDB's TLS listener (mutual TLS, certificates from the stack's own CA); default port + 1. */
      tlsPort: port('BPS_MONGO_TLS_PORT', port('BPS_MONGO_PORT', 27017) + 1),
      externalUri: process.env['MONGODB_URI'],
      /** FerretDB's storage: PostgreSQL (default) or SQLite (BPS_FERRETDB_BACKEND=sqlite). */
      backend: ferretdbBackend(),
    },
    postgres: {
      dataDir: join(dataDir, 'postgresql'),
      port: port('BPS_POSTGRES_PORT', 5433),
      user: 'ferretdb',
    },
  };
}

function ferretdbBackend(): 'postgresql' | 'sqlite' {
  const raw = process.env['BPS_FERRETDB_BACKEND'] ?? 'postgresql';
  if (raw === 'postgresql' || raw === 'sqlite') return raw;
  throw new Error(`BPS_FERRETDB_BACKEND must be postgresql or sqlite, got "${raw}"`);
}

export type Settings = ReturnType<typeof settings>;

// Custom search attributes registered on the dev server; the approval inbox filters on them.
export const temporalSearchAttributes: Readonly<Record<string, 'Keyword' | 'KeywordList' | 'Datetime' | 'Int' | 'Text' | 'Bool'>> = {
  BpsProposalId: 'Keyword',
  BpsProposalKind: 'Keyword',
  BpsFieldCode: 'Keyword',
  BpsCycleId: 'Keyword',
  BpsOpenRoles: 'KeywordList',
  BpsOpenOrganisations: 'KeywordList',
  BpsStepDueAt: 'Datetime',
  BpsEscalated: 'Bool',
};

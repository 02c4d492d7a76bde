// The one config loader: reads env once, validates it with zod at start-up and fails fast with every problem listed.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const port = z.coerce.number().int().min(0).max(65535);

/**
 * A service's gRPC address setting (REGISTRY_GRPC_ADDRESS and the like): one `host:port` — dialled as always, its
 * name resolved by DNS (several instances behind one name: give that name) — or several instances' `host:port`
 * separated by commas (`127.0.0.1:50051,127.0.0.1:50151`), IP addresses all of one family (`localhost` stands for
 * 127.0.0.1; IPv6 in brackets), over which a client spreads its calls (services/shared/grpc/client.ts).
 */
export type GrpcAddress =
  { readonly kind: 'single'; readonly address: string } | { readonly kind: 'list'; readonly family: 4 | 6; readonly endpoints: readonly string[] };

const listHint = 'one host:port, or several IP:port separated by commas (e.g. 127.0.0.1:50051,127.0.0.1:50151)';

/** Parses an address setting; a string is the reason it is malformed. */
export function parseGrpcAddress(value: string): GrpcAddress | string {
  const entries = value.split(',').map((e) => e.trim());
  const portOf = (entry: string, port: string): string | undefined => {
    const n = Number(port);
    return /^\d{1,5}$/.test(port) && n >= 1 && n <= 65535 ? undefined : `"${entry}": the port must be 1 to 65535`;
  };
  if (entries.length === 1) {
    const match = /^([^\s:,]+|\[[0-9A-Fa-f:.]+\]):([^:]*)$/.exec(entries[0]!);
    if (!match) return `must be ${listHint}; got "${value}"`;
    return portOf(entries[0]!, match[2]!) ?? { kind: 'single', address: entries[0]! };
  }
  const endpoints: string[] = [];
  const families = new Set<4 | 6>();
  for (const [i, entry] of entries.entries()) {
    if (entry === '') return `must be ${listHint}; entry ${i + 1} of "${value}" is empty`;
    const v6 = /^\[([0-9A-Fa-f:.]+)\]:(.*)$/.exec(entry);
    const v4 = /^([^\s:\[\]]+):(.*)$/.exec(entry);
    const host = v6 ? v6[1]! : v4?.[1];
    const port = v6 ? v6[2]! : v4?.[2];
    if (host === undefined || port === undefined) return `must be ${listHint}; "${entry}" is not host:port`;
    const bad = portOf(entry, port);
    if (bad) return bad;
    if (v6) {
      if (isIP(host) !== 6) return `"${entry}": not an IPv6 address`;
      families.add(6);
      endpoints.push(`[${host}]:${port}`);
    } else if (host === 'localhost' || isIP(host) === 4) {
      families.add(4);
      endpoints.push(`${host === 'localhost' ? '127.0.0.1' : host}:${port}`);
    } else {
      return `"${entry}": a list takes IP addresses (or localhost); for several instances behind one DNS name, give the name alone`;
    }
  }
  if (families.size > 1) return `must list addresses of one family (IPv4 or IPv6), not both; got "${value}"`;
  return { kind: 'list', family: [...families][0]!, endpoints };
}

/** The zod field of an address setting (see parseGrpcAddress). */
export const grpcAddress = z.string().superRefine((value, ctx) => {
  const parsed = parseGrpcAddress(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** The processes that load config; each has its own list of what it cannot run without (see `requirements`). */
export type ServiceName = 'registry' | 'proposals' | 'approvals' | 'notifications' | 'audit' | 'programme' | 'gateway' | 'cli';

const jwksText = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    let set: unknown;
    try {
      set = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JWKS as JSON ({"keys":[…]})' });
      return;
    }
    const keys = (set as { keys?: unknown }).keys;
    if (!Array.isArray(keys) || keys.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JWKS with at least one key' });
    else if (keys.some((k) => typeof k !== 'object' || k === null || 'd' in k || 'k' in k))
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must hold public keys only (no private or symmetric key material)' });
  });

/** AES-256 key, base64 of 32 bytes. Services that talk to Temporal require BPS_TEMPORAL_PAYLOAD_KEY with it. */
export const payloadKey = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be base64 of 32 bytes');

/** Settings every service needs. */
const baseShape = {
  // Anything not explicitly development (or test) is production: it needs real keys and offers no persona sign-in.
  BPS_ENV: z.enum(['development', 'test', 'production']).default('production'),
  BPS_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  BPS_KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  // Suffix for every topic name (tests and side-by-side deployments); empty in production.
  BPS_TOPIC_NAMESPACE: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI')
    .default('mongodb://127.0.0.1:27017/'),
  BPS_TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  BPS_TEMPORAL_NAMESPACE: z.string().min(1).default('bps'),
  // Security material (issue #13). Which of these a service needs, and which production requires, is listed once
  // in `requirements` below: Kafka principal (SASL/SCRAM), Temporal payload key (AES-256-GCM, base64 of 32 bytes),
  // the token issuer (its name, the audience, its public JWKS as JSON or the IdP's JWKS URL), the directory of
  // people, the dev issuer's private JWK (development only), the decision keys.
  BPS_KAFKA_USERNAME: z.string().min(1).optional(),
  BPS_KAFKA_PASSWORD: z.string().min(1).optional(),
  BPS_TEMPORAL_PAYLOAD_KEY: payloadKey.optional(),
  // Keys rotated out of BPS_TEMPORAL_PAYLOAD_KEY, comma-separated: they still open the payloads they sealed.
  BPS_TEMPORAL_PAYLOAD_PREVIOUS_KEYS: z
    .string()
    .regex(/^([A-Za-z0-9+/]{43}=)(\s*,\s*[A-Za-z0-9+/]{43}=)*$/, 'must be base64 keys of 32 bytes, comma-separated')
    .optional(),
  // mTLS to the Temporal frontend (production): PEM file paths; used when set. The local dev server has no TLS.
  BPS_TEMPORAL_TLS_CA: z.string().min(1).optional(),
  BPS_TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  BPS_TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  BPS_TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  // Mutual TLS between the services (issue #20): PEM file paths (as mounted from a Kubernetes Secret) of the CA that
  // signs every service's certificate, and this process's certificate and key. Required in production; when unset
  // (development) gRPC is plaintext. BPS_GRPC_TLS_SERVER_NAME: the name to verify on servers' certificates when it
  // differs from the address dialled. BPS_GRPC_HOST: where gRPC servers bind (loopback in development; a pod needs 0.0.0.0).
  BPS_GRPC_TLS_CA: z.string().min(1).optional(),
  BPS_GRPC_TLS_CERT: z.string().min(1).optional(),
  BPS_GRPC_TLS_KEY: z.string().min(1).optional(),
  BPS_GRPC_TLS_SERVER_NAME: z.string().min(1).optional(),
  BPS_GRPC_HOST: z.string().min(1).default('127.0.0.1'),
  // TLS to Kafka (SASL_SSL: SCRAM over TLS): the CA of the brokers' certificates, and a client certificate and key
  // when the brokers require mutual TLS. PEM file paths. The CA is required in production.
  BPS_KAFKA_TLS_CA: z.string().min(1).optional(),
  BPS_KAFKA_TLS_CERT: z.string().min(1).optional(),
  BPS_KAFKA_TLS_KEY: z.string().min(1).optional(),
  // TLS to MongoDB: the CA file, and a client certificate and key in one PEM (the driver's tlsCertificateKeyFile).
  // Production requires TLS: BPS_MONGODB_TLS_CA, or tls=true (or a mongodb+srv:// address) in MONGODB_URI.
  BPS_MONGODB_TLS_CA: z.string().min(1).optional(),
  BPS_MONGODB_TLS_CERT_KEY: z.string().min(1).optional(),
  BPS_JWT_ISSUER: z.string().min(1).optional(),
  BPS_JWT_AUDIENCE: z.string().min(1).default('bps-platform'),
  BPS_JWT_JWKS: jwksText.optional(),
  BPS_JWT_JWKS_URL: z.string().url().optional(),
  BPS_JWT_SIGNING_JWK: z.string().min(1).optional(),
  // JSON roster {"people":[{subject,name,organisation,roles}]}; development defaults to the seeded personas.
  BPS_DIRECTORY_FILE: z.string().min(1).optional(),
  // OAuth 2.0 client credentials for service-to-service calls in production (proposals → registry).
  BPS_SERVICE_TOKEN_URL: z.string().url().optional(),
  BPS_SERVICE_CLIENT_ID: z.string().min(1).optional(),
  BPS_SERVICE_CLIENT_SECRET: z.string().min(1).optional(),
  BPS_DECISION_SIGNING_JWK: z.string().min(1).optional(),
  BPS_DECISION_PUBLIC_JWKS: z.string().min(1).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  // How often each service checks its dependencies (database, Kafka, Temporal) for gRPC health, and how long one may take.
  BPS_HEALTH_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  BPS_HEALTH_CHECK_TIMEOUT_MS: z.coerce.number().int().min(50).default(2_000),
  // Where each service serves its Prometheus metrics (the port is per service: <SERVICE>_METRICS_PORT).
  BPS_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
};

/** One requirement: at least one of `anyOf` must be set (or `metBy` holds); `when` says in which environments. */
type Requirement = {
  readonly anyOf: readonly string[];
  readonly what: string;
  readonly when: 'always' | 'production' | 'development';
  readonly metBy?: (values: Readonly<Record<string, unknown>>) => boolean;
};

/** Whether MONGODB_URI itself asks for TLS (tls=true / ssl=true, or mongodb+srv:// unless tls=false). */
export function mongoUriUsesTls(uri: string): boolean {
  const query = new URLSearchParams(uri.split('?')[1] ?? '');
  const flag = (query.get('tls') ?? query.get('ssl'))?.toLowerCase();
  return flag === 'true' || (flag === undefined && uri.startsWith('mongodb+srv://'));
}

// Production refuses plaintext (issue #20): between the services and to every piece of infrastructure.
const grpcTls: Requirement[] = [
  {
    anyOf: ['BPS_GRPC_TLS_CA'],
    what: "the CA of the services' certificates (mutual TLS between services; plaintext is for development only)",
    when: 'production',
  },
  { anyOf: ['BPS_GRPC_TLS_CERT'], what: "this service's TLS certificate (PEM file) for mutual TLS", when: 'production' },
  { anyOf: ['BPS_GRPC_TLS_KEY'], what: "this service's TLS private key (PEM file) for mutual TLS", when: 'production' },
];
const mongoTls: Requirement = {
  anyOf: ['BPS_MONGODB_TLS_CA'],
  what: 'TLS to MongoDB: the CA file (or tls=true in MONGODB_URI)',
  when: 'production',
  metBy: (values) => typeof values['MONGODB_URI'] === 'string' && mongoUriUsesTls(values['MONGODB_URI']),
};
const temporalTls: Requirement[] = [
  { anyOf: ['BPS_TEMPORAL_TLS_CERT'], what: "this service's client certificate for mutual TLS to the Temporal frontend", when: 'production' },
  { anyOf: ['BPS_TEMPORAL_TLS_KEY'], what: "this service's client key for mutual TLS to the Temporal frontend", when: 'production' },
];

const tokenIssuer: Requirement[] = [
  { anyOf: ['BPS_JWT_JWKS', 'BPS_JWT_JWKS_URL'], what: "the token issuer's public keys (JWKS JSON, or the IdP's JWKS URL)", when: 'always' },
  { anyOf: ['BPS_JWT_ISSUER'], what: 'the token issuer (iss) tokens must carry', when: 'always' },
  { anyOf: ['BPS_DIRECTORY_FILE'], what: 'the directory of people (development uses the seeded personas)', when: 'production' },
];
const kafka: Requirement[] = [
  { anyOf: ['BPS_KAFKA_USERNAME'], what: "this service's Kafka principal (the broker refuses anonymous clients)", when: 'always' },
  { anyOf: ['BPS_KAFKA_PASSWORD'], what: "this service's Kafka password", when: 'always' },
  { anyOf: ['BPS_KAFKA_TLS_CA'], what: "the CA of the Kafka brokers' certificates (SASL_SSL: no plaintext to Kafka)", when: 'production' },
];
const temporal: Requirement = {
  anyOf: ['BPS_TEMPORAL_PAYLOAD_KEY'],
  what: 'the Temporal payload encryption key (workers refuse unsealed payloads)',
  when: 'always',
};
const decisionPublic: Requirement = {
  anyOf: ['BPS_DECISION_PUBLIC_JWKS'],
  what: 'the approvals decision verification keys (nothing unverified changes the standard)',
  when: 'always',
};

/** A process that verifies tokens, reads signed decisions from Kafka, serves gRPC and keeps a database. */
const decisionReader: Requirement[] = [...tokenIssuer, ...kafka, decisionPublic, ...grpcTls, mongoTls];
/** A process that verifies tokens, uses Kafka, runs Temporal workflows or workers, serves gRPC and keeps a database. */
const temporalClient: Requirement[] = [...tokenIssuer, ...kafka, temporal, ...temporalTls, ...grpcTls, mongoTls];
/** A process that calls other services as itself (a service token). */
const serviceToken: Requirement[] = [
  {
    anyOf: ['BPS_JWT_SIGNING_JWK', 'BPS_SERVICE_TOKEN_URL'],
    what: 'a source of its service token (the dev issuer key, or the IdP token endpoint)',
    when: 'development',
  },
  { anyOf: ['BPS_SERVICE_TOKEN_URL'], what: "the IdP's token endpoint (client-credentials grant for the service token)", when: 'production' },
];

/** What each process cannot run without. Production additionally refuses BPS_JWT_SIGNING_JWK everywhere. */
export const requirements: Readonly<Record<ServiceName, readonly Requirement[]>> = {
  registry: [...decisionReader],
  proposals: [
    ...temporalClient,
    ...serviceToken,
    { anyOf: ['BPS_SERVICE_CLIENT_ID'], what: 'the service client id', when: 'production' },
    { anyOf: ['BPS_SERVICE_CLIENT_SECRET'], what: 'the service client secret', when: 'production' },
  ],
  approvals: [...temporalClient, { anyOf: ['BPS_DECISION_SIGNING_JWK'], what: 'the decision-signing private key', when: 'always' }],
  notifications: [...decisionReader],
  audit: [
    ...decisionReader,
    { anyOf: ['AUDIT_SIGNING_KEY'], what: 'the checkpoint signing key (checkpoints signed with a stored or generated key prove nothing)', when: 'production' },
  ],
  programme: [...temporalClient, ...serviceToken],
  gateway: [...tokenIssuer, ...grpcTls],
  // The CLI needs the gRPC TLS files only to call a service: it asks for them then (services/shared/grpc/tls.ts).
  cli: [],
};

const loopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
/** Addresses a process binds; in development they must be loopback. */
const bindKeys = ['GATEWAY_HTTP_HOST', 'BPS_GRPC_HOST'] as const;
/** Settings that only make sense together (set all or none). */
const together: readonly (readonly string[])[] = [
  ['BPS_GRPC_TLS_CA', 'BPS_GRPC_TLS_CERT', 'BPS_GRPC_TLS_KEY'],
  ['BPS_KAFKA_TLS_CERT', 'BPS_KAFKA_TLS_KEY'],
  ['BPS_TEMPORAL_TLS_CERT', 'BPS_TEMPORAL_TLS_KEY'],
];

export const isDevelopment = (env: string): boolean => env === 'development' || env === 'test';

/** A service's config schema: the base keys plus its own, checked against the service's requirements. */
export function configSchema<E extends z.ZodRawShape>(extra: E, service?: ServiceName) {
  return z.object({ ...baseShape, ...extra }).superRefine((c, ctx) => {
    const values = c as Record<string, unknown>;
    const env = values['BPS_ENV'] as string;
    const production = !isDevelopment(env);
    const unset = (k: string): boolean => values[k] === undefined || values[k] === '';
    const missing = (r: Requirement): boolean => r.anyOf.every(unset) && !(r.metBy?.(values) ?? false);
    for (const r of service ? requirements[service] : []) {
      if ((r.when === 'always' || (r.when === 'production') === production) && missing(r)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [r.anyOf.join(' or ')],
          message: `must be set${r.when === 'production' ? ' in production' : ''}: ${r.what}`,
        });
      }
    }
    for (const keys of together) {
      const given = keys.filter((k) => !unset(k));
      if (given.length === 0 || given.length === keys.length) continue;
      for (const k of keys.filter(unset))
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [k], message: `must be set with ${given.join(', ')} (they go together)` });
    }
    if (production && values['BPS_JWT_SIGNING_JWK'] !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['BPS_JWT_SIGNING_JWK'],
        message: 'must not be set in production: tokens come from the identity provider, never from a development signing key',
      });
    }
    if (!production) {
      for (const key of bindKeys) {
        const host = values[key];
        if (typeof host === 'string' && !loopback(host)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [key],
            message: `must be a loopback address in ${env} mode (got ${host}); development binds to 127.0.0.1 only`,
          });
        }
      }
    }
  });
}

export const baseConfigSchema = configSchema({});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/**
 * The service's Kafka principal (SASL/SCRAM): required by every service that talks to Kafka; with BPS_KAFKA_TLS_CA
 * (and BPS_KAFKA_TLS_CERT / _KEY for mutual TLS) the PEM files to reach the brokers over TLS (SASL_SSL).
 */
export function kafkaCredentials(config: {
  BPS_KAFKA_USERNAME?: string | undefined;
  BPS_KAFKA_PASSWORD?: string | undefined;
  BPS_KAFKA_TLS_CA?: string | undefined;
  BPS_KAFKA_TLS_CERT?: string | undefined;
  BPS_KAFKA_TLS_KEY?: string | undefined;
}): { username: string; password: string; tls?: { ca: Buffer; cert?: Buffer; key?: Buffer } } {
  const { BPS_KAFKA_USERNAME: username, BPS_KAFKA_PASSWORD: password } = config;
  const problems = [
    ...(username ? [] : ["BPS_KAFKA_USERNAME: required (this service's Kafka principal; the broker refuses anonymous clients)"]),
    ...(password ? [] : ["BPS_KAFKA_PASSWORD: required (the Kafka principal's SCRAM password)"]),
  ];
  if (Boolean(config.BPS_KAFKA_TLS_CERT) !== Boolean(config.BPS_KAFKA_TLS_KEY)) problems.push('BPS_KAFKA_TLS_CERT, BPS_KAFKA_TLS_KEY: go together');
  if ((config.BPS_KAFKA_TLS_CERT || config.BPS_KAFKA_TLS_KEY) && !config.BPS_KAFKA_TLS_CA)
    problems.push("BPS_KAFKA_TLS_CA: required with a client certificate (the CA of the brokers' certificates)");
  const read = (key: 'BPS_KAFKA_TLS_CA' | 'BPS_KAFKA_TLS_CERT' | 'BPS_KAFKA_TLS_KEY'): Buffer | undefined => {
    const file = config[key];
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      problems.push(`${key}: cannot read ${file} (${(error as Error).message})`);
      return undefined;
    }
  };
  const [ca, cert, key] = [read('BPS_KAFKA_TLS_CA'), read('BPS_KAFKA_TLS_CERT'), read('BPS_KAFKA_TLS_KEY')];
  if (problems.length > 0 || !username || !password) throw new ConfigError(problems);
  return { username, password, ...(ca ? { tls: { ca, ...(cert && key ? { cert, key } : {}) } } : {}) };
}

export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    if (env['BPS_ENV'] === undefined) problems.push('BPS_ENV: unset, so this is production (local use opts in with BPS_ENV=development; `npm start` does)');
    throw new ConfigError(problems);
  }
  return parsed.data;
}

/** The dependency-check timing of gRPC health, from BPS_HEALTH_CHECK_INTERVAL_MS and BPS_HEALTH_CHECK_TIMEOUT_MS. */
export function healthCheckTiming(config: { BPS_HEALTH_CHECK_INTERVAL_MS: number; BPS_HEALTH_CHECK_TIMEOUT_MS: number }): {
  intervalMs: number;
  timeoutMs: number;
} {
  return { intervalMs: config.BPS_HEALTH_CHECK_INTERVAL_MS, timeoutMs: config.BPS_HEALTH_CHECK_TIMEOUT_MS };
}

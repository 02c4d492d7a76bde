// The one config loader: reads env once, validates it with zod at start-up and fails fast with every problem listed.
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const port = z.coerce.number().int().min(0).max(65535);

/** AES-256 key, base64 of 32 bytes. Services that talk to Temporal require BPS_TEMPORAL_PAYLOAD_KEY with it. */
export const payloadKey = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be base64 of 32 bytes');

/** Local development and tests only; production refuses to start with it. */
export const DEV_JWT_SECRET = 'bps-local-development-secret-do-not-use-in-production';

/** Settings every service needs. */
const baseShape = {
  BPS_ENV: z.enum(['development', 'test', 'production']).default('development'),
  BPS_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  BPS_KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  // Suffix for every topic name (tests and side-by-side deployments); empty in production.
  BPS_TOPIC_NAMESPACE: z.string().regex(/^[a-zA-Z0-9._-]*$/).default(''),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI').default('mongodb://127.0.0.1:27017/'),
  BPS_TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  BPS_TEMPORAL_NAMESPACE: z.string().min(1).default('bps'),
  BPS_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 key)').default(DEV_JWT_SECRET),
  BPS_JWT_ISSUER: z.string().default('bps-platform'),
  // Security material (issue #13). Which of these a service needs, and which production requires, is decided per
  // part: Kafka principal (SASL/SCRAM), Temporal payload key (AES-256-GCM, base64 of 32 bytes), the token issuer's
  // public JWKS and audience, the dev issuer's private JWK (development only), the decision keys.
  BPS_KAFKA_USERNAME: z.string().min(1).optional(),
  BPS_KAFKA_PASSWORD: z.string().min(1).optional(),
  BPS_TEMPORAL_PAYLOAD_KEY: payloadKey.optional(),
  // Keys rotated out of BPS_TEMPORAL_PAYLOAD_KEY, comma-separated: they still open the payloads they sealed.
  BPS_TEMPORAL_PAYLOAD_PREVIOUS_KEYS: z.string().regex(/^([A-Za-z0-9+/]{43}=)(\s*,\s*[A-Za-z0-9+/]{43}=)*$/, 'must be base64 keys of 32 bytes, comma-separated').optional(),
  // mTLS to the Temporal frontend (production): PEM file paths; used when set. The local dev server has no TLS.
  BPS_TEMPORAL_TLS_CA: z.string().min(1).optional(),
  BPS_TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  BPS_TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  BPS_TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  BPS_JWT_AUDIENCE: z.string().min(1).default('bps-platform'),
  BPS_JWT_JWKS: z.string().min(1).optional(),
  BPS_JWT_SIGNING_JWK: z.string().min(1).optional(),
  BPS_DECISION_SIGNING_JWK: z.string().min(1).optional(),
  BPS_DECISION_PUBLIC_JWKS: z.string().min(1).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
};

/** A service's config schema: the base keys plus its own. */
export function configSchema<E extends z.ZodRawShape>(extra: E) {
  return z.object({ ...baseShape, ...extra }).refine((c) => {
    const { BPS_ENV, BPS_JWT_SECRET } = c as { BPS_ENV: string; BPS_JWT_SECRET: string };
    return BPS_ENV !== 'production' || BPS_JWT_SECRET !== DEV_JWT_SECRET;
  }, {
    path: ['BPS_JWT_SECRET'],
    message: 'must be set in production (the development default is public)',
  });
}

export const baseConfigSchema = configSchema({});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return parsed.data;
}

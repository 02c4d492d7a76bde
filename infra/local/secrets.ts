// Development secrets for the local stack: Kafka credentials (one principal per service), the Temporal payload key,
// the development token issuer's key pair and the approvals service's decision-signing key pair. Generated once
// into the data directory (mode 0600) by the stack, so `npm start` and the test setup need nothing typed by hand.
// Production never reads this file: each service gets its own secrets through its environment (see README).
import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from './settings';

/**
 * Kafka principals: one per service that talks to Kafka, plus the broker's own super user (`admin`). The gateway
 * has none: it reaches the platform only over gRPC.
 */
export const kafkaPrincipals = ['registry', 'proposals', 'approvals', 'notifications', 'audit', 'programme'] as const;
export type KafkaPrincipal = (typeof kafkaPrincipals)[number];

export type Credentials = { readonly username: string; readonly password: string };

export type DevSecrets = {
  readonly version: 1;
  readonly kafka: { readonly admin: Credentials; readonly principals: Readonly<Record<KafkaPrincipal, Credentials>> };
  /** AES-256-GCM key (base64) sealing every Temporal payload. */
  readonly temporalPayloadKey: string;
  /** The development token issuer (stands in for the OIDC provider): Ed25519 private JWK and its public JWKS. */
  readonly tokenIssuer: {
    readonly issuer: string;
    readonly audience: string;
    readonly privateJwk: JsonWebKey;
    readonly publicJwk: JsonWebKey;
    readonly keyId: string;
  };
  /** The approvals service's decision-signing key (Ed25519): private JWK for approvals, public JWK for verifiers. */
  readonly decisionSigning: { readonly privateJwk: JsonWebKey; readonly publicJwk: JsonWebKey; readonly keyId: string };
};

export function secretsFile(s: Settings): string {
  return join(s.dataDir, 'secrets', 'dev-secrets.json');
}

function password(): string {
  return randomBytes(24).toString('base64url');
}

function ed25519(): { privateJwk: JsonWebKey; publicJwk: JsonWebKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateJwk: privateKey.export({ format: 'jwk' }), publicJwk: publicKey.export({ format: 'jwk' }) };
}

export function generateDevSecrets(): DevSecrets {
  const issuer = ed25519();
  const decisions = ed25519();
  return {
    version: 1,
    kafka: {
      admin: { username: 'admin', password: password() },
      principals: Object.fromEntries(kafkaPrincipals.map((p) => [p, { username: p, password: password() }])) as Record<KafkaPrincipal, Credentials>,
    },
    temporalPayloadKey: randomBytes(32).toString('base64'),
    tokenIssuer: { issuer: 'bps-dev-issuer', audience: 'bps-platform', ...issuer, keyId: `dev-issuer-${randomBytes(4).toString('hex')}` },
    decisionSigning: { ...decisions, keyId: `approvals-${randomBytes(4).toString('hex')}` },
  };
}

/** Reads the stack's development secrets, generating them on first use. */
export function ensureDevSecrets(s: Settings): DevSecrets {
  const file = secretsFile(s);
  if (existsSync(file)) {
    const existing = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
    if (existing.version === 1) {
      // A principal added since the file was written (a new service) gets its own credentials; the rest are kept.
      const missing = kafkaPrincipals.filter((p) => existing.kafka.principals[p] === undefined);
      if (missing.length === 0) return existing;
      const completed: DevSecrets = {
        ...existing,
        kafka: {
          ...existing.kafka,
          principals: { ...existing.kafka.principals, ...Object.fromEntries(missing.map((p) => [p, { username: p, password: password() }])) },
        },
      };
      writeFileSync(file, JSON.stringify(completed, null, 2), { mode: 0o600 });
      return completed;
    }
  }
  const secrets = generateDevSecrets();
  mkdirSync(join(s.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/** A JWKS holding one public Ed25519 key, as verifiers read it. */
export function publicJwks(publicJwk: JsonWebKey, keyId: string): string {
  return JSON.stringify({ keys: [{ ...publicJwk, kid: keyId, alg: 'EdDSA', use: 'sig' }] });
}

/**
 * The environment one service process gets in development (`npm start`): development mode said explicitly, its own
 * Kafka principal, the Temporal payload key, the token issuer's public JWKS, the decision verification keys, and
 * private keys only where that service signs (approvals: decisions; gateway, the CLI and proposals: dev tokens).
 */
export function devServiceEnv(secrets: DevSecrets, service: string): Record<string, string> {
  const env: Record<string, string> = {
    BPS_ENV: 'development',
    BPS_TEMPORAL_PAYLOAD_KEY: secrets.temporalPayloadKey,
    BPS_JWT_ISSUER: secrets.tokenIssuer.issuer,
    BPS_JWT_AUDIENCE: secrets.tokenIssuer.audience,
    BPS_JWT_JWKS: publicJwks(secrets.tokenIssuer.publicJwk, secrets.tokenIssuer.keyId),
    BPS_DECISION_PUBLIC_JWKS: publicJwks(secrets.decisionSigning.publicJwk, secrets.decisionSigning.keyId),
  };
  const principal = (kafkaPrincipals as readonly string[]).includes(service) ? secrets.kafka.principals[service as KafkaPrincipal] : undefined;
  if (principal) {
    env['BPS_KAFKA_USERNAME'] = principal.username;
    env['BPS_KAFKA_PASSWORD'] = principal.password;
  }
  if (service === 'approvals') {
    env['BPS_DECISION_SIGNING_JWK'] = JSON.stringify({ ...secrets.decisionSigning.privateJwk, kid: secrets.decisionSigning.keyId });
  }
  // The development issuer's key: gateway persona sign-in, the CLI's --as, and the proposals and programme services'
  // own service tokens (in production it gets one from the IdP by client credentials instead).
  if (service === 'gateway' || service === 'cli' || service === 'proposals' || service === 'programme') {
    env['BPS_JWT_SIGNING_JWK'] = JSON.stringify({ ...secrets.tokenIssuer.privateJwk, kid: secrets.tokenIssuer.keyId });
  }
  return env;
}

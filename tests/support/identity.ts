// Test kit for identity: the stack's development token issuer (stackSecrets().tokenIssuer; a freshly generated one
// where there is no stack — unit tests, benchmarks), a verifier over a test directory (personas, service accounts,
// and any ad-hoc identity a test registers), `tokenFor(persona | identity)`, and env for spawned processes.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { publicJwks, type DevSecrets } from '../../infra/local/secrets';
import { DevIssuer } from '../../services/shared/auth/dev-issuer';
import { seededDirectory, type StaticDirectory } from '../../services/shared/auth/directory';
import { JwtVerifier, type Identity } from '../../services/shared/auth/identity';
import { personas, serviceAccounts, type PersonaName } from '../../services/shared/auth/personas';
import { devServiceTokens, type ServiceTokenSource } from '../../services/shared/auth/service-tokens';

type TokenIssuerSecrets = DevSecrets['tokenIssuer'];

/** A throwaway Ed25519 issuer (for a stack-less run, or to forge tokens from an issuer nobody trusts). */
export function generatedIssuer(issuer = 'bps-test-issuer', audience = 'bps-platform'): TokenIssuerSecrets {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    issuer,
    audience,
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: publicKey.export({ format: 'jwk' }),
    keyId: `test-${randomBytes(4).toString('hex')}`,
  };
}

function stackIssuer(): TokenIssuerSecrets {
  try {
    const secrets = inject('secrets') as DevSecrets | undefined;
    if (secrets) return secrets.tokenIssuer;
  } catch {
    // not under vitest (benchmarks run with tsx): no stack secrets to read
  }
  return generatedIssuer();
}

/** The issuer's secrets the tests use: the stack's development issuer when there is a stack. */
export const tokenIssuer: TokenIssuerSecrets = stackIssuer();

export const issuerOf = (s: TokenIssuerSecrets): DevIssuer =>
  new DevIssuer(JSON.stringify({ ...s.privateJwk, kid: s.keyId }), { issuer: s.issuer, audience: s.audience });

/** Mints test tokens (the development issuer of the stack). */
export const testIssuer: DevIssuer = issuerOf(tokenIssuer);

/** The test directory: personas + service accounts; tests add their ad-hoc identities with `registerIdentity`. */
export const testDirectory: StaticDirectory = seededDirectory();

export function registerIdentity(identity: Identity): Identity {
  testDirectory.register(identity);
  return identity;
}

/** The issuer's public JWKS as JSON text (what BPS_JWT_JWKS holds). */
export const testJwks: string = publicJwks(tokenIssuer.publicJwk, tokenIssuer.keyId);

/** What a service holds: public keys and the directory. Pass it as a service's `tokens`. */
export function testVerifier(directory = testDirectory): JwtVerifier {
  return new JwtVerifier({ issuer: tokenIssuer.issuer, audience: tokenIssuer.audience, jwks: testJwks, directory });
}

/** A token for a persona or for an identity (registered in the test directory on first use). */
export async function tokenFor(who: PersonaName | Identity, ttlSeconds?: number): Promise<string> {
  const identity = typeof who === 'string' ? personas[who] : registerIdentity(who);
  return testIssuer.mint(identity, ttlSeconds);
}

/** The proposals service's service token source in tests. */
export function testServiceTokens(account: Identity = serviceAccounts.proposals): ServiceTokenSource {
  return devServiceTokens(testIssuer, account);
}

/** Env for a spawned process (the CLI) in development mode with the test issuer's keys. */
export function identityEnv(): Record<string, string> {
  return {
    BPS_ENV: 'development',
    BPS_JWT_ISSUER: tokenIssuer.issuer,
    BPS_JWT_AUDIENCE: tokenIssuer.audience,
    BPS_JWT_JWKS: testJwks,
    BPS_JWT_SIGNING_JWK: JSON.stringify({ ...tokenIssuer.privateJwk, kid: tokenIssuer.keyId }),
  };
}

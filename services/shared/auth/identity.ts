// Caller identity: a bearer JWT signed by the one token issuer (EdDSA or RS256, public keys from its JWKS), with
// issuer, audience and expiry required, whose subject is then looked up in the directory of people: the identity a
// service acts on is the directory's, and a token claiming an organisation or a role its subject does not hold is
// refused. Services hold only public keys; minting lives in dev-issuer.ts (development only) and the IdP.
// Identities come only from verified tokens, never from request bodies.
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { PermissionDeniedError, UnauthenticatedError } from '../errors/errors';

/** Roles a token can carry. Organisation codes: ministries (e.g. "NHC"), provinces (GB/T 2260, e.g. "110000"), subscribers. */
export const roles = [
  'ministry-staff', // drafts adjustment proposals for items the ministry leads
  'approver', // signs approval steps for its organisation
  'final-approver', // the final approval step
  'province-officer', // files provincial implementation standards
  'subscriber-admin', // manages a downstream system's subscriptions
  'auditor', // reads the audit trail
  'operator', // platform operations (redelivery, seeding)
  // The standardisation programme (seeds 002–004): SAMR's standardisation staff nationally (organisation "SAMR"), a
  // province's market-regulation staff acting with its development-reform and finance departments (the province code).
  'programme-officer',
  // A city or county government (organisation: its GB/T 2260 code): applies for and runs a standardisation pilot.
  'locality-officer',
] as const;
export type Role = (typeof roles)[number];

export type Identity = {
  readonly subject: string;
  readonly name: string;
  readonly organisation: string;
  readonly roles: readonly Role[];
};

/** Port: the directory of people — who a subject is (implementations in directory.ts). */
export type Directory = { lookup(subject: string): Promise<Identity | undefined> };

/** Asymmetric algorithms only: never `none`, never a shared HMAC key. */
export const tokenAlgorithms = ['EdDSA', 'RS256'] as const;
export type TokenAlgorithm = (typeof tokenAlgorithms)[number];

/** Longest lifetime (exp − iat) a token may have; the development issuer mints 8 hours by default. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export type VerifierOptions = {
  readonly issuer: string;
  readonly audience: string;
  /** The issuer's public keys: a JWKS (object or JSON text), or the URL of the IdP's JWKS endpoint. */
  readonly jwks: JSONWebKeySet | string | URL;
  readonly directory: Directory;
  readonly algorithms?: readonly TokenAlgorithm[];
  readonly maxLifetimeSeconds?: number;
  readonly clockToleranceSeconds?: number;
};

/** The verifying side of identity: every service (and the gateway) holds one. */
export type TokenVerifier = {
  verify(token: string): Promise<Identity>;
  /** Reads `authorization: Bearer <jwt>`. */
  verifyHeader(value: string | undefined): Promise<Identity>;
};

function keySet(jwks: VerifierOptions['jwks']): JWTVerifyGetKey {
  if (jwks instanceof URL) return createRemoteJWKSet(jwks);
  const set = typeof jwks === 'string' ? (JSON.parse(jwks) as JSONWebKeySet) : jwks;
  if (!Array.isArray(set.keys) || set.keys.length === 0) throw new Error('token JWKS holds no keys');
  for (const key of set.keys) {
    if ('d' in key || 'k' in key) throw new Error('token JWKS must hold public keys only (found private or symmetric key material)');
  }
  return createLocalJWKSet(set);
}

export class JwtVerifier implements TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly algorithms: readonly TokenAlgorithm[];
  private readonly maxLifetime: number;

  constructor(private readonly options: VerifierOptions) {
    this.keys = keySet(options.jwks);
    this.algorithms = options.algorithms ?? ['EdDSA'];
    this.maxLifetime = options.maxLifetimeSeconds ?? MAX_TOKEN_LIFETIME_SECONDS;
  }

  async verify(token: string): Promise<Identity> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.algorithms],
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('token expired', 'TOKEN_EXPIRED');
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new UnauthenticatedError(`token refused: ${error.message}`, 'TOKEN_CLAIMS');
      throw new UnauthenticatedError('invalid token', 'TOKEN_INVALID');
    }
    const { sub, exp, iat } = payload as { sub: string; exp: number; iat: number };
    if (exp - iat > this.maxLifetime) throw new UnauthenticatedError(`token refused: lifetime exceeds ${this.maxLifetime}s`, 'TOKEN_LIFETIME');
    const person = await this.options.directory.lookup(sub);
    if (!person) throw new UnauthenticatedError(`token refused: subject "${sub}" is not in the directory`, 'UNKNOWN_SUBJECT');
    // The token may narrow what the directory grants (fewer roles), never widen it: a claimed organisation must be
    // the subject's own, and every claimed role one the subject holds. Absent claims (typical of an OIDC provider
    // that does not map them) mean "as the directory says".
    const org = payload['org'];
    if (org !== undefined && org !== person.organisation) {
      throw new UnauthenticatedError(`token refused: claims organisation ${String(org)}, which subject "${sub}" does not belong to`, 'CLAIMS_BEYOND_DIRECTORY');
    }
    const claimed = payload['roles'];
    let effective: readonly Role[] = person.roles;
    if (claimed !== undefined) {
      if (!Array.isArray(claimed)) throw new UnauthenticatedError('token refused: roles claim is not a list', 'TOKEN_CLAIMS');
      const beyond = claimed.filter((r) => typeof r !== 'string' || !(person.roles as readonly string[]).includes(r));
      if (beyond.length > 0)
        throw new UnauthenticatedError(
          `token refused: claims role(s) ${beyond.map(String).join(', ')} that subject "${sub}" does not hold`,
          'CLAIMS_BEYOND_DIRECTORY',
        );
      effective = person.roles.filter((r) => (claimed as unknown[]).includes(r));
    }
    return { subject: sub, name: person.name, organisation: person.organisation, roles: effective };
  }

  async verifyHeader(value: string | undefined): Promise<Identity> {
    const match = /^Bearer\s+(\S+)$/i.exec(value ?? '');
    if (!match?.[1]) throw new UnauthenticatedError();
    return this.verify(match[1]);
  }
}

export function requireRole(identity: Identity, role: Role, action: string): void {
  if (!identity.roles.includes(role)) throw new PermissionDeniedError(`${action} requires role ${role}`, 'MISSING_ROLE');
}

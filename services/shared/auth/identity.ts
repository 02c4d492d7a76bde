// Caller identity: a bearer JWT (HS256, key from config) with subject, organisation and roles.
// Identities come only from verified tokens, never from request bodies.
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
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
] as const;
export type Role = (typeof roles)[number];

export type Identity = {
  readonly subject: string;
  readonly name: string;
  readonly organisation: string;
  readonly roles: readonly Role[];
};

const encoder = new TextEncoder();

export class TokenService {
  private readonly key: Uint8Array;
  constructor(secret: string, private readonly issuer: string) {
    if (secret.length < 32) throw new Error('JWT secret must be at least 32 characters');
    this.key = encoder.encode(secret);
  }

  async mint(identity: Identity, ttlSeconds = 8 * 3600): Promise<string> {
    return new SignJWT({ org: identity.organisation, roles: [...identity.roles], name: identity.name })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(identity.subject)
      .setIssuer(this.issuer)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.key);
  }

  async verify(token: string): Promise<Identity> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: this.issuer, algorithms: ['HS256'] });
      const org = payload['org'];
      const claimedRoles = payload['roles'];
      if (typeof payload.sub !== 'string' || typeof org !== 'string' || !Array.isArray(claimedRoles)) {
        throw new UnauthenticatedError('token lacks sub/org/roles claims');
      }
      const known = claimedRoles.filter((r): r is Role => typeof r === 'string' && (roles as readonly string[]).includes(r));
      return { subject: payload.sub, organisation: org, roles: known, name: typeof payload['name'] === 'string' ? payload['name'] : payload.sub };
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('token expired');
      throw new UnauthenticatedError('invalid token');
    }
  }

  /** Reads `authorization: Bearer <jwt>`. */
  async verifyHeader(value: string | undefined): Promise<Identity> {
    const match = /^Bearer\s+(\S+)$/i.exec(value ?? '');
    if (!match?.[1]) throw new UnauthenticatedError();
    return this.verify(match[1]);
  }
}

export function requireRole(identity: Identity, role: Role, action: string): void {
  if (!identity.roles.includes(role)) throw new PermissionDeniedError(`${action} requires role ${role}`, 'MISSING_ROLE');
}

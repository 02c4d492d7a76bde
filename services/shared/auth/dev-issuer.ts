// The development token issuer: stands in for the OIDC provider on a developer's machine and in tests. It holds the
// private Ed25519 key (BPS_JWT_SIGNING_JWK) that only the gateway's persona sign-in, `npm run token`, the CLI's
// `--as`, and (development only) the proposals service's service token use. Production refuses to start with it.
import { importJWK, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { Identity } from './identity';
import { MAX_TOKEN_LIFETIME_SECONDS } from './identity';

export type DevIssuerOptions = { readonly issuer: string; readonly audience: string };

export class DevIssuer {
  private readonly key: Promise<CryptoKey | KeyObject | Uint8Array>;
  private readonly kid: string | undefined;
  readonly publicJwk: JWK;

  /** `privateJwk`: an Ed25519 private JWK (object or JSON text), with its `kid`. */
  constructor(
    privateJwk: JWK | string,
    readonly options: DevIssuerOptions,
  ) {
    const jwk = typeof privateJwk === 'string' ? (JSON.parse(privateJwk) as JWK) : privateJwk;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') throw new Error('development signing key must be an Ed25519 private JWK');
    this.kid = jwk.kid;
    this.key = importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA');
    const { d: _d, ...pub } = jwk;
    this.publicJwk = { ...pub, alg: 'EdDSA', use: 'sig' };
  }

  /** The issuer's public keys, as `/.well-known/jwks.json` serves them. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async mint(identity: Identity, ttlSeconds = 8 * 3600): Promise<string> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_LIFETIME_SECONDS)
      throw new Error(`token lifetime must be 1..${MAX_TOKEN_LIFETIME_SECONDS} seconds`);
    return new SignJWT({ org: identity.organisation, roles: [...identity.roles], name: identity.name })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', ...(this.kid ? { kid: this.kid } : {}) })
      .setSubject(identity.subject)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(await this.key);
  }
}

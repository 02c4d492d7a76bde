// SM2 decision signatures, for deployments configured with the national algorithms (GB/T 32918 signature with the SM3
// digest and the standard default user id, via sm-crypto — the library audit uses for its checkpoints). JOSE has no
// registered SM2 algorithm, so this follows the JWS shape of ES256 (RFC 7518 §3.4) with a private-use name:
// alg "SM2", signature = r || s (2 × 32 bytes) over the JWS signing input; keys as JWK { kty: "EC", crv: "SM2", x, y[, d] }
// (32-byte big-endian coordinates, base64url), the public key being 04 || x || y.
import { sm2 } from 'sm-crypto';

export const SM2_ALG = 'SM2';

export type Sm2Jwk = { readonly kty: 'EC'; readonly crv: 'SM2'; readonly x: string; readonly y: string; readonly d?: string; readonly kid?: string };

export function isSm2Jwk(jwk: { kty?: unknown; crv?: unknown }): boolean {
  return jwk.kty === 'EC' && jwk.crv === 'SM2';
}

const hex = (b64url: string): string => Buffer.from(b64url, 'base64url').toString('hex').padStart(64, '0');
const b64 = (hexText: string): string => Buffer.from(hexText, 'hex').toString('base64url');

/** 04 || x || y, hex: the form sm-crypto takes. */
export function sm2PublicKeyHex(jwk: { x?: unknown; y?: unknown }): string {
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('SM2 JWK needs x and y');
  const x = hex(jwk.x);
  const y = hex(jwk.y);
  if (x.length !== 64 || y.length !== 64) throw new Error('SM2 JWK coordinates must be 32 bytes');
  return `04${x}${y}`;
}

/** A new SM2 key pair as JWKs (tests and key generation). */
export function generateSm2Jwk(kid: string): { privateJwk: Sm2Jwk; publicJwk: Sm2Jwk } {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  const x = b64(publicKey.slice(2, 66));
  const y = b64(publicKey.slice(66, 130));
  return { privateJwk: { kty: 'EC', crv: 'SM2', x, y, d: b64(privateKey.padStart(64, '0')), kid }, publicJwk: { kty: 'EC', crv: 'SM2', x, y, kid } };
}

/** Signs the JWS signing input; returns the base64url JWS signature (r || s). */
export function sm2SignJws(signingInput: string, jwk: { x?: unknown; y?: unknown; d?: unknown }): string {
  if (typeof jwk.d !== 'string') throw new Error('SM2 signing needs the private JWK (d)');
  const signature = sm2.doSignature(signingInput, hex(jwk.d), { hash: true, publicKey: sm2PublicKeyHex(jwk) });
  return b64(signature.padStart(128, '0'));
}

export function sm2VerifyJws(signingInput: string, signature: string, jwk: { x?: unknown; y?: unknown }): boolean {
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64) return false;
  try {
    return sm2.doVerifySignature(signingInput, bytes.toString('hex'), sm2PublicKeyHex(jwk), { hash: true });
  } catch {
    return false;
  }
}

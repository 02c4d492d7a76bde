// Signed decisions (issue #13): every event that changes the standard carries a detached signature by the approvals
// service over its canonical bytes, so no one who can merely write to Kafka can put a version in force.
//
// Canonical bytes: the event as a CloudEvents JSON-format object — specversion, id, type, source, subject, time,
// datacontenttype, dataschema (absent attributes left out) and the data (parsed, when it is JSON; else
// `data_base64`) — serialised with RFC 8785 (JSON Canonicalization Scheme, the `canonicalize` package), UTF-8.
// The id is inside the signed bytes, so an event id cannot be claimed ahead by a forger.
//
// Signature: a detached JWS (RFC 7515 Appendix F) in compact form, `<protected header>..<signature>`, header
// `{ alg: "EdDSA", kid, typ: "bps-decision+jws" }`, payload = base64url(canonical bytes) as usual for JWS (RFC
// 7515), omitted from the serialisation. Where the national algorithms are configured (an SM2 key, JWK kty EC /
// crv SM2), alg "SM2" (SM2 with SM3, see decision-sm2.ts); a key's type fixes the one alg it verifies. It travels as the CloudEvents extension attribute `bpsdecisionsig`
// (Kafka binary mode: header `ce_bpsdecisionsig`). Keys: the approvals service's private Ed25519 JWK
// (BPS_DECISION_SIGNING_JWK) and the public JWKS every verifier is configured with (BPS_DECISION_PUBLIC_JWKS),
// also published by the gateway at /.well-known/bps-decision-keys.json.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { base64url, CompactSign, compactVerify, createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { errorMessage } from '../errors/errors';
import { isSm2Jwk, SM2_ALG, sm2SignJws, sm2VerifyJws } from './decision-sm2';

/** The CloudEvents extension attribute carrying the signature (Kafka header `ce_bpsdecisionsig`). */
export const DECISION_SIGNATURE_EXTENSION = 'bpsdecisionsig';
export const DECISION_JWS_TYPE = 'bps-decision+jws';

/**
 * CloudEvents types that change the standard and must be signed. Today one: the approved change set (ad-hoc
 * amendments and the unified cycle's edition both travel as it). Registry corrections (errata) emit no event yet.
 */
export const standardChangingTypes: ReadonlySet<string> = new Set(['bps.approval.changeset.approved']);

export function isStandardChanging(type: string): boolean {
  return standardChangingTypes.has(type);
}

/** The attributes and data that are signed (any CloudEvent has them). */
export type SignableEvent = {
  readonly specversion: string;
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly time: string;
  readonly datacontenttype: string;
  readonly dataschema?: string;
  readonly data: Uint8Array;
  readonly extensions?: Readonly<Record<string, string>>;
};

/** The event as the CloudEvents JSON-format object that is canonicalised. */
export function canonicalObject(event: SignableEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    specversion: event.specversion,
    id: event.id,
    type: event.type,
    source: event.source,
    time: event.time,
    datacontenttype: event.datacontenttype,
  };
  if (event.subject !== undefined && event.subject !== null) out['subject'] = event.subject;
  if (event.dataschema !== undefined && event.dataschema !== null) out['dataschema'] = event.dataschema;
  const bytes = Buffer.from(event.data);
  let parsed: { value: unknown } | undefined;
  if (/json/i.test(event.datacontenttype)) {
    try {
      parsed = { value: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch {
      parsed = undefined;
    }
  }
  if (parsed) out['data'] = parsed.value;
  else out['data_base64'] = bytes.toString('base64');
  return out;
}

/** RFC 8785 canonical bytes of the event (UTF-8). */
export function canonicalEventBytes(event: SignableEvent): Buffer {
  const text = canonicalize(canonicalObject(event));
  if (text === undefined) throw new Error('event cannot be canonicalised');
  return Buffer.from(text, 'utf8');
}

/** SHA-256 (hex) of the canonical bytes and the signature, if any: what identifies one exact event. */
export function eventContentDigest(event: SignableEvent): string {
  const hash = createHash('sha256').update(canonicalEventBytes(event));
  const signature = event.extensions?.[DECISION_SIGNATURE_EXTENSION];
  if (signature) hash.update('\n').update(signature);
  return hash.digest('hex');
}

export type DecisionSigner = {
  readonly keyId: string;
  /** The detached JWS over the event's canonical bytes. */
  sign(event: SignableEvent): Promise<string>;
};

function parseJson<T>(value: string | T, what: string): T {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as T;
  } catch (error) {
    throw new Error(`${what} is not JSON: ${errorMessage(error)}`);
  }
}

/** A signer from the approvals service's private Ed25519 (or SM2) JWK (JSON text or object; `kid` required). */
export async function decisionSigner(privateJwk: string | JWK): Promise<DecisionSigner> {
  const jwk = parseJson<JWK>(privateJwk, 'BPS_DECISION_SIGNING_JWK');
  if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new Error('BPS_DECISION_SIGNING_JWK needs a kid');
  const keyId = jwk.kid;
  if (isSm2Jwk(jwk) && typeof jwk.d === 'string') {
    return {
      keyId,
      async sign(event) {
        const header = Buffer.from(JSON.stringify({ alg: SM2_ALG, kid: keyId, typ: DECISION_JWS_TYPE })).toString('base64url');
        return `${header}..${sm2SignJws(`${header}.${base64url.encode(canonicalEventBytes(event))}`, jwk)}`;
      },
    };
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string')
    throw new Error('BPS_DECISION_SIGNING_JWK must be a private Ed25519 JWK (kty OKP, crv Ed25519, d) or SM2 JWK (kty EC, crv SM2, d)');
  const key = await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA');
  return {
    keyId,
    async sign(event) {
      const jws = await new CompactSign(canonicalEventBytes(event)).setProtectedHeader({ alg: 'EdDSA', kid: keyId, typ: DECISION_JWS_TYPE }).sign(key);
      const [header, , signature] = jws.split('.');
      return `${header}..${signature}`;
    },
  };
}

/** Returns the event with its signature attached (extension attribute `bpsdecisionsig`). */
export async function signEvent<E extends SignableEvent>(signer: DecisionSigner, event: E): Promise<E & { extensions: Record<string, string> }> {
  const { [DECISION_SIGNATURE_EXTENSION]: _old, ...others } = event.extensions ?? {};
  const unsigned = { ...event, extensions: others };
  return { ...event, extensions: { ...others, [DECISION_SIGNATURE_EXTENSION]: await signer.sign(unsigned) } };
}

export type RefusalReason = 'unsigned' | 'malformed_signature' | 'unknown_key' | 'bad_signature';
export type Verification =
  { readonly ok: true; readonly keyId: string } | { readonly ok: false; readonly reason: RefusalReason; readonly detail: string; readonly keyId?: string };

export type DecisionVerifier = {
  /** The public keys (JWKS, no private members), as published. */
  readonly jwks: JSONWebKeySet;
  verify(event: SignableEvent): Promise<Verification>;
  /** Verifies a detached JWS over given canonical bytes (offline check of a publication). */
  verifyDetached(canonical: Uint8Array, signature: string): Promise<Verification>;
};

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** The public JWKS from config (JSON text or object): Ed25519 or SM2 keys with a kid, no private members. */
export function parseDecisionKeys(publicJwks: string | JSONWebKeySet): JSONWebKeySet {
  const jwks = parseJson<JSONWebKeySet>(publicJwks, 'BPS_DECISION_PUBLIC_JWKS');
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error('BPS_DECISION_PUBLIC_JWKS must be a JWKS with at least one key');
  return {
    keys: jwks.keys.map((k) => {
      const sm2Key = isSm2Jwk(k) && typeof k.x === 'string' && typeof k.y === 'string';
      if (!sm2Key && (k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string'))
        throw new Error('BPS_DECISION_PUBLIC_JWKS: every key must be a public Ed25519 (or SM2) JWK');
      if (typeof k.kid !== 'string' || k.kid === '') throw new Error('BPS_DECISION_PUBLIC_JWKS: every key needs a kid');
      const pub = Object.fromEntries(Object.entries(k).filter(([name]) => !privateMembers.includes(name))) as JWK;
      return { ...pub, alg: sm2Key ? SM2_ALG : 'EdDSA', use: 'sig' };
    }),
  };
}

export function decisionVerifier(publicJwks: string | JSONWebKeySet): DecisionVerifier {
  const jwks = parseDecisionKeys(publicJwks);
  const edKeys = jwks.keys.filter((k) => k.alg === 'EdDSA');
  const keySet = edKeys.length > 0 ? createLocalJWKSet({ keys: edKeys }) : undefined;
  const byKid = new Map(jwks.keys.map((k) => [k.kid, k]));
  const verifyDetached = async (canonical: Uint8Array, signature: string): Promise<Verification> => {
    const parts = signature.split('.');
    if (parts.length !== 3 || parts[1] !== '' || !parts[0] || !parts[2])
      return { ok: false, reason: 'malformed_signature', detail: 'not a detached compact JWS (<header>..<signature>)' };
    let header: { alg?: unknown; kid?: unknown; typ?: unknown };
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as typeof header;
    } catch {
      return { ok: false, reason: 'malformed_signature', detail: 'protected header is not JSON' };
    }
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    if (header.alg !== 'EdDSA' && header.alg !== SM2_ALG)
      return { ok: false, reason: 'malformed_signature', detail: `alg ${String(header.alg)} is not accepted (EdDSA or SM2)`, ...(kid ? { keyId: kid } : {}) };
    const key = kid ? byKid.get(kid) : undefined;
    if (!kid || !key)
      return { ok: false, reason: 'unknown_key', detail: `key id ${kid ?? '(none)'} is not a configured decision key`, ...(kid ? { keyId: kid } : {}) };
    // The key fixes the algorithm: a header may not choose another one (no algorithm confusion).
    if (header.alg !== key.alg)
      return { ok: false, reason: 'malformed_signature', detail: `alg ${String(header.alg)} does not match key ${kid} (${String(key.alg)})`, keyId: kid };
    const signingInput = `${parts[0]}.${base64url.encode(canonical)}`;
    if (key.alg === SM2_ALG) {
      return sm2VerifyJws(signingInput, parts[2], key)
        ? { ok: true, keyId: kid }
        : { ok: false, reason: 'bad_signature', detail: "SM2 signature does not match the event's canonical bytes", keyId: kid };
    }
    try {
      if (!keySet) throw new Error('no Ed25519 keys');
      await compactVerify(`${signingInput}.${parts[2]}`, keySet, { algorithms: ['EdDSA'] });
      return { ok: true, keyId: kid };
    } catch (error) {
      return { ok: false, reason: 'bad_signature', detail: `signature does not match the event's canonical bytes: ${errorMessage(error)}`, keyId: kid };
    }
  };
  return {
    jwks,
    verifyDetached,
    async verify(event) {
      const signature = event.extensions?.[DECISION_SIGNATURE_EXTENSION];
      if (!signature) return { ok: false, reason: 'unsigned', detail: `no ${DECISION_SIGNATURE_EXTENSION} signature` };
      return verifyDetached(canonicalEventBytes(event), signature);
    },
  };
}

/** The public JWKS for a public JWK and key id (tests and dev tooling). */
export function publicDecisionJwks(publicJwk: JWK, keyId: string): JSONWebKeySet {
  return parseDecisionKeys({ keys: [{ ...publicJwk, kid: keyId }] });
}

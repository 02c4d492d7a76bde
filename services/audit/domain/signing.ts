// Checkpoint signatures: Ed25519 (node:crypto) by default, SM2 (GB/T 32918, via sm-crypto, SM3 digest with the
// default user id "1234567812345678") where national algorithms are required.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { sm2 } from 'sm-crypto';
import { canonicalJson } from './canonical';
import type { HashAlgorithm } from './hashing';

export const signatureAlgorithms = ['ed25519', 'sm2'] as const;
export type SignatureAlgorithm = (typeof signatureAlgorithms)[number];

export type PublicKeyInfo = { readonly keyId: string; readonly algorithm: SignatureAlgorithm; readonly publicKey: string };
export type SigningKey = PublicKeyInfo & { sign(message: string): string };

export type CheckpointStatement = {
  readonly log: string;
  readonly size: number;
  readonly headHash: string;
  readonly hashAlgorithm: HashAlgorithm;
  readonly time: string; // ISO 8601, milliseconds
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly keyId: string;
};
export type SignedCheckpoint = CheckpointStatement & { readonly signature: string };

export function isSignatureAlgorithm(value: string): value is SignatureAlgorithm {
  return (signatureAlgorithms as readonly string[]).includes(value);
}

// sm-crypto has this at runtime; its type definitions omit it.
const sm2PublicKeyOf = (sm2 as unknown as { getPublicKeyFromPrivateKey(privateKey: string): string }).getPublicKeyFromPrivateKey;

// PKCS#8 prefix of a raw 32-byte Ed25519 seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function keyIdOf(publicKey: string): string {
  return createHash('sha256').update(publicKey.trim()).digest('hex').slice(0, 16);
}

export function checkpointMessage(statement: CheckpointStatement): string {
  const { log, size, headHash, hashAlgorithm, time, signatureAlgorithm, keyId } = statement;
  return canonicalJson({ log, size, headHash, hashAlgorithm, time, signatureAlgorithm, keyId });
}

/** Loads a private key: Ed25519 as PKCS#8 PEM or a 32-byte hex seed; SM2 as a 32-byte hex scalar. */
export function loadSigningKey(algorithm: SignatureAlgorithm, material: string): SigningKey {
  const text = material.trim();
  switch (algorithm) {
    case 'ed25519': {
      let key: KeyObject;
      if (text.includes('BEGIN')) key = createPrivateKey(text);
      else if (/^[0-9a-fA-F]{64}$/.test(text))
        key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(text, 'hex')]), format: 'der', type: 'pkcs8' });
      else throw new Error('an Ed25519 signing key must be a PKCS#8 PEM or 64 hex digits');
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`signing key is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`);
      const publicKey = (createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string).trim();
      return { algorithm, publicKey, keyId: keyIdOf(publicKey), sign: (message) => sign(null, Buffer.from(message, 'utf8'), key).toString('hex') };
    }
    case 'sm2': {
      if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error('an SM2 signing key must be 64 hex digits');
      const privateKey = text.toLowerCase();
      const publicKey = sm2PublicKeyOf(privateKey);
      return { algorithm, publicKey, keyId: keyIdOf(publicKey), sign: (message) => sm2.doSignature(message, privateKey, { hash: true, publicKey }) };
    }
    default: {
      const unknown: never = algorithm;
      throw new Error(`unknown signature algorithm ${String(unknown)}`);
    }
  }
}

/** A new private key in the text form loadSigningKey reads. */
export function generatePrivateKey(algorithm: SignatureAlgorithm): string {
  switch (algorithm) {
    case 'ed25519':
      return (generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trim();
    case 'sm2':
      return sm2.generateKeyPairHex().privateKey;
    default: {
      const unknown: never = algorithm;
      throw new Error(`unknown signature algorithm ${String(unknown)}`);
    }
  }
}

export function verifySignature(key: PublicKeyInfo, message: string, signatureHex: string): boolean {
  if (!/^[0-9a-fA-F]+$/.test(signatureHex)) return false;
  try {
    switch (key.algorithm) {
      case 'ed25519':
        return verify(null, Buffer.from(message, 'utf8'), createPublicKey(key.publicKey), Buffer.from(signatureHex, 'hex'));
      case 'sm2':
        return sm2.doVerifySignature(message, signatureHex.toLowerCase(), key.publicKey, { hash: true });
      default: {
        const unknown: never = key.algorithm;
        throw new Error(`unknown signature algorithm ${String(unknown)}`);
      }
    }
  } catch {
    return false; // a malformed key or signature is a failed verification, not a crash
  }
}

export function signCheckpoint(key: SigningKey, statement: Omit<CheckpointStatement, 'signatureAlgorithm' | 'keyId'>): SignedCheckpoint {
  const full: CheckpointStatement = { ...statement, signatureAlgorithm: key.algorithm, keyId: key.keyId };
  return { ...full, signature: key.sign(checkpointMessage(full)) };
}

// Hash algorithms of the audit logs. SM3 (GB/T 32905) is in Node's own crypto; both give 256-bit digests.
import { createHash } from 'node:crypto';

export const hashAlgorithms = ['sha256', 'sm3'] as const;
export type HashAlgorithm = (typeof hashAlgorithms)[number];

/** prevHash of a log's first entry, and the head hash of an empty log. */
export const GENESIS_HASH = '0'.repeat(64);

export function isHashAlgorithm(value: string): value is HashAlgorithm {
  return (hashAlgorithms as readonly string[]).includes(value);
}

export function digestHex(algorithm: HashAlgorithm, input: string | Uint8Array): string {
  switch (algorithm) {
    case 'sha256':
      return createHash('sha256').update(input).digest('hex');
    case 'sm3':
      return createHash('sm3').update(input).digest('hex');
    default: {
      const unknown: never = algorithm;
      throw new Error(`unknown hash algorithm ${String(unknown)}`);
    }
  }
}

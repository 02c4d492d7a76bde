// Verification of a log: recompute every entry's hash from its content and the entry before, in sequence order,
// and check signed checkpoints against the recomputed chain. Pure: the caller loads the entries.
// A verification may start after a prefix an earlier verification found intact (its anchor, a signed checkpoint),
// so that routine verification costs the entries appended since, not the whole history.
import { canonicalJson } from './canonical';
import { entryHash, type HashedEntry } from './entry';
import { indexFieldsOf, type IndexFields } from './derive';
import { GENESIS_HASH } from './hashing';
import { checkpointMessage, verifySignature, type PublicKeyInfo, type SignedCheckpoint } from './signing';

export type StoredEntry = HashedEntry & { readonly eventId: string; readonly index?: IndexFields };

export type MismatchReason = 'MISSING' | 'UNEXPECTED_SEQUENCE' | 'PREV_HASH' | 'HASH' | 'INDEX_FIELDS';
export type Mismatch = {
  readonly sequence: number;
  readonly reason: MismatchReason;
  readonly description: string;
  readonly expected: string;
  readonly actual: string;
};

export type ChainResult = {
  readonly log: string;
  /** Highest sequence stored (whether or not it verifies). */
  readonly storedSize: number;
  /** Entries 1..from were taken as verified (the anchor); 0 when the chain was re-hashed from its first entry. */
  readonly from: number;
  /** The hash of entry `from` (the genesis hash when from = 0). */
  readonly fromHash: string;
  /** Hashes of the intact entries after the anchor: verifiedHashes[k] is entry from + k + 1's hash. */
  readonly verifiedHashes: readonly string[];
  readonly mismatch: Mismatch | undefined;
};

/** Where a verification starts: after entry `size`, whose hash is `hash` (an earlier verification's result). */
export type VerifiedPrefix = { readonly size: number; readonly hash: string };

/** The last entry the chain vouches for (the anchor when nothing after it was verified). */
export function verifiedSize(chain: ChainResult): number {
  return chain.from + chain.verifiedHashes.length;
}

/** Entry n's verified hash: the anchor's for n = from, undefined before the anchor or past the intact part. */
export function verifiedHashAt(chain: ChainResult, n: number): string | undefined {
  if (n === chain.from) return chain.fromHash;
  if (n < chain.from) return undefined;
  return chain.verifiedHashes[n - chain.from - 1];
}

export function headHashOf(chain: ChainResult): string {
  return verifiedHashAt(chain, verifiedSize(chain)) ?? GENESIS_HASH;
}

/**
 * `entries` sorted by sequence, starting after `after` (default: the first entry, from the genesis hash). Stops
 * at the first mismatch: everything after it is unverifiable.
 */
export function verifyChain(log: string, entries: readonly StoredEntry[], options: { checkIndex?: boolean; after?: VerifiedPrefix } = {}): ChainResult {
  const from = options.after?.size ?? 0;
  const fromHash = options.after?.hash ?? GENESIS_HASH;
  const verified: string[] = [];
  const storedSize = entries.reduce((max, e) => Math.max(max, e.sequence), from);
  let prev = fromHash;
  let mismatch: Mismatch | undefined;
  for (const entry of entries) {
    const expectedSequence = from + verified.length + 1;
    mismatch = checkEntry(log, entry, expectedSequence, prev, options.checkIndex ?? true);
    if (mismatch) break;
    verified.push(entry.hash);
    prev = entry.hash;
  }
  return { log, storedSize, from, fromHash, verifiedHashes: verified, mismatch };
}

function checkEntry(log: string, entry: StoredEntry, expectedSequence: number, prev: string, checkIndex: boolean): Mismatch | undefined {
  if (entry.sequence > expectedSequence) {
    return {
      sequence: expectedSequence,
      reason: 'MISSING',
      description: `entry ${expectedSequence} of ${log} is missing`,
      expected: String(expectedSequence),
      actual: String(entry.sequence),
    };
  }
  if (entry.sequence < expectedSequence || entry.log !== log) {
    return {
      sequence: expectedSequence,
      reason: 'UNEXPECTED_SEQUENCE',
      description: `found ${entry.log}#${entry.sequence} where ${log}#${expectedSequence} belongs`,
      expected: `${log}#${expectedSequence}`,
      actual: `${entry.log}#${entry.sequence}`,
    };
  }
  if (entry.prevHash !== prev) {
    return {
      sequence: entry.sequence,
      reason: 'PREV_HASH',
      description: `entry ${entry.sequence} does not link to the entry before it`,
      expected: prev,
      actual: entry.prevHash,
    };
  }
  const recomputed = entryHash(entry);
  if (recomputed !== entry.hash || entry.eventId !== entry.event.id) {
    return {
      sequence: entry.sequence,
      reason: 'HASH',
      description: `entry ${entry.sequence}'s content does not match its hash`,
      expected: recomputed,
      actual: entry.hash,
    };
  }
  if (checkIndex && entry.index) {
    const expected = canonicalJson(indexFieldsOf(entry.event));
    const actual = canonicalJson(entry.index);
    if (expected !== actual)
      return { sequence: entry.sequence, reason: 'INDEX_FIELDS', description: `entry ${entry.sequence}'s query fields were changed`, expected, actual };
  }
  return undefined;
}

export type CheckpointProblem = 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'WRONG_LOG' | 'NOT_REACHED' | 'BEFORE_ANCHOR' | 'HEAD_MISMATCH';
export type CheckpointCheck = { readonly ok: true } | { readonly ok: false; readonly problem: CheckpointProblem; readonly description: string };

export function checkCheckpoint(checkpoint: SignedCheckpoint, keys: ReadonlyMap<string, PublicKeyInfo>, chain: ChainResult): CheckpointCheck {
  const key = keys.get(checkpoint.keyId);
  if (!key || key.algorithm !== checkpoint.signatureAlgorithm) {
    return { ok: false, problem: 'UNKNOWN_KEY', description: `no trusted ${checkpoint.signatureAlgorithm} key ${checkpoint.keyId}` };
  }
  if (!verifySignature(key, checkpointMessage(checkpoint), checkpoint.signature)) {
    return { ok: false, problem: 'BAD_SIGNATURE', description: `signature does not verify with key ${checkpoint.keyId}` };
  }
  if (checkpoint.log !== chain.log) return { ok: false, problem: 'WRONG_LOG', description: `checkpoint is for ${checkpoint.log}, not ${chain.log}` };
  if (checkpoint.size > verifiedSize(chain)) {
    return { ok: false, problem: 'NOT_REACHED', description: `checkpoint covers ${checkpoint.size} entries; the intact log has ${verifiedSize(chain)}` };
  }
  if (checkpoint.size < chain.from) {
    return {
      ok: false,
      problem: 'BEFORE_ANCHOR',
      description: `checkpoint covers ${checkpoint.size} entries, before this verification's anchor at ${chain.from}: verify in full to check it`,
    };
  }
  const head = checkpoint.size === 0 ? GENESIS_HASH : verifiedHashAt(chain, checkpoint.size);
  if (head !== checkpoint.headHash) {
    return { ok: false, problem: 'HEAD_MISMATCH', description: `entry ${checkpoint.size} has hash ${head ?? '?'}, the checkpoint says ${checkpoint.headHash}` };
  }
  return { ok: true };
}

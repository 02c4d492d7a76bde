// Verification of a log: recompute every entry's hash from its content and the entry before, in sequence order,
// and check signed checkpoints against the recomputed chain. Pure: the caller loads the entries.
import { canonicalJson } from './canonical';
import { entryHash, type HashedEntry } from './entry';
import { indexFieldsOf, type IndexFields } from './derive';
import { GENESIS_HASH } from './hashing';
import { checkpointMessage, verifySignature, type PublicKeyInfo, type SignedCheckpoint } from './signing';

export type StoredEntry = HashedEntry & { readonly eventId: string; readonly index?: IndexFields };

export type MismatchReason = 'MISSING' | 'UNEXPECTED_SEQUENCE' | 'PREV_HASH' | 'HASH' | 'INDEX_FIELDS';
export type Mismatch = { readonly sequence: number; readonly reason: MismatchReason; readonly description: string; readonly expected: string; readonly actual: string };

export type ChainResult = {
  readonly log: string;
  /** Highest sequence stored (whether or not it verifies). */
  readonly storedSize: number;
  /** Hashes of the intact prefix: verifiedHashes[n - 1] is entry n's hash. */
  readonly verifiedHashes: readonly string[];
  readonly mismatch: Mismatch | undefined;
};

/** `entries` sorted by sequence. Stops at the first mismatch: everything after it is unverifiable. */
export function verifyChain(log: string, entries: readonly StoredEntry[], options: { checkIndex?: boolean } = {}): ChainResult {
  const verified: string[] = [];
  const storedSize = entries.reduce((max, e) => Math.max(max, e.sequence), 0);
  let prev = GENESIS_HASH;
  let mismatch: Mismatch | undefined;
  for (const entry of entries) {
    const expectedSequence = verified.length + 1;
    mismatch = checkEntry(log, entry, expectedSequence, prev, options.checkIndex ?? true);
    if (mismatch) break;
    verified.push(entry.hash);
    prev = entry.hash;
  }
  return { log, storedSize, verifiedHashes: verified, mismatch };
}

function checkEntry(log: string, entry: StoredEntry, expectedSequence: number, prev: string, checkIndex: boolean): Mismatch | undefined {
  if (entry.sequence > expectedSequence) {
    return { sequence: expectedSequence, reason: 'MISSING', description: `entry ${expectedSequence} of ${log} is missing`, expected: String(expectedSequence), actual: String(entry.sequence) };
  }
  if (entry.sequence < expectedSequence || entry.log !== log) {
    return { sequence: expectedSequence, reason: 'UNEXPECTED_SEQUENCE', description: `found ${entry.log}#${entry.sequence} where ${log}#${expectedSequence} belongs`, expected: `${log}#${expectedSequence}`, actual: `${entry.log}#${entry.sequence}` };
  }
  if (entry.prevHash !== prev) {
    return { sequence: entry.sequence, reason: 'PREV_HASH', description: `entry ${entry.sequence} does not link to the entry before it`, expected: prev, actual: entry.prevHash };
  }
  const recomputed = entryHash(entry);
  if (recomputed !== entry.hash || entry.eventId !== entry.event.id) {
    return { sequence: entry.sequence, reason: 'HASH', description: `entry ${entry.sequence}'s content does not match its hash`, expected: recomputed, actual: entry.hash };
  }
  if (checkIndex && entry.index) {
    const expected = canonicalJson(indexFieldsOf(entry.event));
    const actual = canonicalJson(entry.index);
    if (expected !== actual) return { sequence: entry.sequence, reason: 'INDEX_FIELDS', description: `entry ${entry.sequence}'s query fields were changed`, expected, actual };
  }
  return undefined;
}

export type CheckpointProblem = 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'WRONG_LOG' | 'NOT_REACHED' | 'HEAD_MISMATCH';
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
  if (checkpoint.size > chain.verifiedHashes.length) {
    return { ok: false, problem: 'NOT_REACHED', description: `checkpoint covers ${checkpoint.size} entries; the intact log has ${chain.verifiedHashes.length}` };
  }
  const head = checkpoint.size === 0 ? GENESIS_HASH : chain.verifiedHashes[checkpoint.size - 1];
  if (head !== checkpoint.headHash) {
    return { ok: false, problem: 'HEAD_MISMATCH', description: `entry ${checkpoint.size} has hash ${head ?? '?'}, the checkpoint says ${checkpoint.headHash}` };
  }
  return { ok: true };
}

// Use case: verify a hash-chained log. Routine verification re-hashes only the entries appended since the log's
// anchor (the newest signed checkpoint an earlier verification found intact), so its cost follows new activity,
// not the years of history behind it; `full` re-hashes everything from the first entry. What a routine
// verification trusts is stated in its result (verifiedFrom, anchor), and the anchor itself is re-checked each
// time: its signature against the trusted keys and the stored hash of its head entry. Changing an entry before
// the anchor without breaking either is what only a full verification finds — run one periodically.
import type { PublicKeyInfo, SignedCheckpoint } from '../domain/signing';
import { checkCheckpoint, headHashOf, verifyChain, type ChainResult, type CheckpointCheck, type StoredEntry } from '../domain/verify';

/** The logs, as verification reads them (by _id). */
export interface ChainReader {
  head(log: string): Promise<{ readonly size: number }>;
  readAfter(log: string, after: number, upTo: number): Promise<StoredEntry[]>;
  entryAt(log: string, sequence: number): Promise<StoredEntry | undefined>;
}

export interface CheckpointReader {
  latest(log: string): Promise<SignedCheckpoint | undefined>;
  forLog(log: string): Promise<SignedCheckpoint[]>;
}

export interface VerificationAnchors {
  get(log: string): Promise<SignedCheckpoint | undefined>;
  advance(log: string, checkpoint: SignedCheckpoint, at: Date): Promise<void>;
}

export type VerifyLogPorts = {
  readonly chain: ChainReader;
  readonly checkpoints: CheckpointReader;
  readonly anchors: VerificationAnchors;
  readonly trustedKeys: () => Promise<ReadonlyMap<string, PublicKeyInfo>>;
  readonly now: () => Date;
};

export type CheckedCheckpoint = { readonly checkpoint: SignedCheckpoint; readonly check: CheckpointCheck };

export type LogVerification = {
  readonly chain: ChainResult;
  readonly ok: boolean;
  readonly headHash: string;
  readonly checkpoints: readonly CheckedCheckpoint[];
  /** The checkpoint this verification started after; undefined for a full verification. */
  readonly anchor: SignedCheckpoint | undefined;
  readonly entriesChecked: number;
};

export async function verifyLog(ports: VerifyLogPorts, request: { log: string; given: readonly SignedCheckpoint[]; full: boolean }): Promise<LogVerification> {
  const { log, given } = request;
  const trusted = await ports.trustedKeys();
  const anchor = request.full ? undefined : await usableAnchor(ports, log, trusted, given);
  const head = await ports.chain.head(log);
  const from = anchor?.size ?? 0;
  const entries = await ports.chain.readAfter(log, from, head.size);
  const chain = verifyChain(log, entries, anchor ? { after: { size: anchor.size, hash: anchor.headHash } } : {});
  // A full verification also reports the latest stored checkpoints; a routine one the newest (the next anchor).
  const stored = anchor ? [await ports.checkpoints.latest(log)].filter((c): c is SignedCheckpoint => c !== undefined) : await ports.checkpoints.forLog(log);
  const checkpoints = [...(anchor ? [anchor] : []), ...stored.filter((c) => !anchor || c.size > anchor.size), ...given].map((checkpoint) => ({
    checkpoint,
    check: checkCheckpoint(checkpoint, trusted, chain),
  }));
  const ok = !chain.mismatch && checkpoints.every((c) => c.check.ok);
  if (ok) {
    // The newest of our own checkpoints that this verification vouched for becomes the next anchor.
    const next = stored.filter((c) => checkpoints.some((r) => r.checkpoint === c && r.check.ok)).sort((a, b) => b.size - a.size)[0];
    if (next && next.size > from) await ports.anchors.advance(log, next, ports.now());
  }
  return { chain, ok, headHash: headHashOf(chain), checkpoints, anchor, entriesChecked: entries.length };
}

/**
 * The log's anchor if it can still be trusted: signed by a trusted key for this log, its head entry still stored
 * with the signed hash, and no checkpoint to check lies before it (those need the entries before the anchor).
 */
async function usableAnchor(
  ports: VerifyLogPorts,
  log: string,
  trusted: ReadonlyMap<string, PublicKeyInfo>,
  given: readonly SignedCheckpoint[],
): Promise<SignedCheckpoint | undefined> {
  const anchor = await ports.anchors.get(log);
  if (!anchor || anchor.log !== log || anchor.size === 0) return undefined;
  if (given.some((c) => c.size < anchor.size)) return undefined;
  const signed = checkCheckpoint(anchor, trusted, {
    log,
    storedSize: anchor.size,
    from: anchor.size,
    fromHash: anchor.headHash,
    verifiedHashes: [],
    mismatch: undefined,
  });
  if (!signed.ok) return undefined;
  const entry = await ports.chain.entryAt(log, anchor.size);
  return entry?.hash === anchor.headHash ? anchor : undefined;
}

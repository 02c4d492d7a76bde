// The export of a trace, and its offline verification. An export carries, for every step, a complete
// per-aggregate log that contains the step's event (entries 1..n), a signed checkpoint at n for each such log,
// and the public keys. The verifier recomputes every hash, link, checkpoint signature and step.
import { z } from 'zod';
import { canonicalJson } from './canonical';
import type { HashedEntry } from './entry';
import { hashAlgorithms } from './hashing';
import { signatureAlgorithms, type PublicKeyInfo, type SignedCheckpoint } from './signing';
import { stepContentOf, type TraceStep, type TraceTarget } from './trace';
import { checkCheckpoint, verifyChain, type StoredEntry } from './verify';

export const EXPORT_FORMAT = 'bps.audit.export/v1';

const recordedEvent = z
  .object({
    specversion: z.string(),
    id: z.string(),
    type: z.string(),
    source: z.string(),
    subject: z.string().optional(),
    time: z.string(),
    datacontenttype: z.string(),
    dataschema: z.string().optional(),
    key: z.string(),
    traceparent: z.string().optional(),
    tracestate: z.string().optional(),
    extensions: z.record(z.string(), z.string()).optional(),
    data: z.string(),
    dataEncoding: z.enum(['utf8', 'base64']),
  })
  .strict();

const entry = z
  .object({
    log: z.string(),
    sequence: z.number().int().positive(),
    prevHash: z.string(),
    hash: z.string(),
    hashAlgorithm: z.enum(hashAlgorithms),
    topic: z.string(),
    event: recordedEvent,
  })
  .strict();

const checkpoint = z
  .object({
    log: z.string(),
    size: z.number().int().nonnegative(),
    headHash: z.string(),
    hashAlgorithm: z.enum(hashAlgorithms),
    time: z.string(),
    signatureAlgorithm: z.enum(signatureAlgorithms),
    keyId: z.string(),
    signature: z.string(),
  })
  .strict();

const actor = z.object({ subject: z.string(), organisation: z.string(), roles: z.array(z.string()) }).strict();
const step = z
  .object({
    globalSequence: z.number().int(),
    hash: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    source: z.string(),
    subject: z.string(),
    time: z.string(),
    actor: actor.nullable(),
    what: z.string(),
    why: z.string(),
    traceId: z.string(),
    aggregates: z.array(z.object({ kind: z.string(), id: z.string() }).strict()),
    dataJson: z.string(),
  })
  .strict();

export const exportDocumentSchema = z
  .object({
    format: z.literal(EXPORT_FORMAT),
    generatedAt: z.string(),
    target: z.record(z.string(), z.unknown()),
    steps: z.array(step),
    logs: z.array(z.object({ log: z.string(), entries: z.array(entry), checkpoint }).strict()),
    publicKeys: z.array(z.object({ keyId: z.string(), algorithm: z.enum(signatureAlgorithms), publicKey: z.string() }).strict()),
  })
  .strict();

export type ExportDocument = {
  readonly format: typeof EXPORT_FORMAT;
  readonly generatedAt: string;
  readonly target: TraceTarget;
  readonly steps: readonly TraceStep[];
  readonly logs: readonly { readonly log: string; readonly entries: readonly HashedEntry[]; readonly checkpoint: SignedCheckpoint }[];
  readonly publicKeys: readonly PublicKeyInfo[];
};

export type ExportVerification = {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly logs: number;
  readonly entries: number;
  readonly steps: number;
};

/** Checks an export document (parsed JSON). `trustedKeyIds`, when given, restricts which keys may have signed. */
export function verifyExport(document: unknown, options: { trustedKeyIds?: readonly string[] } = {}): ExportVerification {
  const parsed = exportDocumentSchema.safeParse(document);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.slice(0, 20).map((i) => `malformed export at ${i.path.join('.') || '(root)'}: ${i.message}`),
      logs: 0,
      entries: 0,
      steps: 0,
    };
  }
  const doc = parsed.data;
  const problems: string[] = [];
  const keys = new Map<string, PublicKeyInfo>();
  for (const key of doc.publicKeys) {
    if (options.trustedKeyIds && !options.trustedKeyIds.includes(key.keyId)) continue;
    keys.set(key.keyId, key);
  }
  const byEventId = new Map<string, StoredEntry>();
  let entries = 0;
  for (const log of doc.logs) {
    const sorted = [...log.entries].sort((a, b) => a.sequence - b.sequence).map((e) => ({ ...e, eventId: e.event.id }));
    entries += sorted.length;
    const chain = verifyChain(log.log, sorted, { checkIndex: false });
    if (chain.mismatch) problems.push(`log ${log.log}: ${chain.mismatch.reason} at entry ${chain.mismatch.sequence}: ${chain.mismatch.description}`);
    if (chain.storedSize !== sorted.length) problems.push(`log ${log.log}: entries are not 1..${sorted.length}`);
    const check = checkCheckpoint(log.checkpoint, keys, chain);
    if (!check.ok) problems.push(`log ${log.log}: checkpoint ${check.problem}: ${check.description}`);
    else if (log.checkpoint.size !== sorted.length) problems.push(`log ${log.log}: checkpoint covers ${log.checkpoint.size} of ${sorted.length} entries`);
    if (!chain.mismatch) for (const e of sorted) byEventId.set(e.eventId, e);
  }
  for (const s of doc.steps) {
    const recorded = byEventId.get(s.eventId);
    if (!recorded) {
      problems.push(`step ${s.eventId}: not in any verified log of the export`);
      continue;
    }
    const { globalSequence: _g, hash: _h, ...content } = s;
    if (canonicalJson(content) !== canonicalJson(stepContentOf(recorded.event))) problems.push(`step ${s.eventId}: does not match the recorded event`);
  }
  return { ok: problems.length === 0, problems, logs: doc.logs.length, entries, steps: doc.steps.length };
}

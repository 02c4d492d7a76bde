// Use case: trace queries answered from the logs — start from the logs a question names, follow the aggregates
// their events reference (bounded), then order the events by their place in the global log; and the export of a
// trace with the logs and checkpoints that prove it. Ports: `TraceLogs`, `CheckpointHeads` (adapters/mongo).
import { NotFoundError } from '../../shared/errors/errors';
import { actorLog, GLOBAL_LOG, logName, parseLogName, type AggregateRef } from '../domain/derive';
import { EXPORT_FORMAT, type ExportDocument } from '../domain/export';
import type { PublicKeyInfo, SignedCheckpoint } from '../domain/signing';
import { followedKinds, MAX_TRACE_LOGS, publishedProvenance, stepContentOf, type Provenance, type TraceStep, type TraceTarget } from '../domain/trace';
import type { StoredEntry } from '../domain/verify';

/** An entry of a log as traces read it: where the same event sits in the global log comes with it. */
export type IndexedEntry = StoredEntry & { readonly globalSequence: number };

/** The logs, as traces read them (by _id). */
export interface TraceLogs {
  /** Every entry of `log` up to its head. */
  entriesOf(log: string): Promise<IndexedEntry[]>;
  /** The global log's entries at these sequences, in sequence order. */
  globalEntriesAt(sequences: readonly number[]): Promise<IndexedEntry[]>;
  /** Every stored entry of `log` up to its head, in stored-sequence order. */
  read(log: string): Promise<StoredEntry[]>;
}

/** A signed checkpoint at a log's current head (an existing one when the head has not moved). */
export interface CheckpointHeads {
  checkpointHead(log: string): Promise<SignedCheckpoint>;
}

export type TraceResult = { readonly steps: TraceStep[]; readonly logs: string[]; readonly provenance?: Provenance };

function stepOf(doc: StoredEntry, globalSequence: number): TraceStep {
  return { globalSequence, hash: doc.hash, ...stepContentOf(doc.event) };
}

/** Steps for aggregate-log entries in the order of the global log (`global`: their copies there, in sequence order). */
function stepsInGlobalOrder(entries: readonly IndexedEntry[], global: readonly IndexedEntry[]): TraceStep[] {
  const found = new Set(global.map((g) => g.eventId));
  // An event the global log does not hold where it should (it never should) is still shown, first, at 0.
  const orphans = entries.filter((e) => !found.has(e.eventId)).map((e) => stepOf(e, 0));
  const wanted = new Set(entries.map((e) => e.eventId));
  return [...orphans, ...global.filter((g) => wanted.has(g.eventId)).map((g) => stepOf(g, g.sequence))];
}

export class TraceReader {
  constructor(
    private readonly store: TraceLogs,
    private readonly checkpoints: CheckpointHeads,
    private readonly keys: () => Promise<Map<string, PublicKeyInfo>>,
  ) {}

  async trace(target: TraceTarget): Promise<TraceResult> {
    switch (target.kind) {
      case 'item-version': {
        const itemLog = logName({ kind: 'item', id: target.itemCode });
        let provenance: Provenance | undefined;
        for (const entry of await this.store.entriesOf(itemLog)) provenance ??= publishedProvenance(entry.event, target.itemCode, target.version);
        if (!provenance) throw new NotFoundError('published item version', `${target.itemCode}@${target.version}`);
        const start = (
          [
            { kind: 'release', id: provenance.releaseId },
            { kind: 'change-set', id: provenance.changeSetId },
            ...provenance.proposalIds.map((id) => ({ kind: 'proposal' as const, id })),
            { kind: 'workflow', id: provenance.workflowId },
          ] satisfies AggregateRef[]
        ).filter((r) => r.id !== '');
        return { ...(await this.closure(start, target.kind)), provenance };
      }
      case 'proposal':
        return this.closure([{ kind: 'proposal', id: target.proposalId }], target.kind, true);
      case 'cycle':
        return this.closure([{ kind: 'cycle', id: target.cycleId }], target.kind, true);
      case 'actor': {
        const log = actorLog(target.subject);
        const inPeriod = (await this.store.entriesOf(log)).filter(
          (d) => (!target.from || d.event.time >= target.from) && (!target.to || d.event.time < target.to),
        );
        return { steps: await this.inGlobalOrder(inPeriod), logs: [log] };
      }
      default: {
        const unknown: never = target;
        throw new Error(`unknown trace target ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async closure(start: readonly AggregateRef[], kind: TraceTarget['kind'], requireStart = false): Promise<TraceResult> {
    const follow = new Set(followedKinds(kind));
    let frontier = start.map(logName);
    const seen = new Set<string>(frontier);
    const byEventId = new Map<string, IndexedEntry>();
    // The global log's copies of each level's events are read while the next level is (they are only needed for
    // the order at the end): a trace costs its levels' round trips, not those plus the global log's.
    const globalReads: Promise<IndexedEntry[]>[] = [];
    // Breadth-first, each level's logs read in parallel (a log is several round trips); handled in level order, so
    // the MAX_TRACE_LOGS cut-off picks the same logs as a one-by-one walk would.
    while (frontier.length > 0) {
      const level = frontier;
      const read = await Promise.all(level.map((log) => this.store.entriesOf(log)));
      frontier = [];
      const levelEntries: IndexedEntry[] = [];
      for (const [i, log] of level.entries()) {
        const entries = read[i] ?? [];
        if (requireStart && entries.length === 0 && start.some((s) => logName(s) === log)) {
          const ref = parseLogName(log);
          throw new NotFoundError(ref?.kind ?? 'log', ref?.id ?? log);
        }
        for (const entry of entries) {
          if (!byEventId.has(entry.eventId)) levelEntries.push(entry);
          byEventId.set(entry.eventId, entry);
          for (const ref of entry.index?.aggregates ?? []) {
            const name = logName(ref);
            if (follow.has(ref.kind) && !seen.has(name) && seen.size < MAX_TRACE_LOGS) {
              seen.add(name);
              frontier.push(name);
            }
          }
        }
      }
      const reading = this.store.globalEntriesAt(levelEntries.map((e) => e.globalSequence));
      reading.catch(() => undefined); // awaited below; a failure must not surface as an unhandled rejection first
      globalReads.push(reading);
    }
    const global = (await Promise.all(globalReads)).flat().sort((a, b) => a.sequence - b.sequence);
    return { steps: stepsInGlobalOrder([...byEventId.values()], global), logs: [...seen] };
  }

  /** Steps for these aggregate-log entries, from and in the order of the global log. */
  private async inGlobalOrder(entries: readonly IndexedEntry[]): Promise<TraceStep[]> {
    return stepsInGlobalOrder(entries, await this.store.globalEntriesAt(entries.map((e) => e.globalSequence)));
  }

  /** The trace plus, for each step, a complete log holding its event, with a checkpoint at that log's head. */
  async export(target: TraceTarget): Promise<ExportDocument> {
    const { steps, logs } = await this.trace(target);
    const traceLogs = new Set(logs);
    const needed = new Set<string>();
    for (const step of steps) {
      const names = [...step.aggregates.map(logName), ...(step.actor ? [actorLog(step.actor.subject)] : [])];
      needed.add(names.find((n) => traceLogs.has(n)) ?? names[0] ?? GLOBAL_LOG);
    }
    const exported: ExportDocument['logs'][number][] = [];
    for (const log of [...needed].sort()) {
      // Checkpoint first, then read: entries appended in between are simply beyond the checkpoint.
      const checkpoint = await this.checkpoints.checkpointHead(log);
      const entries = (await this.store.read(log)).filter((e) => e.sequence <= checkpoint.size);
      exported.push({
        log,
        checkpoint,
        entries: entries.map(({ log: l, sequence, prevHash, hash, hashAlgorithm, topic, event }) => ({
          log: l,
          sequence,
          prevHash,
          hash,
          hashAlgorithm,
          topic,
          event,
        })),
      });
    }
    const keys = await this.keys();
    const usedKeyIds = new Set(exported.map((l) => l.checkpoint.keyId));
    return {
      format: EXPORT_FORMAT,
      generatedAt: new Date().toISOString(),
      target,
      steps,
      logs: exported,
      publicKeys: [...keys.values()].filter((k) => usedKeyIds.has(k.keyId)),
    };
  }
}

// Traces assembled from the logs: which aggregate logs belong to a question, and each event as a step
// (who, when, what, why). Everything here is derived from recorded events, so an export can be re-derived offline.
import { eventData, type RecordedEvent } from './entry';
import { actorOf, aggregatesOf, traceIdOf, whatOf, whyOf, type ActorRef, type AggregateKind, type AggregateRef } from './derive';

export type TraceTarget =
  | { readonly kind: 'item-version'; readonly itemCode: string; readonly version: number }
  | { readonly kind: 'proposal'; readonly proposalId: string }
  | { readonly kind: 'cycle'; readonly cycleId: string }
  | { readonly kind: 'actor'; readonly subject: string; readonly from?: string; readonly to?: string };

/** The parts of a step that follow from the event alone. */
export type StepContent = {
  readonly eventId: string;
  readonly eventType: string;
  readonly source: string;
  readonly subject: string;
  readonly time: string;
  readonly actor: ActorRef | null;
  readonly what: string;
  readonly why: string;
  readonly traceId: string;
  readonly aggregates: readonly AggregateRef[];
  readonly dataJson: string;
};

export type TraceStep = StepContent & { readonly globalSequence: number; readonly hash: string };

export function stepContentOf(event: RecordedEvent): StepContent {
  return {
    eventId: event.id,
    eventType: event.type,
    source: event.source,
    subject: event.subject ?? '',
    time: event.time,
    actor: actorOf(event) ?? null,
    what: whatOf(event),
    why: whyOf(event),
    traceId: traceIdOf(event) ?? '',
    aggregates: aggregatesOf(event),
    dataJson: event.data,
  };
}

/** Which referenced aggregates a trace follows from the logs it has already read (a bounded closure). */
export function followedKinds(target: TraceTarget['kind']): readonly AggregateKind[] {
  switch (target) {
    case 'item-version':
    case 'proposal':
      // Not 'item' (an item's log is its whole history) nor 'cycle' (every other field's proposals).
      return ['release', 'change-set', 'proposal', 'workflow'];
    case 'cycle':
      return ['cycle', 'release', 'change-set', 'proposal', 'workflow'];
    case 'actor':
      return [];
    default: {
      const unknown: never = target;
      throw new Error(`unknown trace target ${String(unknown)}`);
    }
  }
}

export const MAX_TRACE_LOGS = 200;

export type Provenance = {
  readonly releaseId: string;
  readonly changeSetId: string;
  readonly proposalIds: readonly string[];
  readonly workflowId: string;
  readonly cycleId: string;
};

export const VERSION_PUBLISHED = 'bps.standard.version.published';

/** When `event` is a VersionPublished listing itemCode@version: the release and where it came from. */
export function publishedProvenance(event: RecordedEvent, itemCode: string, version: number): Provenance | undefined {
  if (event.type !== VERSION_PUBLISHED) return undefined;
  const data = eventData(event) as Record<string, any> | null;
  if (data === null || typeof data !== 'object') return undefined;
  const versions = Array.isArray(data['itemVersions']) ? (data['itemVersions'] as unknown[]) : [];
  const listed = versions.some(
    (v) =>
      v !== null &&
      typeof v === 'object' &&
      (v as Record<string, unknown>)['itemCode'] === itemCode &&
      Number((v as Record<string, unknown>)['version']) === version,
  );
  if (!listed) return undefined;
  const provenance = (data['provenance'] ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    releaseId: str(data['releaseId']),
    changeSetId: str(data['changeSetId']),
    proposalIds: Array.isArray(provenance['proposalIds']) ? provenance['proposalIds'].filter((p): p is string => typeof p === 'string') : [],
    workflowId: str(provenance['workflowId']),
    cycleId: str(provenance['cycleId']),
  };
}

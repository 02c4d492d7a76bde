// What the audit service reads out of any platform event, without knowing its schema: the aggregates it is about
// (from ce_subject, the key and well-known payload fields at any depth), the person who acted (`actor`, which every
// producer puts in payloads where a person acted), the OpenTelemetry trace id (traceparent), and who/what/why text.
import { eventData, type RecordedEvent } from './entry';

export const aggregateKinds = [
  'item',
  'release',
  'change-set',
  'proposal',
  'workflow',
  'cycle',
  'subscription',
  'technical-standard',
  'pilot',
  'evaluation',
] as const;
export type AggregateKind = (typeof aggregateKinds)[number];
export type AggregateRef = { readonly kind: AggregateKind; readonly id: string };
export type ActorRef = { readonly subject: string; readonly organisation: string; readonly roles: readonly string[] };

export const GLOBAL_LOG = 'global';

/** Each person who acts has a log of their own ("actor:<subject>"), beside the aggregate logs. */
export function actorLog(subject: string): string {
  return `actor:${subject}`;
}

export function logName(ref: AggregateRef): string {
  return `${ref.kind}:${ref.id}`;
}

/**
 * The logs of every person the event names as acting: `actor`, and the other party of a two-person act
 * (`proposedBy`: an erratum proposed by one person and approved by another is in both people's logs).
 */
export function actorLogsOf(event: RecordedEvent): string[] {
  const subjects = [actorOf(event), ...secondaryActorsOf(event)].map((a) => a?.subject).filter((s): s is string => s !== undefined && ID_PATTERN.test(s));
  return [...new Set(subjects)].map(actorLog);
}

const secondaryActorFields = ['proposedBy', 'proposed_by'];

/** The other people named as acting in a two-person act (top-level `proposedBy`). */
export function secondaryActorsOf(event: RecordedEvent): ActorRef[] {
  const data = eventData(event);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return [];
  return secondaryActorFields.map((f) => actorRefOf((data as Record<string, unknown>)[f])).filter((a): a is ActorRef => a !== undefined);
}

export function isLogName(log: string): boolean {
  return log === GLOBAL_LOG || parseLogName(log) !== undefined || (log.startsWith('actor:') && log.length > 'actor:'.length);
}

export function parseLogName(log: string): AggregateRef | undefined {
  const i = log.indexOf(':');
  if (i <= 0) return undefined;
  const kind = log.slice(0, i);
  const id = log.slice(i + 1);
  return isAggregateKind(kind) && id !== '' ? { kind, id } : undefined;
}

export function isAggregateKind(value: string): value is AggregateKind {
  return (aggregateKinds as readonly string[]).includes(value);
}

// Payload field names (proto JSON uses lowerCamelCase; snake_case accepted for hand-written producers).
const fieldKinds: ReadonlyMap<string, AggregateKind> = new Map<string, AggregateKind>([
  ['releaseId', 'release'],
  ['release_id', 'release'],
  ['proposalId', 'proposal'],
  ['proposal_id', 'proposal'],
  ['proposalIds', 'proposal'],
  ['proposal_ids', 'proposal'],
  ['workflowId', 'workflow'],
  ['workflow_id', 'workflow'],
  ['cycleId', 'cycle'],
  ['cycle_id', 'cycle'],
  ['changeSetId', 'change-set'],
  ['change_set_id', 'change-set'],
  ['subscriptionId', 'subscription'],
  ['subscription_id', 'subscription'],
  ['itemCode', 'item'],
  ['item_code', 'item'],
  ['standardId', 'technical-standard'],
  ['standard_id', 'technical-standard'],
  ['pilotId', 'pilot'],
  ['pilot_id', 'pilot'],
  ['evaluationId', 'evaluation'],
  ['evaluation_id', 'evaluation'],
]);

// Fields that point at *other* aggregates (a conflicting proposal), not at what the event is about.
const otherReferences: ReadonlySet<string> = new Set([
  'conflictsWith',
  'conflicts_with',
  'otherProposalId',
  'other_proposal_id',
  'revisesStandardId',
  'revises_standard_id',
]);

// ce_subject "proposals/P-1" style prefixes.
const subjectKinds: ReadonlyMap<string, AggregateKind> = new Map<string, AggregateKind>([
  ['items', 'item'],
  ['item', 'item'],
  ['releases', 'release'],
  ['release', 'release'],
  ['change-sets', 'change-set'],
  ['changesets', 'change-set'],
  ['change-set', 'change-set'],
  ['proposals', 'proposal'],
  ['proposal', 'proposal'],
  ['workflows', 'workflow'],
  ['workflow', 'workflow'],
  ['cycles', 'cycle'],
  ['cycle', 'cycle'],
  ['subscriptions', 'subscription'],
  ['subscription', 'subscription'],
]);

// What the Kafka key is, by event family (key = aggregate id). Families whose key varies are left to the payload.
function keyKind(type: string): AggregateKind | undefined {
  if (type.startsWith('bps.proposal.')) return 'proposal';
  if (type.startsWith('bps.cycle.')) return 'cycle';
  if (type.startsWith('bps.programme.pilot.')) return 'pilot';
  if (type.startsWith('bps.programme.standard.')) return 'technical-standard';
  return undefined;
}

const MAX_DEPTH = 10;
const MAX_REFS = 500;
const ID_PATTERN = /^[\p{L}\p{N}._:/@-]{1,200}$/u;

function collectRefs(value: unknown, depth: number, out: Map<string, AggregateRef>): void {
  if (depth > MAX_DEPTH || out.size >= MAX_REFS || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, depth + 1, out);
    return;
  }
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (otherReferences.has(name)) continue;
    const kind = fieldKinds.get(name);
    if (kind !== undefined) {
      for (const id of Array.isArray(v) ? v : [v]) add(out, kind, id);
    } else {
      collectRefs(v, depth + 1, out);
    }
  }
}

function add(out: Map<string, AggregateRef>, kind: AggregateKind, id: unknown): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id) || out.size >= MAX_REFS) return;
  const ref = { kind, id };
  out.set(logName(ref), ref);
}

/** Every aggregate the event is about, in a stable order (kind order, then id). */
export function aggregatesOf(event: RecordedEvent): AggregateRef[] {
  const out = new Map<string, AggregateRef>();
  const subject = event.subject ?? '';
  const slash = subject.indexOf('/');
  if (slash > 0) {
    const kind = subjectKinds.get(subject.slice(0, slash));
    if (kind) add(out, kind, subject.slice(slash + 1));
  }
  const kind = keyKind(event.type);
  if (kind && event.key) add(out, kind, event.key);
  const data = eventData(event);
  collectRefs(data, 0, out);
  // A refusal's record (bps.access.refused) names the object of the refused call as targetKind/targetId.
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const { targetKind, targetId } = data as Record<string, unknown>;
    if (typeof targetKind === 'string' && isAggregateKind(targetKind)) add(out, targetKind, targetId);
  }
  return [...out.values()].sort((a, b) => aggregateKinds.indexOf(a.kind) - aggregateKinds.indexOf(b.kind) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function actorOf(event: RecordedEvent): ActorRef | undefined {
  const data = eventData(event);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  return actorRefOf((data as Record<string, unknown>)['actor']);
}

function actorRefOf(actor: unknown): ActorRef | undefined {
  if (actor === null || typeof actor !== 'object') return undefined;
  const { subject, organisation, roles } = actor as Record<string, unknown>;
  if (typeof subject !== 'string' || subject === '') return undefined;
  return {
    subject,
    organisation: typeof organisation === 'string' ? organisation : '',
    roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
  };
}

export function traceIdOf(event: RecordedEvent): string | undefined {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(event.traceparent ?? '');
  const id = match?.[1];
  return id && !/^0+$/.test(id) ? id : undefined;
}

const whyFields = [
  'comment',
  'reason',
  'note',
  'justification',
  'rationale',
  'loweringJustification',
  'lowering_justification',
  'message',
  'lastError',
  'last_error',
];
const whatFields = [
  'phase',
  'position',
  'decision',
  'newPosition',
  'proposalRevision',
  'revision',
  'round',
  'stageId',
  'stepId',
  'organisation',
  'delegate',
  'takenBack',
  'released',
  'escalationRole',
  'escalationOrganisation',
  'asDelegate',
  'title',
  'subscriberOrganisation',
  'endpointUrl',
  'attempt',
  'statusCode',
  'lastStatusCode',
  'eventType',
  'provinceCode',
  'operation',
  'httpRoute',
  'consumerGroup',
  'sourceTopic',
];

function scalars(record: Record<string, unknown>, names: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const name of names) {
    const v = record[name];
    if ((typeof v === 'string' && v !== '') || typeof v === 'number' || v === true) out.push([name, String(v)]);
  }
  return out;
}

function topAndNested(data: unknown): Record<string, unknown>[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return [];
  const top = data as Record<string, unknown>;
  const nested = Object.values(top).filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v));
  return [top, ...nested];
}

/** A short "what happened": the event type and its salient fields. */
export function whatOf(event: RecordedEvent): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const record of topAndNested(eventData(event))) {
    for (const [name, value] of scalars(record, whatFields)) {
      if (seen.has(name)) continue;
      seen.add(name);
      parts.push(`${name}=${value}`);
    }
  }
  return parts.length > 0 ? `${event.type} (${parts.join(', ')})` : event.type;
}

/** The reason given, when the event carries one (comment, reason, justification…). */
export function whyOf(event: RecordedEvent): string {
  for (const record of topAndNested(eventData(event))) {
    const found = scalars(record, whyFields);
    // e.g. a refusal's stable reason code and its explanation: "SELF_APPROVAL: the proposer may not…"
    if (found.length > 0) return found.map(([, v]) => v).join(': ');
  }
  return '';
}

/** Fields stored next to an entry so queries can find it; verify recomputes and compares them. */
export type IndexFields = {
  readonly aggregates: readonly AggregateRef[];
  readonly actorSubject: string | null;
  readonly traceId: string | null;
  readonly eventType: string;
  readonly eventTime: string;
};

export function indexFieldsOf(event: RecordedEvent): IndexFields {
  return {
    aggregates: aggregatesOf(event),
    actorSubject: actorOf(event)?.subject ?? null,
    traceId: traceIdOf(event) ?? null,
    eventType: event.type,
    eventTime: event.time,
  };
}

// Every refusal at a service edge is on record (issue #14): who (the verified subject, or "anonymous" with the
// subject an unverified token claimed), what (the gRPC method, the HTTP route when it came through the gateway,
// the object the request names), why (status, stable reason, message) and the trace id, as a bps.access.refused
// event written through the service's own outbox (the audit service files it).
//
// Flooding: identical refusals — same subject, operation, status and reason — are coalesced per window (one minute
// by default). The first of a window is recorded at once (count 1); the others are counted and recorded as one
// record when the window ends (count = how many, first_at/last_at their period). At most `maxKeys` windows are
// open at once; refusals beyond that are counted under one overflow key (subject "*", operation "*"), so memory
// and the audit log stay bounded whatever an attacker sends. Anonymous refusals key on "anonymous", not on the
// claimed subject, so a forger cannot open a window per invented name.
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { AccessRefused } from '../../../proto/gen/bps/common/v1/events';
import type { Identity } from '../auth/identity';
import { errorMessage } from '../errors/errors';
import { topicOwners, type TopicFamily } from '../events/catalog';
import { refusalEvents } from '../events/refusals';
import { newEvent, type CloudEvent } from '../kafka/kafka';
import type { Logger } from '../log/logger';
import { Outbox } from '../mongo/outbox';
import type { Db } from 'mongodb';
import { clip } from '../validation/input';

export const ANONYMOUS = 'anonymous';

/** What the edge knows about one refused call. */
export type RefusalFacts = {
  readonly identity?: Identity;
  /** The bearer token as presented (only its unverified `sub` is read, for the record). */
  readonly presentedToken?: string;
  readonly operation: string;
  readonly httpRoute?: string;
  readonly target?: { readonly kind: string; readonly id: string };
  readonly code: string;
  readonly reason: string;
  readonly message: string;
  readonly traceId?: string;
};

/** Where refusal events go: the service's outbox (or, for the audit service, straight into its log). */
export type RefusalSink = (events: readonly (CloudEvent & { topic: string })[]) => Promise<void>;

/** A plain outbox collection for refusal events, for services whose outbox is an event store. */
export async function refusalOutbox(db: Db, name = 'refusal_outbox'): Promise<{ outbox: Outbox; sink: RefusalSink }> {
  const outbox = new Outbox(db, name);
  await outbox.init();
  return { outbox, sink: (events) => outbox.append(events) };
}

type Window = {
  readonly facts: RefusalFacts;
  readonly subject: string;
  readonly openedAt: number;
  suppressed: number;
  firstSuppressedAt: number;
  lastAt: number;
  target: RefusalFacts['target'];
  /** Of the counted refusals: kept only while they all claimed the same subject. */
  claimedSubject: string;
};

export type RefusalRecorderOptions = {
  readonly service: string;
  /** The service's topic family (it is that family's one writer). */
  readonly family: TopicFamily;
  readonly topicNamespace: string;
  readonly sink: RefusalSink;
  readonly logger: Logger;
  readonly windowMs?: number;
  readonly maxKeys?: number;
};

/** Request fields that name the object of a call (top level, proto JSON names), in the order they are preferred. */
const targetFields: readonly (readonly [string, string])[] = [
  ['proposalId', 'proposal'],
  ['cycleId', 'cycle'],
  ['subscriptionId', 'subscription'],
  ['changeSetId', 'change-set'],
  ['releaseId', 'release'],
  ['workflowId', 'workflow'],
  ['pilotId', 'pilot'],
  ['standardId', 'technical-standard'],
  ['evaluationId', 'evaluation'],
  ['itemCode', 'item'],
];

/** The object a request names, if any (a top-level id field). */
export function targetOf(request: unknown): RefusalFacts['target'] {
  if (!request || typeof request !== 'object') return undefined;
  const record = request as Record<string, unknown>;
  for (const [field, kind] of targetFields) {
    const value = record[field];
    if (typeof value === 'string' && value !== '') return { kind, id: clip(value) };
  }
  return undefined;
}

function claimedSubjectOf(token: string | undefined): string {
  if (!token) return '';
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' ? clip(sub, 200) : '';
  } catch {
    return '';
  }
}

export class RefusalRecorder {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly timer: NodeJS.Timeout;
  private pending = new Set<Promise<void>>();

  constructor(private readonly options: RefusalRecorderOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.timer = setInterval(() => this.flushExpired(Date.now()), Math.max(50, Math.min(this.windowMs / 4, 5_000)));
    this.timer.unref();
  }

  /** Records (or counts) one refusal; never throws and never delays the caller's answer. */
  record(facts: RefusalFacts): void {
    const now = Date.now();
    const subject = facts.identity?.subject ?? ANONYMOUS;
    const claimed = facts.identity ? '' : claimedSubjectOf(facts.presentedToken);
    let key = [subject, facts.operation, facts.code, facts.reason].join('\u0000');
    let window = this.windows.get(key);
    if (!window && this.windows.size >= this.maxKeys) {
      key = '*';
      window = this.windows.get(key);
      if (!window) {
        // The overflow window itself: recorded once at once, counted after.
        window = {
          facts: { operation: '*', code: '*', reason: 'REFUSAL_FLOOD', message: `more than ${this.maxKeys} distinct refusals in one window` },
          subject: '*',
          openedAt: now,
          suppressed: 0,
          firstSuppressedAt: 0,
          lastAt: now,
          target: undefined,
          claimedSubject: '',
        };
        this.windows.set(key, window);
        this.emit(window.facts, '*', 1, now, now, undefined, '');
      }
    }
    if (window) {
      if (window.suppressed === 0) {
        window.firstSuppressedAt = now;
        window.target = facts.target;
        window.claimedSubject = claimed;
      }
      if (window.claimedSubject !== claimed) window.claimedSubject = '';
      window.suppressed += 1;
      window.lastAt = now;
      if (window.target && (facts.target?.kind !== window.target.kind || facts.target.id !== window.target.id)) window.target = undefined;
      return;
    }
    this.windows.set(key, { facts, subject, openedAt: now, suppressed: 0, firstSuppressedAt: 0, lastAt: now, target: undefined, claimedSubject: '' });
    this.emit(facts, subject, 1, now, now, facts.target, claimed);
  }

  /** Records the counts of every window that has ended by `now` (all of them with `Infinity`). */
  flushExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.openedAt < this.windowMs) continue;
      this.windows.delete(key);
      if (window.suppressed > 0)
        this.emit(window.facts, window.subject, window.suppressed, window.firstSuppressedAt, window.lastAt, window.target, window.claimedSubject);
    }
  }

  /** Ends every window (recording what it counted) and waits for the writes. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.flushExpired(Infinity);
    await Promise.all([...this.pending]);
  }

  private emit(
    facts: RefusalFacts,
    subject: string,
    count: number,
    firstAt: number,
    lastAt: number,
    target: RefusalFacts['target'],
    claimedSubject: string,
  ): void {
    const { service, family, topicNamespace, sink, logger } = this.options;
    const payload: AccessRefused = {
      actor: { subject, organisation: facts.identity?.organisation ?? '', roles: [...(facts.identity?.roles ?? [])] },
      claimedSubject,
      service,
      operation: clip(facts.operation),
      httpRoute: clip(facts.httpRoute ?? ''),
      targetKind: target?.kind ?? '',
      targetId: target?.id ?? '',
      code: facts.code,
      reason: clip(facts.reason),
      message: clip(facts.message, 512),
      traceId: facts.traceId ?? '',
      count,
      firstAt: new Date(firstAt),
      lastAt: new Date(lastAt),
    };
    const event = newEvent(refusalEvents.accessRefused[family], payload, {
      source: topicOwners[family].sources[0],
      key: subject,
      subject: `refusals/${subject}`,
      id: randomUUID(),
      topicNamespace,
    });
    const write = sink([event])
      .catch((error: unknown) => logger.warn({ err: errorMessage(error), operation: facts.operation, subject }, 'refusal could not be put on record'))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }
}

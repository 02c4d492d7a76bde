// Works the per-subscription delivery queues persisted in Mongo. A row is claimed with an atomic
// findOneAndUpdate that sets a lease; a worker that dies leaves the lease to expire and another takes over
// (same webhook-id: at least once, deduplicated by the subscriber). Order per (subscription, event key): a row
// waits while an earlier row of its lane is unfinished. Fairness: a per-subscription cap on sends in flight, and
// waiting rows are deferred in the database rather than re-read, so a slow or dead subscriber cannot fill the
// worker's view.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../shared/errors/errors';
import { notificationEvents } from '../../shared/events/notifications';
import { newEvent } from '../../shared/kafka/kafka';
import { extractTraceContext, inSpan, SpanKind } from '../../shared/telemetry/otel';
import type { Logger } from '../../shared/log/logger';
import type { Outbox } from '../../shared/mongo/outbox';
import { structuredCloudEvent } from '../domain/cloudevent';
import { judge, type RetryPolicy, type Verdict } from '../domain/retry';
import { signingSecrets } from '../domain/subscription';
import {
  feedEventOf, type AttemptLog, type AttemptOutcome, type DeliveryDoc, type DeliveryRepository, type FeedDoc, type FeedRepository, type SubscriptionRepository,
} from './mongo-store';
import type { SubscriptionCommands } from './subscription-store';
import type { WebhookSender } from './webhook-sender';
import { recordWebhookDelivery } from '../../shared/telemetry/metrics';

export type DeliveryWorkerOptions = {
  readonly workerId: string;
  /** Webhook requests in flight at once (whole worker). */
  readonly concurrency: number;
  /** Requests in flight at once to one subscription. */
  readonly perSubscriptionConcurrency: number;
  /** How long a claim is exclusive; must exceed the request timeout. */
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly requestTimeoutMs: number;
  /** How often rows held for a subscription that is active again are released (covers racing writers). */
  readonly sweepMs: number;
  readonly retry: RetryPolicy;
  readonly random?: () => number;
};

export type DeliveryWorkerDeps = {
  readonly subscriptions: SubscriptionRepository;
  readonly commands: SubscriptionCommands;
  readonly deliveries: DeliveryRepository;
  readonly attempts: AttemptLog;
  readonly feed: FeedRepository;
  readonly outbox: Outbox;
  readonly sender: WebhookSender;
  readonly topicNamespace: string;
  readonly logger: Logger;
};

const source = '/bps/notifications';

export class DeliveryWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly perSubscription = new Map<string, number>();
  private readonly abort = new AbortController();
  private stopped = true;
  private wake: (() => void) | undefined;
  private kicked = false;
  private loopDone: Promise<void> | undefined;
  private lastSweep = 0;

  constructor(private readonly deps: DeliveryWorkerDeps, private readonly options: DeliveryWorkerOptions) {}

  start(): void {
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** New work may be there (a fan-out, a resume, a redelivery): look now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /**
   * Graceful: stop claiming, let sends in flight finish and record their outcome. `abandon`: drop sends in flight
   * without recording anything, as a killed process would (their leases expire and another worker resends).
   */
  async stop(mode: 'graceful' | 'abandon' = 'graceful'): Promise<void> {
    this.stopped = true;
    if (mode === 'abandon') this.abort.abort();
    this.kick();
    await this.loopDone;
    await Promise.allSettled([...this.inFlight]);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      try {
        await this.sweep();
        claimed = await this.fill();
      } catch (error) {
        this.deps.logger.warn({ err: errorMessage(error) }, 'delivery pass failed; will retry');
      }
      if (this.stopped) break;
      if (claimed === 0 || this.inFlight.size >= this.options.concurrency) await this.sleep(this.options.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.kicked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < this.options.sweepMs) return;
    this.lastSweep = Date.now();
    const active = await this.deps.subscriptions.listActiveIds();
    if (active.length > 0) {
      await this.deps.deliveries.collection.updateMany({ status: 'pending', held: true, subscriptionId: { $in: active } }, { $set: { held: false } });
    }
  }

  private async fill(): Promise<number> {
    const { deliveries } = this.deps;
    const { concurrency, perSubscriptionConcurrency, leaseMs, workerId } = this.options;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const saturated = [...this.perSubscription].filter(([, n]) => n >= perSubscriptionConcurrency).map(([id]) => id);
    const now = new Date();
    const rows = await deliveries.collection
      .find({ status: 'pending', held: false, availableAt: { $lte: now }, ...(saturated.length > 0 ? { subscriptionId: { $nin: saturated } } : {}) })
      .sort({ cursor: 1 })
      .limit(Math.max(free * 2, 16))
      .toArray();
    // Only the first row of each lane can be its head; the others wait for it. Lanes are checked side by side
    // (each check is a few database round trips).
    const heads = new Map<string, DeliveryDoc>();
    for (const row of rows) {
      const lane = `${row.subscriptionId}\u0000${row.key}`;
      if (!heads.has(lane)) heads.set(lane, row);
    }
    const planned = new Map<string, number>(this.perSubscription);
    const chosen: DeliveryDoc[] = [];
    for (const row of heads.values()) {
      if (chosen.length >= free) break;
      const n = planned.get(row.subscriptionId) ?? 0;
      if (n >= perSubscriptionConcurrency) continue;
      planned.set(row.subscriptionId, n + 1);
      chosen.push(row);
    }
    const results = await Promise.all(chosen.map(async (row) => {
      if (this.stopped || (await this.deferIfBlocked(row))) return 0;
      const token = `${workerId}:${randomUUID()}`;
      const doc = await deliveries.claim(row._id, token, new Date(), leaseMs);
      if (!doc) return 0; // another worker won
      this.track(doc, token);
      return 1;
    }));
    return results.reduce<number>((a, b) => a + b, 0);
  }

  /** When an earlier row of the lane is unfinished, this lane waits until that row can move again. */
  private async deferIfBlocked(row: DeliveryDoc): Promise<boolean> {
    const { collection } = this.deps.deliveries;
    const blocker = await collection.find({ subscriptionId: row.subscriptionId, key: row.key, status: 'pending', cursor: { $lt: row.cursor } }).sort({ cursor: 1 }).limit(1).next();
    if (!blocker) return false;
    const until = new Date(Math.max(blocker.availableAt.getTime(), Date.now() + this.options.pollMs));
    await collection.updateMany(
      { subscriptionId: row.subscriptionId, key: row.key, status: 'pending', claim: null, cursor: { $gt: blocker.cursor }, availableAt: { $lt: until } },
      { $set: { availableAt: until } },
    );
    // The blocker may have finished between our read and our write, its releaseLane landing before our deferral:
    // look again, and release ourselves if so (otherwise its own release comes after our write).
    const again = await collection.findOne({ _id: blocker._id }, { projection: { status: 1 } });
    if (again?.status !== 'pending') await this.releaseLane(blocker);
    return true;
  }

  /**
   * The lane's next rows may look again at `at`: now when their predecessor finished, or at its retry time (they were
   * deferred to the end of its lease, which may be much later).
   */
  private async releaseLane(row: DeliveryDoc, at = new Date()): Promise<void> {
    await this.deps.deliveries.collection.updateMany(
      { subscriptionId: row.subscriptionId, key: row.key, status: 'pending', claim: null, cursor: { $gt: row.cursor } },
      { $min: { availableAt: at } },
    );
    this.kick();
  }

  private track(doc: DeliveryDoc, token: string): void {
    const sub = doc.subscriptionId;
    this.perSubscription.set(sub, (this.perSubscription.get(sub) ?? 0) + 1);
    const task = this.deliver(doc, token)
      .catch((error: unknown) => this.deps.logger.error({ err: errorMessage(error), delivery: doc._id }, 'delivery failed unexpectedly; the lease will expire and it is retried'))
      .finally(() => {
        const n = (this.perSubscription.get(sub) ?? 1) - 1;
        if (n <= 0) this.perSubscription.delete(sub);
        else this.perSubscription.set(sub, n);
        this.inFlight.delete(task);
        this.kick();
      });
    this.inFlight.add(task);
  }

  /** Feed entries never change: a small cache saves a round trip per delivery of a fanned-out event. */
  private readonly feedCache = new Map<string, FeedDoc>();
  private async feedEntry(eventId: string): Promise<FeedDoc> {
    const cached = this.feedCache.get(eventId);
    if (cached) return cached;
    const entry = await this.deps.feed.get(eventId);
    if (!entry) throw new Error(`feed entry ${eventId} missing`);
    if (this.feedCache.size >= 1_000) this.feedCache.delete(this.feedCache.keys().next().value!);
    this.feedCache.set(eventId, entry);
    return entry;
  }

  private async deliver(doc: DeliveryDoc, token: string): Promise<void> {
    const { subscriptions, deliveries } = this.deps;
    const subscription = await subscriptions.get(doc.subscriptionId);
    if (!subscription || subscription.status === 'deleted') {
      await deliveries.finish(doc._id, token, { status: 'cancelled' });
      return;
    }
    if (subscription.status !== 'active') {
      // Paused or disabled meanwhile: back to the queue, this claim not counted as a try.
      await deliveries.finish(doc._id, token, { held: true, availableAt: new Date(), attempts: doc.attempts - 1, roundAttempts: doc.roundAttempts - 1 });
      return;
    }
    const entry = await this.feedEntry(doc.eventId);
    // The delivery joins the trace of the publication it carries (submit → workflow → registry → webhook).
    const parent = extractTraceContext({ traceparent: entry.traceparent, tracestate: entry.tracestate });
    await inSpan('webhook deliver', { kind: SpanKind.CLIENT, parent, attributes: { 'messaging.message.id': doc.eventId, 'bps.subscription.id': doc.subscriptionId } }, () => this.send(doc, token, subscription, entry));
  }

  private async send(doc: DeliveryDoc, token: string, subscription: NonNullable<Awaited<ReturnType<SubscriptionRepository['get']>>>, entry: FeedDoc): Promise<void> {
    const { deliveries, sender } = this.deps;
    const startedAt = new Date();
    const { result, latencyMs } = await sender.send({
      url: subscription.endpointUrl, id: doc.eventId, body: structuredCloudEvent(feedEventOf(entry)),
      secrets: signingSecrets(subscription, startedAt), timeoutMs: this.options.requestTimeoutMs, signal: this.abort.signal,
    });
    if (this.abort.signal.aborted) return; // "killed": nothing recorded, the lease expires
    const now = new Date();
    const verdict = judge(result, doc.roundAttempts, this.options.retry, now, this.options.random ?? Math.random);
    recordWebhookDelivery(outcomeOf(verdict), latencyMs);
    const statusCode = result.kind === 'response' ? result.status : 0;
    const error = result.kind === 'response' ? (verdict.kind === 'delivered' ? '' : `HTTP ${result.status}`) : result.error;
    await this.deps.attempts.record({
      _id: randomUUID(), deliveryId: doc._id, subscriptionId: doc.subscriptionId, organisation: doc.organisation, eventId: doc.eventId,
      eventType: doc.eventType, attempt: doc.attempts, startedAt, latencyMs, statusCode, outcome: outcomeOf(verdict),
      error: verdict.kind === 'retry' || verdict.kind === 'dead-letter' ? verdict.reason : error, endpointUrl: subscription.endpointUrl, worker: this.options.workerId,
    });
    const common = { lastStatusCode: statusCode, lastError: error };
    const event = { subscriptionId: doc.subscriptionId, subscriberOrganisation: doc.organisation, eventId: doc.eventId, eventType: doc.eventType, subject: doc.subject, releaseId: doc.releaseId, endpointUrl: subscription.endpointUrl };
    const emit = (e: ReturnType<typeof newEvent>): Promise<void> => this.deps.outbox.append([e]);
    const options = { source, key: doc.subscriptionId, subject: `subscriptions/${doc.subscriptionId}/events/${doc.eventId}`, topicNamespace: this.deps.topicNamespace };
    switch (verdict.kind) {
      case 'delivered':
        await emit(newEvent(notificationEvents.delivered, { ...event, attempt: doc.attempts, statusCode, deliveredAt: now, latencyMs }, options));
        await deliveries.finish(doc._id, token, { ...common, status: 'delivered', deliveredAt: now });
        await this.releaseLane(doc);
        return;
      case 'retry': {
        const retryAt = new Date(now.getTime() + verdict.delayMs);
        await deliveries.finish(doc._id, token, { ...common, lastError: verdict.reason, availableAt: retryAt });
        await this.releaseLane(doc, retryAt);
        return;
      }
      case 'dead-letter':
        await emit(newEvent(notificationEvents.deadLettered, { ...event, attempt: doc.attempts, lastStatusCode: statusCode, lastError: verdict.reason, deadLetteredAt: now }, options));
        await deliveries.finish(doc._id, token, { ...common, lastError: verdict.reason, status: 'dead' });
        await this.releaseLane(doc);
        return;
      case 'gone': {
        const reason = `endpoint answered 410 Gone for event ${doc.eventId}`;
        const { events } = await this.deps.commands.execute(doc.subscriptionId, { type: 'disable', reason, at: now });
        if (events.length > 0) {
          await emit(newEvent(notificationEvents.subscriptionDisabled, { subscriptionId: doc.subscriptionId, subscriberOrganisation: doc.organisation, endpointUrl: subscription.endpointUrl, reason, eventId: doc.eventId, disabledAt: now }, { ...options, subject: `subscriptions/${doc.subscriptionId}` }));
        }
        // Not lost: it waits, held, for a resume (a new round of tries).
        await deliveries.finish(doc._id, token, { ...common, held: true, availableAt: now, roundAttempts: 0 });
        return;
      }
      default: {
        const unreachable: never = verdict;
        return unreachable;
      }
    }
  }
}

function outcomeOf(verdict: Verdict): AttemptOutcome {
  switch (verdict.kind) {
    case 'delivered': return 'delivered';
    case 'retry': return 'retry-scheduled';
    case 'dead-letter': return 'dead-lettered';
    case 'gone': return 'endpoint-gone';
    default: {
      const unreachable: never = verdict;
      return unreachable;
    }
  }
}

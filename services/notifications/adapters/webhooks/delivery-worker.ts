// Works the per-subscription delivery queues (issue #16: a flat cost per delivery).
//
// Lanes in memory: one per (subscription, event key), each sent in cursor order, one request in flight per lane, a
// cap on lanes in flight per subscription (a slow subscriber cannot take the worker) and on the whole worker. The
// intake hands the rows it has just written to this worker already claimed by it (`prepare`/`accept`), with the
// feed entry, so a delivery costs no read: the subscription comes from the in-memory index, and the outcome of a
// successful send (attempt log, `bps.notification.delivered` through the outbox, the row's `_id`-keyed update) is
// written in batches shared by every delivery that finished meanwhile.
//
// The database stays the queue of record (at least once, same webhook-id on every try): a row is claimed (`claim`
// token, and `owner`: this start of this worker) before it is sent. Each worker keeps a lease of its own in
// `delivery_workers`, renewed every third of `leaseMs`. The recovery pass of any worker (at start, every `sweepMs`,
// and when kicked) claims the due rows nobody has (released rows, resumed subscriptions, redeliveries, replays) and
// the rows of workers whose lease ran out (a crash), each found by an equality on `owner`: the backlog that live
// workers are sending is never read, so a pass costs the same at 10 or 100,000 pending rows (issue #16). A worker's
// retries stay its own, on its own timers. Order across owners: a lane looks in the
// database for an earlier unfinished row of its own (one query) before it sends, whenever it may not know them all:
// when it is new, after rows were recovered into it, after a command on its subscription, and after the consumer
// (re)joined its group (its partitions, hence its keys, may have moved between instances). Otherwise it trusts
// its own memory: every row of its keys is created by this process's intake.
import { randomUUID } from 'node:crypto';
import { errorMessage, ruleRefusalError } from '../../../shared/errors/errors';
import { notificationEvents } from '../../../shared/events/notifications';
import { newEvent } from '../../../shared/kafka/kafka';
import { extractTraceContext, inSpan, SpanKind } from '../../../shared/telemetry/otel';
import type { Logger } from '../../../shared/log/logger';
import type { EventProducer } from '../../../shared/kafka/kafka';
import type { Outbox } from '../../../shared/mongo/outbox';
import { structuredCloudEvent } from '../../domain/cloudevent';
import { judge, type RetryPolicy, type Verdict } from '../../domain/retry';
import { signingSecrets, type SubscriptionState } from '../../domain/subscription';
import { feedEventOf, type AttemptDoc, type AttemptOutcome, type DeliveryDoc, type FeedDoc } from '../../application/ports';
import type { SubscriptionCommands } from '../../application/subscription-commands';
import type { SubscriptionIndex } from '../../application/subscription-index';
import type { AttemptLog, DeliveryRepository, FeedRepository } from '../mongo/store';
import type { WebhookSender } from './sender';
import { recordWebhookDelivery } from '../../../shared/telemetry/metrics';

export type DeliveryWorkerOptions = {
  readonly workerId: string;
  /** Webhook requests in flight at once (whole worker). */
  readonly concurrency: number;
  /** Requests in flight at once to one subscription (one per lane). */
  readonly perSubscriptionConcurrency: number;
  /** How long a claim is exclusive; must exceed the request timeout. */
  readonly leaseMs: number;
  /** How soon a lane waiting for an earlier row looks again. */
  readonly pollMs: number;
  readonly requestTimeoutMs: number;
  /** How often due rows nobody holds are looked for, and rows held for a subscription active again released. */
  readonly sweepMs: number;
  readonly retry: RetryPolicy;
  readonly random?: () => number;
  /** How stale the in-memory subscriptions may be when a delivery reads them (another instance's change). Default 250 ms. */
  readonly subscriptionMaxAgeMs?: number;
};

export type DeliveryWorkerDeps = {
  readonly index: SubscriptionIndex;
  readonly commands: SubscriptionCommands;
  readonly deliveries: DeliveryRepository;
  readonly attempts: AttemptLog;
  readonly feed: FeedRepository;
  readonly outbox: Outbox;
  /**
   * Publishes `bps.notification.delivered` straight to Kafka, before the row is marked delivered: at least once, as
   * through the outbox (a crash in between resends the webhook and the event, same ids), without the outbox's five
   * writes per event, which were most of a delivery's database cost.
   */
  readonly events: Pick<EventProducer, 'publish'>;
  readonly sender: WebhookSender;
  readonly topicNamespace: string;
  readonly logger: Logger;
};

const source = '/bps/notifications';

type Item = {
  doc: DeliveryDoc;
  /** This worker's claim on the row. */
  readonly token: string;
  /** End of the claim's lease (ms). */
  leaseUntil: number;
  /** Not before (a scheduled retry), ms. */
  notBefore: number;
  entry: FeedDoc | undefined;
  /** Rows of its lane this worker does not hold may come before it: look in the database before sending it. */
  verify: boolean;
};

type Lane = {
  readonly key: string;
  readonly subscriptionId: string;
  readonly eventKey: string;
  /** Cursor order. */
  readonly items: Item[];
  busy: boolean;
  /**
   * Every unfinished row of this lane in the database is held (or just finished) by this worker: a row the intake
   * adds is the newest of its lane and needs no look. False until shown, and again after anything that may put rows
   * of the lane elsewhere (a rebalance, a command on the subscription, a row recovered into it).
   */
  trusted: boolean;
  /** Rows of this lane finished by this worker whose outcome is not yet written (still pending in the database). */
  readonly unflushed: Set<string>;
  timer: NodeJS.Timeout | undefined;
};

type Outcome = {
  lane: Lane;
  attempt: AttemptDoc;
  event: ReturnType<typeof newEvent> | undefined;
  finish: { id: string; claim: string; set: Partial<DeliveryDoc> };
  /** Written already (a retried batch redoes only what failed: an event is never published again by a retry). */
  logged?: boolean;
  published?: boolean;
};

export class DeliveryWorker {
  private readonly lanes = new Map<string, Lane>();
  /** Lanes that can send now, in the order they became ready. */
  private readonly ready = new Set<string>();
  /** Every row held in memory, by delivery id. */
  private readonly held = new Map<string, Item>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly perSubscription = new Map<string, number>();
  private readonly abort = new AbortController();
  private stopped = true;
  private sweepTimer: NodeJS.Timeout | undefined;
  private recovering: Promise<void> | undefined;
  private recoverAgain = false;
  private lastSweep = 0;
  /** Outcomes of successful sends waiting for the next batch write. */
  private batch: Outcome[] = [];
  private flushing: Promise<void> | undefined;
  /**
   * Lanes that had unfinished rows in the database when this worker last learnt which partitions it holds (start,
   * rejoin): undefined while that is being read. A lane outside it, created by this worker's intake since, is trusted.
   */
  private dirty: Set<string> | undefined;
  private dirtyRead = 0;
  /** Subscriptions changed by a command since: their rows may be anywhere, a new lane of theirs looks first. */
  private readonly dirtySubscriptions = new Set<string>();
  /** This start of this worker: the `owner` of the rows it has and the `_id` of its lease. */
  private ownerId = '';
  private leaseTimer: NodeJS.Timeout | undefined;
  /** End of this worker's lease as last written: until then no other worker takes its rows. */
  private leaseHeldUntil = 0;

  constructor(
    private readonly deps: DeliveryWorkerDeps,
    private readonly options: DeliveryWorkerOptions,
  ) {}

  /** Takes its lease first: a row is never owned by a worker that has none (nobody could take it over). */
  async start(): Promise<void> {
    this.ownerId = `${this.options.workerId}#${randomUUID().slice(0, 8)}`;
    await this.renewLease();
    this.stopped = false;
    this.leaseTimer = setInterval(
      () => {
        void this.renewLease().catch((error: unknown) =>
          this.deps.logger.warn({ err: errorMessage(error), owner: this.ownerId }, 'worker lease not renewed; its rows are taken over if it runs out'),
        );
      },
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    this.untrustAll();
    this.kick();
    this.pump();
  }

  private async renewLease(until = new Date(Date.now() + this.options.leaseMs)): Promise<void> {
    await this.deps.deliveries.workers.renew(this.ownerId, this.options.workerId, until);
    this.leaseHeldUntil = until.getTime();
  }

  private laneKey(subscriptionId: string, key: string): string {
    return JSON.stringify([subscriptionId, key]);
  }

  /** Rows may be due that this worker does not hold (a resume, a redelivery, a replay): look now. */
  kick(): void {
    if (this.stopped) return;
    if (this.recovering) {
      this.recoverAgain = true;
      return;
    }
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.recovering = this.recover().finally(() => {
      this.recovering = undefined;
      if (this.stopped) return;
      if (this.recoverAgain) {
        this.recoverAgain = false;
        this.kick();
      } else {
        this.sweepTimer = setTimeout(() => this.kick(), this.options.sweepMs);
      }
    });
  }

  /** The consumer's partitions may have moved: every lane looks at the database again before its next send. */
  untrustAll(): void {
    for (const lane of this.lanes.values()) this.untrust(lane);
    this.dirty = undefined;
    const read = ++this.dirtyRead;
    void this.deps.deliveries.pendingLanes().then(
      (lanes) => {
        if (read !== this.dirtyRead) return;
        this.dirty = new Set(lanes.map((l) => this.laneKey(l.subscriptionId, l.key)));
      },
      (error: unknown) =>
        this.deps.logger.warn({ err: errorMessage(error) }, 'could not read the lanes with unfinished rows; every new lane looks in the database first'),
    );
  }

  /** A command changed the subscription (its rows may have been held, released, reopened or cancelled). */
  subscriptionChanged(subscriptionId: string): void {
    for (const lane of this.lanes.values()) if (lane.subscriptionId === subscriptionId) this.untrust(lane);
    this.dirtySubscriptions.add(subscriptionId);
    this.kick();
  }

  private untrust(lane: Lane): void {
    lane.trusted = false;
    for (const item of lane.items) item.verify = true;
  }

  /** Whether a lane new to this worker may have rows in the database it does not hold. */
  private isDirty(key: string, subscriptionId: string): boolean {
    return this.dirty === undefined || this.dirty.has(key) || this.dirtySubscriptions.has(subscriptionId);
  }

  /** A claim token of this worker: unique per claim, so a claim taken over is told from the one it replaced. */
  private newClaim(): string {
    return `${this.options.workerId}:${randomUUID()}`;
  }

  /** A row the intake is about to write for this worker: claimed by it from the start (none when stopped or held). */
  prepare(row: DeliveryDoc): DeliveryDoc {
    if (this.stopped || row.held) return row;
    return { ...row, claim: this.newClaim(), owner: this.ownerId, availableAt: new Date(Date.now() + this.options.leaseMs) };
  }

  /** Rows the intake wrote (as `prepare` returned them): this worker sends them. */
  accept(rows: readonly DeliveryDoc[], entry: FeedDoc): void {
    if (this.stopped) return; // their leases expire; the next worker's recovery takes them
    for (const doc of rows) {
      if (doc.claim === null || doc.held || doc.owner !== this.ownerId) continue;
      this.hold({ doc, token: doc.claim, leaseUntil: doc.availableAt.getTime(), notBefore: 0, entry, verify: false }, false);
    }
    this.pump();
  }

  /**
   * Graceful: stop sending, let sends in flight finish, write their outcomes and give back the claims on rows not
   * sent. `abandon`: drop sends in flight and unwritten outcomes, as a killed process would (leases expire; another
   * worker resends under the same id).
   */
  async stop(mode: 'graceful' | 'abandon' = 'graceful'): Promise<void> {
    this.stopped = true;
    if (mode === 'abandon') this.abort.abort();
    if (this.leaseTimer) clearInterval(this.leaseTimer); // abandoned: the lease runs out as a killed process's would
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    for (const lane of this.lanes.values()) if (lane.timer) clearTimeout(lane.timer);
    await this.recovering?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    if (mode === 'abandon') {
      this.batch = [];
      await this.flushing?.catch(() => undefined);
      return;
    }
    // The background flush gives up after a few failures once stopped; then what is left is written here.
    await this.flushing?.catch(() => undefined);
    await this.flush(3);
    const unsent = [...this.held.values()].map((item) => ({ id: item.doc._id, claim: item.token, set: { availableAt: new Date() } }));
    this.held.clear();
    await this.deps.deliveries
      .finishMany(unsent)
      .catch((error: unknown) => this.deps.logger.warn({ err: errorMessage(error) }, 'claims not given back; their leases will expire'));
    // Whatever it still has (outcomes not written, claims not given back) is taken over at once, not a lease later.
    await this.renewLease(new Date()).catch(() => undefined);
  }

  // ---------- lanes ----------

  private hold(item: Item, recovered: boolean): void {
    const { doc } = item;
    const key = this.laneKey(doc.subscriptionId, doc.key);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        key,
        subscriptionId: doc.subscriptionId,
        eventKey: doc.key,
        items: [],
        busy: false,
        trusted: !recovered && !this.isDirty(key, doc.subscriptionId),
        unflushed: new Set(),
        timer: undefined,
      };
      this.lanes.set(key, lane);
    }
    if (recovered) lane.trusted = false;
    item.verify = !lane.trusted;
    let at = lane.items.length;
    while (at > 0 && lane.items[at - 1]!.doc.cursor > doc.cursor) at--;
    lane.items.splice(at, 0, item);
    this.held.set(doc._id, item);
    if (!lane.busy && !lane.timer) this.ready.add(key);
  }

  private drop(lane: Lane, item: Item): void {
    const at = lane.items.indexOf(item);
    if (at >= 0) lane.items.splice(at, 1);
    if (this.held.get(item.doc._id) === item) this.held.delete(item.doc._id);
  }

  private wakeAt(lane: Lane, at: number): void {
    if (lane.timer) clearTimeout(lane.timer);
    this.ready.delete(lane.key);
    lane.timer = setTimeout(
      () => {
        lane.timer = undefined;
        if (lane.items.length > 0 && !lane.busy) this.ready.add(lane.key);
        this.pump();
      },
      Math.max(0, at - Date.now()),
    );
  }

  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const key of this.ready) {
      if (this.inFlight.size >= this.options.concurrency) return;
      const lane = this.lanes.get(key);
      if (!lane || lane.busy || lane.items.length === 0) {
        this.ready.delete(key);
        continue;
      }
      const head = lane.items[0]!;
      if (head.notBefore > now) {
        this.wakeAt(lane, head.notBefore);
        continue;
      }
      const running = this.perSubscription.get(lane.subscriptionId) ?? 0;
      if (running >= this.options.perSubscriptionConcurrency) continue;
      this.ready.delete(key);
      this.perSubscription.set(lane.subscriptionId, running + 1);
      lane.busy = true;
      const task = this.step(lane)
        .catch((error: unknown) => {
          this.deps.logger.error({ err: errorMessage(error), lane: lane.key }, 'delivery failed unexpectedly; the lane looks at the database again');
          this.untrust(lane);
          this.wakeAt(lane, Date.now() + this.options.pollMs);
        })
        .finally(() => {
          const n = (this.perSubscription.get(lane.subscriptionId) ?? 1) - 1;
          if (n <= 0) this.perSubscription.delete(lane.subscriptionId);
          else this.perSubscription.set(lane.subscriptionId, n);
          lane.busy = false;
          this.inFlight.delete(task);
          if (lane.items.length > 0 && !lane.timer) this.ready.add(lane.key);
          this.pump();
        });
      this.inFlight.add(task);
    }
  }

  /** Sends the lane's head (after making sure no earlier row of the lane is unfinished elsewhere). */
  private async step(lane: Lane): Promise<void> {
    const { deliveries, index } = this.deps;
    const head = lane.items[0]!;
    if (head.verify) {
      const blocker = await deliveries.blocker(head.doc, [...lane.unflushed]);
      if (blocker && !this.held.has(blocker._id)) {
        // Someone else's, or due and not yet recovered: wait for it (its release, its retry time or its lease's end).
        if (blocker.availableAt.getTime() <= Date.now() && !blocker.held) this.kick();
        this.wakeAt(lane, Math.min(Math.max(blocker.availableAt.getTime(), Date.now() + this.options.pollMs), Date.now() + this.options.sweepMs));
        return;
      }
      if (lane.items[0] !== head) return; // a recovered earlier row arrived meanwhile: it goes first
      head.verify = false;
      if (lane.items.every((i) => !i.verify)) lane.trusted = true;
    }
    const item = lane.items[0]!;
    const subscription = await index.get(item.doc.subscriptionId, this.options.subscriptionMaxAgeMs ?? 250);
    if (!subscription || subscription.status === 'deleted') {
      this.drop(lane, item);
      await deliveries.finish(item.doc._id, item.token, { status: 'cancelled' });
      return;
    }
    if (subscription.status !== 'active') {
      // Paused or disabled meanwhile: back to the queue, held, for a resume.
      this.drop(lane, item);
      this.untrust(lane);
      await deliveries.finish(item.doc._id, item.token, { held: true, availableAt: new Date() });
      return;
    }
    // While this worker's own lease outlasts the request, nobody takes its rows: no write per row is needed. Only
    // when its lease may run out meanwhile (renewals failing) is the row's claim extended, and a lost one seen.
    const margin = Date.now() + this.options.requestTimeoutMs + 1_000;
    if (item.leaseUntil < margin && this.leaseHeldUntil < margin) {
      const until = Date.now() + this.options.leaseMs;
      if (!(await deliveries.renew(item.doc._id, item.token, new Date(until)))) {
        // Lost (another worker took it over after the lease ran out): it is theirs now.
        this.drop(lane, item);
        this.untrust(lane);
        return;
      }
      item.leaseUntil = until;
    }
    const entry = item.entry ?? (await this.feedEntry(item.doc.eventId));
    // The delivery joins the trace of the publication it carries (submit → workflow → registry → webhook).
    const parent = extractTraceContext({ traceparent: entry.traceparent, tracestate: entry.tracestate });
    await inSpan(
      'webhook deliver',
      { kind: SpanKind.CLIENT, parent, attributes: { 'messaging.message.id': item.doc.eventId, 'bps.subscription.id': item.doc.subscriptionId } },
      () => this.send(lane, item, subscription, entry),
    );
  }

  // ---------- recovery ----------

  private async recover(): Promise<void> {
    try {
      await this.sweep();
      const { deliveries } = this.deps;
      const now = new Date();
      const limit = Math.max(this.options.concurrency * 4, 64);
      const rows = await deliveries.due(now, limit);
      let more = rows.length >= limit;
      for (const lease of await deliveries.workers.expired(now)) {
        if (lease._id === this.ownerId) continue; // not renewed lately, but alive: its rows are in memory
        const owned = await deliveries.ownedBy(lease._id, limit);
        if (owned.length === 0) await deliveries.workers.drained(lease);
        if (owned.length >= limit) more = true;
        rows.push(...owned.filter((row) => row.availableAt <= now)); // a retry not yet due waits for its time
      }
      const claimed = await Promise.all(
        rows
          .filter((row) => !this.held.has(row._id))
          .map(async (row) => {
            const token = this.newClaim();
            const doc = await deliveries.claim(row._id, token, new Date(), this.options.leaseMs, this.ownerId);
            return doc && !this.stopped && !this.held.has(doc._id) ? { doc, token } : undefined;
          }),
      );
      for (const c of claimed) {
        if (c) this.hold({ doc: c.doc, token: c.token, leaseUntil: c.doc.availableAt.getTime(), notBefore: 0, entry: undefined, verify: true }, true);
      }
      if (claimed.some((c) => c !== undefined) && more) this.recoverAgain = true;
      this.pump();
    } catch (error) {
      this.deps.logger.warn({ err: errorMessage(error) }, 'delivery recovery pass failed; will retry');
    }
  }

  /** Releases rows held for subscriptions that are active again (covers a writer racing a resume). */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < this.options.sweepMs) return;
    this.lastSweep = Date.now();
    const active = [...(await this.deps.index.current(this.options.sweepMs)).values()].filter((s) => s.status === 'active').map((s) => s.id);
    if (active.length > 0) {
      await this.deps.deliveries.collection.updateMany({ status: 'pending', held: true, subscriptionId: { $in: active } }, { $set: { held: false } });
    }
  }

  /** Feed entries never change: a small cache saves a round trip per recovered delivery of a fanned-out event. */
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

  // ---------- sending and outcomes ----------

  /** The webhook body of a feed entry, made once for all its subscribers (entries never change). */
  private readonly bodies = new WeakMap<FeedDoc, string>();
  private bodyOf(entry: FeedDoc): string {
    let body = this.bodies.get(entry);
    if (body === undefined) {
      body = structuredCloudEvent(feedEventOf(entry));
      this.bodies.set(entry, body);
    }
    return body;
  }

  private async send(lane: Lane, item: Item, subscription: SubscriptionState, entry: FeedDoc): Promise<void> {
    const { deliveries, sender } = this.deps;
    const { doc, token } = item;
    const startedAt = new Date();
    const { result, latencyMs } = await sender.send({
      url: subscription.endpointUrl,
      id: doc.eventId,
      body: this.bodyOf(entry),
      secrets: signingSecrets(subscription, startedAt),
      timeoutMs: this.options.requestTimeoutMs,
      signal: this.abort.signal,
    });
    if (this.abort.signal.aborted) return; // "killed": nothing recorded, the lease expires
    const attempts = doc.attempts + 1;
    const roundAttempts = doc.roundAttempts + 1;
    const now = new Date();
    const verdict = judge(result, roundAttempts, this.options.retry, now, this.options.random ?? Math.random);
    recordWebhookDelivery(outcomeOf(verdict), latencyMs);
    const statusCode = result.kind === 'response' ? result.status : 0;
    const error = result.kind === 'response' ? (verdict.kind === 'delivered' ? '' : `HTTP ${result.status}`) : result.error;
    const attempt: AttemptDoc = {
      _id: randomUUID(),
      deliveryId: doc._id,
      subscriptionId: doc.subscriptionId,
      organisation: doc.organisation,
      eventId: doc.eventId,
      eventType: doc.eventType,
      attempt: attempts,
      startedAt,
      latencyMs,
      statusCode,
      outcome: outcomeOf(verdict),
      error: verdict.kind === 'retry' || verdict.kind === 'dead-letter' ? verdict.reason : error,
      endpointUrl: subscription.endpointUrl,
      worker: this.options.workerId,
    };
    const common = { attempts, roundAttempts, lastStatusCode: statusCode, lastError: error };
    const event = {
      subscriptionId: doc.subscriptionId,
      subscriberOrganisation: doc.organisation,
      eventId: doc.eventId,
      eventType: doc.eventType,
      subject: doc.subject,
      releaseId: doc.releaseId,
      endpointUrl: subscription.endpointUrl,
    };
    const options = {
      source,
      key: doc.subscriptionId,
      subject: `subscriptions/${doc.subscriptionId}/events/${doc.eventId}`,
      topicNamespace: this.deps.topicNamespace,
    };
    switch (verdict.kind) {
      case 'delivered':
        // The lane moves on at once; the outcome is written with the others that finished meanwhile.
        this.drop(lane, item);
        lane.unflushed.add(doc._id);
        this.record({
          lane,
          attempt,
          event: newEvent(notificationEvents.delivered, { ...event, attempt: attempts, statusCode, deliveredAt: now, latencyMs }, options),
          // deliveredAt is set when the outcome is written (see flush).
          finish: { id: doc._id, claim: token, set: { ...common, status: 'delivered' } },
        });
        return;
      case 'retry': {
        // The row stays this worker's, at the head of its lane: the lane waits for it.
        const retryAt = now.getTime() + verdict.delayMs;
        await this.deps.attempts.record(attempt);
        const kept = await deliveries.collection.updateOne(
          { _id: doc._id, claim: token, status: 'pending' },
          { $set: { ...common, lastError: verdict.reason, availableAt: new Date(retryAt), updatedAt: now } },
        );
        if (kept.matchedCount === 0) {
          this.drop(lane, item);
          this.untrust(lane);
          return;
        }
        item.doc = { ...doc, attempts, roundAttempts };
        item.notBefore = retryAt;
        item.leaseUntil = retryAt; // renewed before the next try
        return;
      }
      case 'dead-letter':
        this.drop(lane, item);
        await this.deps.attempts.record(attempt);
        await this.deps.outbox.append([
          newEvent(
            notificationEvents.deadLettered,
            { ...event, attempt: attempts, lastStatusCode: statusCode, lastError: verdict.reason, deadLetteredAt: now },
            options,
          ),
        ]);
        await deliveries.finish(doc._id, token, { ...common, lastError: verdict.reason, status: 'dead' });
        return;
      case 'gone': {
        this.drop(lane, item);
        await this.deps.attempts.record(attempt);
        const reason = `endpoint answered 410 Gone for event ${doc.eventId}`;
        const disabled = await this.deps.commands.run(doc.subscriptionId, { kind: 'disable', reason, at: now });
        if (!disabled.ok) throw ruleRefusalError(disabled.refusal, `subscriptions/${doc.subscriptionId}`, 'subscription_id');
        if (disabled.events.length > 0) {
          await this.deps.outbox.append([
            newEvent(
              notificationEvents.subscriptionDisabled,
              {
                subscriptionId: doc.subscriptionId,
                subscriberOrganisation: doc.organisation,
                endpointUrl: subscription.endpointUrl,
                reason,
                eventId: doc.eventId,
                disabledAt: now,
              },
              { ...options, subject: `subscriptions/${doc.subscriptionId}` },
            ),
          ]);
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

  private record(outcome: Outcome): void {
    this.batch.push(outcome);
    if (!this.flushing) {
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
      });
    }
  }

  /**
   * Writes the outcomes gathered so far, in three round trips whatever their number; again while more arrive. When
   * stopping (`giveUpAfter` failures), what is left stays unwritten: those rows are sent again, same webhook-id.
   */
  private async flush(giveUpAfter = Number.POSITIVE_INFINITY): Promise<void> {
    for (let failures = 0; this.batch.length > 0;) {
      const outcomes = this.batch;
      this.batch = [];
      try {
        // The attempt and the event first, then the row: a crash in between resends (same id), never loses one.
        const unlogged = outcomes.filter((o) => !o.logged);
        const unpublished = outcomes.filter((o) => !o.published);
        await Promise.all([
          this.deps.attempts.recordMany(unlogged.map((o) => o.attempt)).then(() => unlogged.forEach((o) => (o.logged = true))),
          this.deps.events.publish(unpublished.flatMap((o) => (o.event ? [o.event] : []))).then(() => unpublished.forEach((o) => (o.published = true))),
        ]);
        // The batch holds successful sends only. One time for all of it, so their rows set the same fields and are
        // written by one update (finishMany): a row's deliveredAt is when its outcome was recorded, at most one flush
        // after the 2xx; the attempt log and bps.notification.delivered carry the exact time.
        const deliveredAt = new Date();
        await this.deps.deliveries.finishMany(outcomes.map((o) => ({ ...o.finish, set: { ...o.finish.set, deliveredAt } })));
        for (const o of outcomes) o.lane.unflushed.delete(o.finish.id);
        failures = 0;
      } catch (error) {
        if (this.abort.signal.aborted) return;
        failures++;
        this.deps.logger.warn({ err: errorMessage(error), outcomes: outcomes.length, failures }, 'writing delivery outcomes failed; will retry');
        this.batch = [...outcomes, ...this.batch];
        // Stopped: the database or Kafka may be gone for good. What is left stays unwritten (sent again, same id)
        // rather than retried for ever by a worker nobody runs.
        if (failures >= giveUpAfter || (this.stopped && failures >= 3)) {
          this.batch = [];
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** failures, 5_000)));
      }
    }
  }
}

function outcomeOf(verdict: Verdict): AttemptOutcome {
  switch (verdict.kind) {
    case 'delivered':
      return 'delivered';
    case 'retry':
      return 'retry-scheduled';
    case 'dead-letter':
      return 'dead-lettered';
    case 'gone':
      return 'endpoint-gone';
    default: {
      const unreachable: never = verdict;
      return unreachable;
    }
  }
}

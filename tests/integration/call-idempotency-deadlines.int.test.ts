// The gRPC bootstrap's shared idempotency keys and deadlines (issue #19), on the real database: a call carrying
// an `idempotency-key` runs once — a retry after its caller gave up, or racing it, gets the first result; other
// content under the same key is refused (REQUEST_ID_REUSED); a holder that died is taken over after its lease —
// and deadlines propagate: a handler's backend calls inherit its deadline, and a call whose caller gave up before
// its handler began is not started.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SubscriptionsClient,
  SubscriptionsService,
  type CreateSubscriptionRequest,
  type CreateSubscriptionResponse,
} from '../../proto/gen/bps/notifications/v1/subscriptions';
import type { TokenVerifier } from '../../services/shared/auth/identity';
import { clientChannelOptions, currentDeadline, stopIfAbandoned, unary, withCallContext } from '../../services/shared/grpc/client';
import { startGrpcServer, type GrpcServer } from '../../services/shared/grpc/server';
import { startGateway } from '../../services/gateway/app';
import { decodeStatus } from '../../services/shared/grpc/status';
import { IdempotencyStore, requestDigest } from '../../services/shared/idempotency/idempotency';
import { personas } from '../../services/shared/auth/personas';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { refused } from '../support/grpc';
import { testVerifier, tokenFor } from '../support/identity';
import { uniqueName } from '../support/names';
import { waitUntil } from '../support/wait';
import { stack, testLogger } from '../support/stack';

type Handler = (call: grpc.ServerUnaryCall<CreateSubscriptionRequest, CreateSubscriptionResponse>) => Promise<CreateSubscriptionResponse>;

describe('idempotency keys and deadlines in the gRPC bootstrap', () => {
  let mongo: MongoHandle;
  const servers: GrpcServer[] = [];
  const clients: grpc.Client[] = [];
  let token: string;

  beforeAll(async () => {
    mongo = await connectMongo(stack().mongoUri, uniqueName('idem-grpc'));
    token = await tokenFor('statistics-subscriber');
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.shutdown();
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  /** A Subscriptions server whose CreateSubscription is `handler` (every other method: UNIMPLEMENTED). */
  async function serve(handler: Handler, options: { idempotency?: IdempotencyStore; tokens?: TokenVerifier } = {}): Promise<SubscriptionsClient> {
    const implementation = new Proxy({} as grpc.UntypedServiceImplementation, {
      get: (_target, name) =>
        name === 'createSubscription'
          ? (call: grpc.ServerUnaryCall<CreateSubscriptionRequest, CreateSubscriptionResponse>, callback: grpc.sendUnaryData<CreateSubscriptionResponse>) => {
              handler(call).then(
                (r) => callback(null, r),
                (e: unknown) => callback(e as grpc.ServiceError),
              );
            }
          : (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED } as grpc.ServiceError),
    });
    const server = await startGrpcServer({
      serviceName: 'test',
      port: 0,
      services: [{ definition: SubscriptionsService, implementation }],
      tokens: options.tokens ?? testVerifier(),
      logger: testLogger,
      ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    });
    servers.push(server);
    const client = new SubscriptionsClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), clientChannelOptions);
    clients.push(client);
    return client;
  }

  const request = (endpointUrl: string): CreateSubscriptionRequest => ({ endpointUrl, filter: undefined, description: '' });
  const withKey = <T>(key: string, fn: () => Promise<T>): Promise<T> => withCallContext({ idempotencyKey: key }, fn);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('runs a keyed call once: a retry after the caller gave up gets the first result, racing retries too, other content is refused', async () => {
    let runs = 0;
    const client = await serve(
      async (call) => {
        runs += 1;
        await sleep(600); // outlives its first caller
        return { subscription: undefined, secret: `secret-${runs}-${call.request.endpointUrl}` };
      },
      { idempotency: new IdempotencyStore(mongo.db, uniqueName('keys')) },
    );
    const create = (url: string, timeoutMs = 10_000) => unary(client.createSubscription.bind(client), request(url), token, timeoutMs);

    // The caller gives up after 200 ms; the call goes on to its end and its result is kept.
    const gaveUp = decodeStatus(await refused(withKey('k-1', () => create('https://a.example.gov.cn/hook', 200))));
    expect(gaveUp.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const retried = await withKey('k-1', () => create('https://a.example.gov.cn/hook')); // waits for the first
    expect(retried.secret).toBe('secret-1-https://a.example.gov.cn/hook');
    expect(await withKey('k-1', () => create('https://a.example.gov.cn/hook'))).toEqual(retried);
    expect(runs).toBe(1);

    // Five racing twins: one run, one answer.
    const racing = await Promise.all(Array.from({ length: 5 }, () => withKey('k-2', () => create('https://b.example.gov.cn/hook'))));
    expect(new Set(racing.map((r) => r.secret))).toEqual(new Set(['secret-2-https://b.example.gov.cn/hook']));
    expect(runs).toBe(2);

    // The same key with other content: refused, nothing runs.
    const reused = decodeStatus(await refused(withKey('k-2', () => create('https://c.example.gov.cn/hook'))));
    expect(reused.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(reused.reason).toBe('REQUEST_ID_REUSED');
    // A malformed key: INVALID_ARGUMENT naming it.
    const malformed = decodeStatus(await refused(withKey('bad key', () => create('https://c.example.gov.cn/hook'))));
    expect(malformed.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(malformed.fieldViolations.map((v) => v.field)).toEqual(['idempotency_key']);
    // Without a key every call runs.
    await create('https://d.example.gov.cn/hook');
    await create('https://d.example.gov.cn/hook');
    expect(runs).toBe(4);
  });

  it('sweeps keys past their retention (the server starts the sweep): a retry after that runs as a new call, newer keys stay', async () => {
    let runs = 0;
    const store = new IdempotencyStore(mongo.db, uniqueName('keys'), { retentionMs: 60_000, sweepEveryMs: 100 });
    const client = await serve(async (call) => ({ subscription: undefined, secret: `secret-${(runs += 1)}-${call.request.endpointUrl}` }), {
      idempotency: store,
    });
    const create = (url: string) => unary(client.createSubscription.bind(client), request(url), token);
    expect((await withKey('old', () => create('https://a.example.gov.cn/hook'))).secret).toBe('secret-1-https://a.example.gov.cn/hook');
    expect((await withKey('new', () => create('https://b.example.gov.cn/hook'))).secret).toBe('secret-2-https://b.example.gov.cn/hook');
    // The first key was claimed two minutes ago (past the 60 s retention); the server's sweep removes it.
    await store.collection.updateOne(
      {
        _id: IdempotencyStore.recordId({
          method: '/bps.notifications.v1.Subscriptions/CreateSubscription',
          subject: personas['statistics-subscriber'].subject,
          key: 'old',
        }),
      },
      { $set: { at: new Date(Date.now() - 120_000) } },
    );
    await waitUntil(async () => (await store.collection.countDocuments()) === 1, 'the old key swept', 15_000);
    expect((await withKey('old', () => create('https://a.example.gov.cn/hook'))).secret).toBe('secret-3-https://a.example.gov.cn/hook');
    expect((await withKey('new', () => create('https://b.example.gov.cn/hook'))).secret).toBe('secret-2-https://b.example.gov.cn/hook');
    expect(runs).toBe(3);
  });

  it('scopes a key to the caller, runs a refused call again on retry, and takes over a claim whose holder died', async () => {
    let runs = 0;
    let failNext = true;
    const store = new IdempotencyStore(mongo.db, uniqueName('keys'), { leaseMs: 1 });
    const client = await serve(
      async (call) => {
        runs += 1;
        if (failNext && call.request.endpointUrl.includes('flaky')) {
          failNext = false;
          throw Object.assign(new Error('refused'), { code: grpc.status.FAILED_PRECONDITION, details: 'not now' });
        }
        return { subscription: undefined, secret: `s-${runs}` };
      },
      { idempotency: store },
    );
    const as = (who: string, url: string) => unary(client.createSubscription.bind(client), request(url), who);

    const other = await tokenFor('beijing-officer');
    const mine = await withKey('shared-key', () => as(token, 'https://e.example.gov.cn/hook'));
    const theirs = await withKey('shared-key', () => as(other, 'https://e.example.gov.cn/hook'));
    expect(theirs.secret).not.toBe(mine.secret);

    await refused(withKey('k-flaky', () => as(token, 'https://flaky.example.gov.cn/hook')));
    expect((await withKey('k-flaky', () => as(token, 'https://flaky.example.gov.cn/hook'))).secret).toBe(`s-${runs}`);

    // A claim left running by a process that died (lease long over): the retry takes it over and runs.
    const dead = IdempotencyStore.recordId({
      method: '/bps.notifications.v1.Subscriptions/CreateSubscription',
      subject: personas['statistics-subscriber'].subject,
      key: 'k-dead',
    });
    const digest = requestDigest(SubscriptionsService.createSubscription.requestSerialize(request('https://f.example.gov.cn/hook')));
    await store.collection.insertOne({
      _id: dead,
      digest,
      state: 'running',
      holder: 'a-dead-process',
      leaseUntil: new Date(Date.now() - 1000),
      at: new Date(),
    });
    const before = runs;
    await withKey('k-dead', () => as(token, 'https://f.example.gov.cn/hook'));
    expect(runs).toBe(before + 1);
    expect((await store.collection.findOne({ _id: dead }))?.state).toBe('done');
  });

  it('refuses keys where the service keeps none', async () => {
    const client = await serve(async () => ({ subscription: undefined, secret: 'x' }));
    const answer = decodeStatus(
      await refused(withKey('k-3', () => unary(client.createSubscription.bind(client), request('https://g.example.gov.cn/hook'), token))),
    );
    expect(answer.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it("gives a handler's backend calls its own deadline, and does not start a call whose caller already gave up", async () => {
    // Downstream: records the deadline each call arrived with.
    const seen: number[] = [];
    const downstream = await serve(async (call) => {
      const d = call.getDeadline();
      seen.push(d instanceof Date ? d.getTime() : d);
      return { subscription: undefined, secret: '' };
    });
    // Upstream: calls downstream with a generous 30 s timeout of its own, and reports its incoming deadline.
    const upstreamDeadlines: (number | undefined)[] = [];
    const upstream = await serve(async () => {
      upstreamDeadlines.push(currentDeadline());
      await unary(downstream.createSubscription.bind(downstream), request('https://h.example.gov.cn/hook'), token, 30_000);
      return { subscription: undefined, secret: '' };
    });
    const sent = Date.now();
    await unary(upstream.createSubscription.bind(upstream), request('https://h.example.gov.cn/hook'), token, 3_000);
    expect(upstreamDeadlines[0]).toBeGreaterThan(sent + 2_000);
    expect(upstreamDeadlines[0]).toBeLessThanOrEqual(sent + 3_100);
    expect(seen[0]).toBeLessThanOrEqual(upstreamDeadlines[0]! + 50); // not 30 s: the caller's remaining time
    expect(seen[0]).toBeGreaterThan(sent + 2_000);

    // A gateway-like caller: a request budget set once bounds every call made for it.
    await withCallContext({ deadline: Date.now() + 1_500 }, () =>
      unary(downstream.createSubscription.bind(downstream), request('https://h.example.gov.cn/hook'), token, 15_000),
    );
    expect(seen[1]! - Date.now()).toBeLessThan(1_600);

    // Authentication takes 400 ms, the caller gives up after 150: the handler never runs.
    let started = 0;
    const base = testVerifier();
    const slow: TokenVerifier = {
      verify: (t) => base.verify(t),
      verifyHeader: async (h) => {
        await sleep(400);
        return base.verifyHeader(h);
      },
    } as TokenVerifier;
    const slowServer = await serve(
      async () => {
        started += 1;
        return { subscription: undefined, secret: '' };
      },
      { tokens: slow },
    );
    const late = decodeStatus(await refused(unary(slowServer.createSubscription.bind(slowServer), request('https://i.example.gov.cn/hook'), token, 150)));
    expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await sleep(600);
    expect(started).toBe(0);
    await unary(slowServer.createSubscription.bind(slowServer), request('https://i.example.gov.cn/hook'), token, 5_000);
    expect(started).toBe(1);
  });

  it('stops work that outlived a caller without a key before it commits; with a key the work completes and a retry gets it', async () => {
    let commits = 0;
    const client = await serve(
      async () => {
        await sleep(500); // slow work: the caller gives up meanwhile
        stopIfAbandoned();
        commits += 1;
        return { subscription: undefined, secret: `commit-${commits}` };
      },
      { idempotency: new IdempotencyStore(mongo.db, uniqueName('keys')) },
    );
    const create = (timeoutMs: number) => unary(client.createSubscription.bind(client), request('https://k.example.gov.cn/hook'), token, timeoutMs);
    expect(decodeStatus(await refused(create(150))).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await sleep(700);
    expect(commits).toBe(0); // stopped before committing
    expect(decodeStatus(await refused(withKey('k-slow', () => create(150)))).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const retried = await withKey('k-slow', () => create(5_000));
    expect(retried.secret).toBe('commit-1'); // the keyed call completed, once
    expect(commits).toBe(1);
  });

  it("at the gateway: the HTTP request's remaining time is the backend call's deadline, and Idempotency-Key arrives as metadata", async () => {
    const seen: { deadline: number; key: string | undefined }[] = [];
    const notifications = await serve(
      async (call) => {
        const d = call.getDeadline();
        seen.push({ deadline: d instanceof Date ? d.getTime() : d, key: call.metadata.get('idempotency-key')[0]?.toString() });
        return { subscription: undefined, secret: 'whsec_x' };
      },
      { idempotency: new IdempotencyStore(mongo.db, uniqueName('keys')) },
    );
    const address = (notifications as unknown as grpc.Client).getChannel().getTarget().replace(/^dns:/, '');
    // Verifying the caller's token takes 1 s of the request's 2 s budget.
    const base = testVerifier();
    const slow = {
      verify: async (t: string) => {
        await sleep(1_000);
        return base.verify(t);
      },
      verifyHeader: (h?: string) => base.verifyHeader(h),
    } as TokenVerifier;
    const closed = '127.0.0.1:9';
    const gateway = await startGateway({
      port: 0,
      tokens: slow,
      logger: testLogger,
      environment: 'test',
      backendTimeoutMs: 2_000,
      rateLimit: { burst: 1_000, perSecond: 1_000 },
      backends: { registry: closed, proposals: closed, approvals: closed, notifications: address, audit: closed, programme: closed },
    });
    try {
      const sent = Date.now();
      const res = await fetch(`${gateway.url}/api/v1/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'gw-key-1' },
        body: JSON.stringify({ endpointUrl: 'https://j.example.gov.cn/hook' }),
      });
      expect(res.status, await res.text()).toBe(201);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.key).toBe('gw-key-1');
      expect(seen[0]!.deadline).toBeGreaterThan(sent + 1_900);
      expect(seen[0]!.deadline).toBeLessThan(sent + 2_600); // not 2 s from the backend call, which began 1 s later
    } finally {
      await gateway.stop();
    }
  });
});

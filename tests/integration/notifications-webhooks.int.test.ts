// Webhook delivery against real Kafka, the real database and HTTP receivers on 127.0.0.1 that verify signatures
// with the `standardwebhooks` package: signing, retries with the same id, 410, dead letters and redelivery,
// secret rotation, filters, per-standard order, isolation between organisations, replay, the delivery log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { DeliveryStatus, AttemptOutcome, SubscriptionStatus } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { standardEvents } from '../../services/shared/events/standards';
import { notificationEvents } from '../../services/shared/events/notifications';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import type { RunningNotifications } from '../../services/notifications/app';
import { stack } from '../support/stack';
import { uniqueName } from '../support/names';
import {
  clientFor,
  createSubscription,
  floorBreached,
  localStandardFiled,
  newNames,
  producerFor,
  Receiver,
  startApp,
  tokenOf,
  versionPublished,
  type Client,
} from './notifications.support';
import { refused } from '../support/grpc';
import { collectEvents } from '../support/collector';

describe('notifications: signed webhooks', () => {
  const names = newNames('notif-wh');
  const producer = producerFor();
  const receivers: Receiver[] = [];
  let app: RunningNotifications;
  let client: Client;
  let mongo: MongoHandle;

  const receiver = async (reply?: ConstructorParameters<typeof Receiver>[0]): Promise<Receiver> => {
    const r = await new Receiver(reply).start();
    receivers.push(r);
    return r;
  };
  const item = (): string => uniqueName('item').slice(-18);

  beforeAll(async () => {
    app = await startApp(names);
    client = clientFor(app);
    await producer.connect();
    mongo = await connectMongo(stack().mongoUri, names.dbName);
  });
  afterAll(async () => {
    client?.close();
    await app?.stop();
    await producer.disconnect();
    await Promise.all(receivers.map((r) => r.stop()));
    await mongo?.db.dropDatabase();
    await mongo?.close();
  });

  it('delivers a publication as a signed CloudEvent the standardwebhooks library verifies, logs the attempt and emits bps.notification.delivered', async () => {
    const r = await receiver();
    const itemCode = item();
    const { subscription, secret } = await createSubscription(client, 'statistics-subscriber', {
      endpointUrl: r.url,
      filter: { itemCodes: [itemCode] } as never,
      description: '国家统计局数据系统',
    });
    expect(secret).toMatch(/^whsec_/);
    r.secrets = [secret];

    // Listen to bps.notifications.v1 as the audit service would.
    const probe = await collectEvents({ namespace: names.topicNamespace, families: ['notifications'] });

    const event = versionPublished(names, { releaseId: 'rel-2026-health-1', itemCode });
    await producer.publish([event]);
    await expect.poll(() => r.received.length, { timeout: 40_000 }).toBe(1);
    const got = r.received[0]!;
    expect(got.verifiedWith).toEqual([0]);
    expect(got.webhookId).toBe(event.id);
    expect(got.event).toMatchObject({
      specversion: '1.0',
      id: event.id,
      type: 'bps.standard.version.published',
      source: '/bps/registry',
      subject: 'releases/rel-2026-health-1',
      datacontenttype: 'application/json',
      dataschema: 'urn:proto:bps.standards.v1.VersionPublished',
    });
    expect(got.event.data).toEqual(JSON.parse(event.data.toString('utf8')));
    expect(got.event.data).toMatchObject({ releaseId: 'rel-2026-health-1', kind: 'RELEASE_KIND_AMENDMENT' });

    // "Who received release X, and when?"
    const token = await tokenOf('statistics-subscriber');
    await expect
      .poll(
        async () =>
          (
            await unary(client.listDeliveries.bind(client), { subscriptionId: '', eventId: event.id, status: 0, pageSize: 0, pageToken: '' }, token)
          ).deliveries.map((d) => d.status),
        { timeout: 20_000 },
      )
      .toEqual([DeliveryStatus.DELIVERY_STATUS_DELIVERED]);
    const { deliveries } = await unary(
      client.listDeliveries.bind(client),
      { subscriptionId: subscription!.subscriptionId, eventId: '', status: 0, pageSize: 0, pageToken: '' },
      token,
    );
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ organisation: 'NBS', eventId: event.id, releaseId: 'rel-2026-health-1', attempts: 1, lastStatusCode: 200 });
    expect(deliveries[0]!.deliveredAt).toBeInstanceOf(Date);
    const { attempts } = await unary(
      client.listDeliveryAttempts.bind(client),
      { subscriptionId: '', eventId: event.id, pageSize: 0, pageToken: '' },
      await tokenOf('auditor'),
    );
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      subscriptionId: subscription!.subscriptionId,
      organisation: 'NBS',
      attempt: 1,
      statusCode: 200,
      outcome: AttemptOutcome.ATTEMPT_OUTCOME_DELIVERED,
      endpointUrl: r.url,
    });
    expect(attempts[0]!.latencyMs).toBeGreaterThanOrEqual(0);

    await expect.poll(() => probe.eventsOf(notificationEvents.delivered).length, { timeout: 40_000 }).toBe(1);
    await probe.stop();
    const [delivered] = probe.eventsOf(notificationEvents.delivered);
    expect(delivered).toMatchObject({
      subscriptionId: subscription!.subscriptionId,
      subscriberOrganisation: 'NBS',
      eventId: event.id,
      eventType: 'bps.standard.version.published',
      releaseId: 'rel-2026-health-1',
      attempt: 1,
      statusCode: 200,
    });
  });

  it('retries a receiver that fails three times (500, 503, 429 with Retry-After), then delivers once more with the same id', async () => {
    const replies = [{ status: 500 }, { status: 503 }, { status: 429, headers: { 'retry-after': '1' } }];
    const r = await receiver((n) => replies[n] ?? { status: 200 });
    const itemCode = item();
    const { subscription, secret } = await createSubscription(client, 'statistics-subscriber', {
      endpointUrl: r.url,
      filter: { itemCodes: [itemCode] } as never,
    });
    r.secrets = [secret];
    const event = versionPublished(names, { releaseId: 'rel-retry', itemCode });
    await producer.publish([event]);

    await expect.poll(() => r.received.length, { timeout: 40_000 }).toBe(4);
    expect(r.received.map((x) => x.webhookId)).toEqual([event.id, event.id, event.id, event.id]);
    expect(r.received.every((x) => x.event.id === event.id && x.verifiedWith.length === 1)).toBe(true);
    // Retry-After: 1 was honoured between the third and fourth try.
    expect(r.received[3]!.at - r.received[2]!.at).toBeGreaterThanOrEqual(950);
    const token = await tokenOf('statistics-subscriber');
    await expect
      .poll(
        async () =>
          (
            await unary(
              client.listDeliveryAttempts.bind(client),
              { subscriptionId: subscription!.subscriptionId, eventId: '', pageSize: 0, pageToken: '' },
              token,
            )
          ).attempts.map((a) => [a.statusCode, a.outcome]),
        { timeout: 20_000 },
      )
      .toEqual([
        [500, AttemptOutcome.ATTEMPT_OUTCOME_RETRY_SCHEDULED],
        [503, AttemptOutcome.ATTEMPT_OUTCOME_RETRY_SCHEDULED],
        [429, AttemptOutcome.ATTEMPT_OUTCOME_RETRY_SCHEDULED],
        [200, AttemptOutcome.ATTEMPT_OUTCOME_DELIVERED],
      ]);
    await new Promise((resolve) => setTimeout(resolve, 600)); // nothing more is sent after the success
    expect(r.received).toHaveLength(4);
  });

  it('disables the subscription on 410 Gone, queues what follows, and sends it on resume', async () => {
    let gone = true;
    const r = await receiver(() => ({ status: gone ? 410 : 200 }));
    const itemCode = item();
    const { subscription, secret } = await createSubscription(client, 'statistics-subscriber', {
      endpointUrl: r.url,
      filter: { itemCodes: [itemCode] } as never,
    });
    r.secrets = [secret];
    const token = await tokenOf('statistics-subscriber');
    const id = subscription!.subscriptionId;
    const first = versionPublished(names, { releaseId: 'rel-gone-1', itemCode });
    await producer.publish([first]);
    await expect
      .poll(async () => (await unary(client.getSubscription.bind(client), { subscriptionId: id }, token)).subscription!.status, { timeout: 40_000 })
      .toBe(SubscriptionStatus.SUBSCRIPTION_STATUS_DISABLED);
    const disabled = (await unary(client.getSubscription.bind(client), { subscriptionId: id }, token)).subscription!;
    expect(disabled.disabledReason).toContain('410');
    const second = versionPublished(names, { releaseId: 'rel-gone-2', itemCode });
    await producer.publish([second]);
    await expect
      .poll(
        async () =>
          (await unary(client.listDeliveries.bind(client), { subscriptionId: id, eventId: '', status: 0, pageSize: 0, pageToken: '' }, token)).deliveries
            .length,
        { timeout: 40_000 },
      )
      .toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.received).toHaveLength(1); // nothing sent while disabled

    gone = false;
    await unary(client.resumeSubscription.bind(client), { subscriptionId: id }, token);
    await expect
      .poll(() => r.received.filter((x) => x.verifiedWith.length === 1).map((x) => x.webhookId), { timeout: 40_000 })
      .toEqual([first.id, first.id, second.id]);
  });

  it('fills the dead-letter list when the receiver is dead, and an operator redelivers with the original id', async () => {
    let dead = true;
    const r = await receiver(() => (dead ? { status: 0, destroy: true } : { status: 204 }));
    const itemCode = item();
    const { subscription, secret } = await createSubscription(client, 'statistics-subscriber', {
      endpointUrl: r.url,
      filter: { itemCodes: [itemCode] } as never,
    });
    r.secrets = [secret];
    const id = subscription!.subscriptionId;
    const event = versionPublished(names, { releaseId: 'rel-dead', itemCode });
    await producer.publish([event]);
    const operator = await tokenOf('operator');
    const deadLetters = async () =>
      (
        await unary(
          client.listDeliveries.bind(client),
          { subscriptionId: id, eventId: '', status: DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED, pageSize: 0, pageToken: '' },
          operator,
        )
      ).deliveries;
    await expect.poll(async () => (await deadLetters()).map((d) => d.eventId), { timeout: 45_000 }).toEqual([event.id]);
    expect(r.received).toHaveLength(4); // maxAttempts
    const [letter] = await deadLetters();
    expect(letter!.lastStatusCode).toBe(0);
    expect(letter!.lastError).toMatch(/gave up after 4 attempts/);

    // Another organisation may not redeliver.
    const notFound = await refused(unary(client.redeliver.bind(client), { subscriptionId: id, eventIds: [] }, await tokenOf('beijing-officer')));
    expect(notFound.code).toBe(grpc.status.NOT_FOUND);

    dead = false;
    const { requeued } = await unary(client.redeliver.bind(client), { subscriptionId: id, eventIds: [] }, operator);
    expect(requeued).toBe(1);
    await expect.poll(() => r.received.length, { timeout: 40_000 }).toBe(5);
    expect(r.received[4]).toMatchObject({ webhookId: event.id });
    expect(r.received[4]!.verifiedWith).toEqual([0]);
    await expect.poll(async () => (await deadLetters()).length, { timeout: 20_000 }).toBe(0);
    const { attempts } = await unary(client.listDeliveryAttempts.bind(client), { subscriptionId: id, eventId: '', pageSize: 0, pageToken: '' }, operator);
    expect(attempts.map((a) => a.outcome)).toEqual([
      AttemptOutcome.ATTEMPT_OUTCOME_RETRY_SCHEDULED,
      AttemptOutcome.ATTEMPT_OUTCOME_RETRY_SCHEDULED,
      AttemptOutcome.ATTEMPT_OUTCOME_RETRY_SCHEDULED,
      AttemptOutcome.ATTEMPT_OUTCOME_DEAD_LETTERED,
      AttemptOutcome.ATTEMPT_OUTCOME_DELIVERED,
    ]);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
  });

  it('signs with the old and the new secret during a rotation grace period', async () => {
    const r = await receiver();
    const itemCode = item();
    const { subscription, secret: oldSecret } = await createSubscription(client, 'statistics-subscriber', {
      endpointUrl: r.url,
      filter: { itemCodes: [itemCode] } as never,
    });
    const { secret: newSecret, subscription: rotated } = await unary(
      client.rotateSecret.bind(client),
      { subscriptionId: subscription!.subscriptionId, gracePeriodSeconds: 3600 },
      await tokenOf('statistics-subscriber'),
    );
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated!.previousSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    r.secrets = [oldSecret, newSecret];
    await producer.publish([versionPublished(names, { releaseId: 'rel-rotate', itemCode })]);
    await expect.poll(() => r.received.length, { timeout: 40_000 }).toBe(1);
    expect(r.received[0]!.signature.split(' ')).toHaveLength(2);
    expect(r.received[0]!.verifiedWith).toEqual([0, 1]); // a receiver knowing either secret accepts it
  });

  it('delivers by filter: event types, provinces (floor-breached notices with the re-file deadline), fields, release kind', async () => {
    const [gd, bj, stats] = await Promise.all([receiver(), receiver(), receiver()]);
    const itemCode = item();
    const otherItem = item();
    const breach = await createSubscription(client, 'guangdong-officer', {
      endpointUrl: gd!.url,
      filter: { eventTypes: [standardEvents.floorBreached.type], itemCodes: [itemCode, otherItem] } as never,
    });
    expect(breach.subscription!.filter!.provinceCodes).toEqual(['440000']);
    const beijing = await createSubscription(client, 'beijing-officer', { endpointUrl: bj!.url, filter: { itemCodes: [itemCode, otherItem] } as never });
    const statistics = await createSubscription(client, 'statistics-subscriber', {
      endpointUrl: stats!.url,
      filter: { itemCodes: [itemCode, otherItem], fieldCodes: ['ELDERLY'], releaseKind: ReleaseKind.RELEASE_KIND_AMENDMENT } as never,
    });
    gd!.secrets = [breach.secret];
    bj!.secrets = [beijing.secret];
    stats!.secrets = [statistics.secret];

    // A province officer cannot subscribe for another province.
    const other = await refused(createSubscription(client, 'guangdong-officer', { endpointUrl: gd!.url, filter: { provinceCodes: ['110000'] } as never }));
    expect(other.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(decodeStatus(other).fieldViolations[0]).toMatchObject({ field: 'filter.province_codes', reason: 'OTHER_PROVINCE' });

    const events = {
      breachBj: floorBreached(names, { provinceCode: '110000', itemCode, releaseId: 'rel-f' }),
      breachGd: floorBreached(names, { provinceCode: '440000', itemCode, releaseId: 'rel-f' }),
      amendmentElderly: versionPublished(names, { releaseId: 'rel-f-a', itemCode, fieldCode: 'ELDERLY', kind: ReleaseKind.RELEASE_KIND_AMENDMENT }),
      editionElderly: versionPublished(names, { releaseId: 'rel-f-e', itemCode: otherItem, fieldCode: 'ELDERLY', kind: ReleaseKind.RELEASE_KIND_EDITION }),
      amendmentHealth: versionPublished(names, { releaseId: 'rel-f-h', itemCode: otherItem, fieldCode: 'HEALTH', kind: ReleaseKind.RELEASE_KIND_AMENDMENT }),
      filedBj: localStandardFiled(names, { provinceCode: '110000', itemCode }),
      filedGd: localStandardFiled(names, { provinceCode: '440000', itemCode }),
      unrelated: versionPublished(names, { releaseId: 'rel-f-x', itemCode: item() }),
    };
    await producer.publish(Object.values(events));
    const ids = (...list: { id: string }[]): string[] => list.map((e) => e.id).sort();
    const got = (r: Receiver): string[] => [...new Set(r.received.map((x) => x.webhookId))].sort();
    await expect
      .poll(() => got(bj!), { timeout: 40_000 })
      .toEqual(ids(events.breachBj, events.amendmentElderly, events.editionElderly, events.amendmentHealth, events.filedBj));
    await expect.poll(() => got(gd!), { timeout: 40_000 }).toEqual(ids(events.breachGd));
    await expect.poll(() => got(stats!), { timeout: 40_000 }).toEqual(ids(events.amendmentElderly));
    const notice = gd!.received[0]!.event.data;
    expect(notice).toMatchObject({
      provinceCode: '440000',
      itemCode,
      refileDeadline: { year: 2027, month: 3, day: 31 },
      requiredValue: '89',
      actualValue: '84',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(got(gd!)).toEqual(ids(events.breachGd));
    expect([...gd!.received, ...bj!.received, ...stats!.received].every((x) => x.verifiedWith.length === 1)).toBe(true);
  });

  it('keeps order per standard for a subscriber, while a hung subscriber does not hold up another', async () => {
    // The first delivery of A-0 fails: A's later events must wait for its retry; B's need not.
    let failedOnce = false;
    const ordered = await receiver((_n, x) => {
      if (!failedOnce && x.event.subject === 'releases/ord-A-0') {
        failedOnce = true;
        return { status: 503 };
      }
      return { status: 200, delayMs: Math.floor(Math.random() * 20) };
    });
    // Answers after the 2 s request timeout: every try of every event times out.
    const hung = await receiver(() => ({ status: 200, delayMs: 2_500 }));
    const itemCode = item();
    const a = await createSubscription(client, 'statistics-subscriber', { endpointUrl: ordered.url, filter: { itemCodes: [itemCode] } as never });
    const h = await createSubscription(client, 'beijing-officer', { endpointUrl: hung.url, filter: { itemCodes: [itemCode] } as never });
    ordered.secrets = [a.secret];
    hung.secrets = [h.secret];
    const events = Array.from({ length: 4 }, (_, i) => [
      versionPublished(names, { releaseId: `ord-A-${i}`, itemCode, key: `${itemCode}-A` }),
      versionPublished(names, { releaseId: `ord-B-${i}`, itemCode, key: `${itemCode}-B` }),
    ]).flat();
    await producer.publish(events);
    await expect.poll(() => new Set(ordered.received.map((x) => x.webhookId)).size, { timeout: 45_000 }).toBe(8);
    await expect.poll(() => ordered.received.length, { timeout: 5_000 }).toBe(9); // + the failed first try of A-0
    expect(ordered.received.every((x) => x.verifiedWith.length === 1)).toBe(true);
    // The other got everything while the hung one was still working through its lanes (each event: 4 tries of 2 s).
    expect(new Set(hung.received.map((x) => x.webhookId)).size).toBeLessThan(8);
    const successes = ordered.received.filter((x, i) => !(i === ordered.received.findIndex((y) => y.event.subject === 'releases/ord-A-0')));
    const order = (lane: string): string[] => successes.map((x) => String(x.event.subject)).filter((subject) => subject.startsWith(`releases/ord-${lane}-`));
    expect(order('A')).toEqual(Array.from({ length: 4 }, (_, i) => `releases/ord-A-${i}`));
    expect(order('B')).toEqual(Array.from({ length: 4 }, (_, i) => `releases/ord-B-${i}`));
    await unary(client.deleteSubscription.bind(client), { subscriptionId: h.subscription!.subscriptionId }, await tokenOf('beijing-officer'));
  });

  it('shows and lets manage a subscription only to its own organisation', async () => {
    const r = await receiver();
    const { subscription } = await createSubscription(client, 'statistics-subscriber', { endpointUrl: r.url });
    const id = subscription!.subscriptionId;
    const beijing = await tokenOf('beijing-officer');
    const owner = await tokenOf('statistics-subscriber');
    expect((await unary(client.listSubscriptions.bind(client), {}, beijing)).subscriptions.map((x) => x.subscriptionId)).not.toContain(id);
    expect((await unary(client.listSubscriptions.bind(client), {}, owner)).subscriptions.map((x) => x.subscriptionId)).toContain(id);
    for (const call of [
      () => unary(client.getSubscription.bind(client), { subscriptionId: id }, beijing),
      () => unary(client.pauseSubscription.bind(client), { subscriptionId: id }, beijing),
      () => unary(client.rotateSecret.bind(client), { subscriptionId: id, gracePeriodSeconds: 0 }, beijing),
      () => unary(client.deleteSubscription.bind(client), { subscriptionId: id }, beijing),
      () => unary(client.listDeliveries.bind(client), { subscriptionId: id, eventId: '', status: 0, pageSize: 0, pageToken: '' }, beijing),
      () => unary(client.replay.bind(client), { subscriptionId: id, from: { $case: 'afterCursor', afterCursor: '0' } }, beijing),
    ]) {
      expect((await refused(call())).code).toBe(grpc.status.NOT_FOUND);
    }
    // An operator may look, but not change it.
    const operator = await tokenOf('operator');
    expect((await unary(client.getSubscription.bind(client), { subscriptionId: id }, operator)).subscription!.organisation).toBe('NBS');
    expect((await refused(unary(client.pauseSubscription.bind(client), { subscriptionId: id }, operator))).code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await unary(client.getSubscription.bind(client), { subscriptionId: id }, owner)).subscription!.status).toBe(
      SubscriptionStatus.SUBSCRIPTION_STATUS_ACTIVE,
    );
    // The owner can.
    const paused = await unary(client.pauseSubscription.bind(client), { subscriptionId: id }, owner);
    expect(paused.subscription!.status).toBe(SubscriptionStatus.SUBSCRIPTION_STATUS_PAUSED);
    await unary(client.deleteSubscription.bind(client), { subscriptionId: id }, owner);
    expect((await refused(unary(client.getSubscription.bind(client), { subscriptionId: id }, owner))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('refuses endpoints on private or loopback addresses not on the allow-list, and malformed ones', async () => {
    for (const endpointUrl of [
      'http://10.1.2.3/hook',
      'http://192.168.10.1/hook',
      'http://[::1]:8080/hook',
      'http://169.254.169.254/latest/meta-data',
      'ftp://127.0.0.1/x',
      'not a url',
    ]) {
      const error = await refused(createSubscription(client, 'statistics-subscriber', { endpointUrl }));
      expect(error.code, endpointUrl).toBe(grpc.status.INVALID_ARGUMENT);
      expect(decodeStatus(error).fieldViolations[0]!.field).toBe('endpoint_url');
    }
    const filter = await refused(
      createSubscription(client, 'statistics-subscriber', { endpointUrl: 'http://127.0.0.1:9/x', filter: { eventTypes: ['bps.standard.nonsense'] } as never }),
    );
    expect(filter.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(
      (await unary(client.listSubscriptions.bind(client), {}, await tokenOf('auditor'))).subscriptions.every((s) =>
        s.endpointUrl.startsWith('http://127.0.0.1'),
      ),
    ).toBe(true);
    // Downstream systems receive publications only; the deliberations are internal (issue #14).
    const internal = await refused(
      createSubscription(client, 'statistics-subscriber', {
        endpointUrl: 'http://127.0.0.1:9/x',
        filter: { eventTypes: ['bps.approval.step.signed'] } as never,
      }),
    );
    expect([internal.code, decodeStatus(internal).reason]).toEqual([grpc.status.PERMISSION_DENIED, 'INTERNAL_EVENT_TYPE']);
    // Roles: a ministry's staff cannot subscribe.
    expect((await refused(createSubscription(client, 'nhc-staff', { endpointUrl: 'http://127.0.0.1:9/x' }))).code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('replays everything since a time to the webhook, with the original ids', async () => {
    const r = await receiver();
    const itemCode = item();
    const { subscription, secret } = await createSubscription(client, 'statistics-subscriber', {
      endpointUrl: r.url,
      filter: { itemCodes: [itemCode] } as never,
    });
    r.secrets = [secret];
    const t0 = Date.now();
    const before = [1, 2].map((i) => versionPublished(names, { releaseId: `rel-replay-old-${i}`, itemCode, time: new Date(t0 - 60_000 + i) }));
    const since = new Date(t0 - 30_000);
    const after = [1, 2, 3].map((i) => versionPublished(names, { releaseId: `rel-replay-new-${i}`, itemCode, time: new Date(t0 - 10_000 + i) }));
    await producer.publish([...before, ...after]);
    await expect.poll(() => r.received.length, { timeout: 40_000 }).toBe(5);
    const token = await tokenOf('statistics-subscriber');
    await expect
      .poll(
        async () =>
          (
            await unary(
              client.listDeliveries.bind(client),
              { subscriptionId: subscription!.subscriptionId, eventId: '', status: DeliveryStatus.DELIVERY_STATUS_DELIVERED, pageSize: 0, pageToken: '' },
              token,
            )
          ).deliveries.length,
        { timeout: 20_000 },
      )
      .toBe(5);

    const { queued } = await unary(
      client.replay.bind(client),
      { subscriptionId: subscription!.subscriptionId, from: { $case: 'sinceTime', sinceTime: since } },
      token,
    );
    expect(queued).toBe(3);
    await expect.poll(() => r.received.length, { timeout: 40_000 }).toBe(8);
    expect(
      r.received
        .slice(5)
        .map((x) => x.webhookId)
        .sort(),
    ).toEqual(after.map((e) => e.id).sort());
    expect(r.received.every((x) => x.verifiedWith.length === 1 && x.webhookId === x.event.id)).toBe(true);
  });
});

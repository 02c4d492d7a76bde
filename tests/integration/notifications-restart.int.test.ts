// Kill and restart during a burst: the service is stopped as a crash would (sends in flight abandoned, nothing
// recorded for them) while events are still arriving and being delivered; a new instance on the same database
// and consumer group finishes the job. No event is lost, none reaches a subscriber with another id, and per
// standard the first arrivals keep the order of publication.
import { afterAll, describe, expect, it } from 'vitest';
import { connectMongo } from '../../services/shared/mongo/mongo';
import type { RunningNotifications } from '../../services/notifications/app';
import { stack } from '../support/stack';
import { uniqueName } from '../support/names';
import { clientFor, createSubscription, newNames, producerFor, Receiver, startApp, versionPublished } from './notifications.support';

describe('notifications: kill and restart', () => {
  const names = newNames('notif-kill');
  const producer = producerFor();
  const receivers: Receiver[] = [];
  const apps: RunningNotifications[] = [];
  // Short leases: the claims the killed instance held become claimable again quickly.
  const leases = { delivery: { concurrency: 32, perSubscriptionConcurrency: 4, requestTimeoutMs: 1_000, leaseMs: 1_500, pollMs: 50, sweepMs: 300 } };

  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    await producer.disconnect();
    await Promise.all(receivers.map((r) => r.stop()));
    const mongo = await connectMongo(stack().mongoUri, names.dbName);
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('loses no delivery and sends nothing twice with different ids', async () => {
    const first = await startApp(names, { workerId: 'first', ...leases });
    apps.push(first);
    const client = clientFor(first);
    const itemCode = uniqueName('item').slice(-18);
    for (const persona of ['statistics-subscriber', 'beijing-officer', 'guangdong-officer'] as const) {
      const r = await new Receiver(() => ({ status: 200, delayMs: 40 })).start();
      receivers.push(r);
      const { secret } = await createSubscription(client, persona, { endpointUrl: r.url, filter: { itemCodes: [itemCode] } as never });
      r.secrets = [secret];
    }
    client.close();
    await producer.connect();
    const lanes = ['L0', 'L1', 'L2', 'L3'];
    const events = Array.from({ length: 4 }, (_, i) =>
      lanes.map((lane) => versionPublished(names, { releaseId: `${lane}-${i}`, itemCode, key: `${itemCode}-${lane}` })),
    ).flat();
    await producer.publish(events);

    // Mid-burst: some deliveries made, intake still going.
    await expect.poll(() => receivers.reduce((n, r) => n + r.received.length, 0), { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(6);
    await first.stop('abandon');
    const before = receivers.map((r) => r.received.length);
    expect(before.reduce((a, b) => a + b, 0)).toBeLessThan(events.length * receivers.length);

    const second = await startApp(names, { workerId: 'second', ...leases });
    apps.push(second);
    for (const r of receivers) {
      await expect.poll(() => new Set(r.received.map((x) => x.webhookId)).size, { timeout: 45_000 }).toBe(events.length);
    }
    const ids = events.map((e) => e.id).sort();
    for (const r of receivers) {
      expect(r.received.every((x) => x.webhookId === x.event.id && x.verifiedWith.length === 1)).toBe(true);
      expect([...new Set(r.received.map((x) => x.event.id))].sort()).toEqual(ids);
      for (const lane of lanes) {
        const firstArrivals = [...new Set(r.received.map((x) => String(x.event.subject)).filter((s) => s.startsWith(`releases/${lane}-`)))];
        expect(firstArrivals).toEqual(Array.from({ length: 4 }, (_, i) => `releases/${lane}-${i}`));
      }
    }
    const mongo = await connectMongo(stack().mongoUri, names.dbName);
    try {
      await expect
        .poll(() => mongo.db.collection('deliveries').countDocuments({ status: 'delivered' }), { timeout: 10_000 })
        .toBe(events.length * receivers.length);
      expect(await mongo.db.collection('deliveries').countDocuments()).toBe(events.length * receivers.length);
      expect(await mongo.db.collection('feed').countDocuments()).toBe(events.length);
      // The second instance finished the job. The first one's attempt log may hold nothing, although it delivered
      // (the receivers counted its sends before the kill): a crash loses what was not yet written, as designed —
      // its claims expire and the second instance resends under the same webhook id, which the checks above allow.
      const workers = await mongo.db.collection('attempts').distinct('worker');
      expect(workers).toContain('second');
      expect(workers.every((w) => w === 'first' || w === 'second')).toBe(true);
    } finally {
      await mongo.close();
    }
  });
});

// Issue #16: the cost of a delivery does not grow with the number of events or subscriptions. Every command the
// service sends to its database during a burst is recorded: the subscriptions are read once per change, not per
// event; the delivery rows are written once per event (one insert for all its subscribers) and their outcomes in
// batches, and the lanes look at the database only when they may not know their rows — not per delivery, nor per
// new lane of a subscription created since the start.
// Also: the in-memory subscriptions of one instance see another instance's writes at the next check.
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandStartedEvent } from 'mongodb';
import { connectMongo } from '../../services/shared/mongo/mongo';
import type { RunningNotifications } from '../../services/notifications/app';
import { SubscriptionRepository } from '../../services/notifications/adapters/mongo/store';
import { SubscriptionIndex } from '../../services/notifications/application/subscription-index';
import { handleCommand } from '../../services/shared/domain/command-handler';
import { subscriptionDecider } from '../../services/notifications/domain/subscription';
import { stack } from '../support/stack';
import { uniqueName } from '../support/names';
import { clientFor, createSubscription, newNames, producerFor, Receiver, startApp, versionPublished } from './notifications.support';

describe('notifications: cost per delivery', () => {
  const names = newNames('notif-cost');
  const producer = producerFor();
  const receivers: Receiver[] = [];
  let app: RunningNotifications | undefined;

  afterAll(async () => {
    await app?.stop();
    await producer.disconnect();
    await Promise.all(receivers.map((r) => r.stop()));
    const mongo = await connectMongo(stack().mongoUri, names.dbName);
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('reads the subscriptions once per change and touches the delivery rows a few times per event, not per delivery', async () => {
    const commands: CommandStartedEvent[] = [];
    app = await startApp(names, { onDatabaseCommand: (c) => commands.push(c) });
    const client = clientFor(app);
    const itemCode = uniqueName('item').slice(-18);
    const subscribers = 5;
    for (let i = 0; i < subscribers; i++) {
      const r = await new Receiver(() => ({ status: 200, delayMs: 5 })).start();
      receivers.push(r);
      const { secret } = await createSubscription(client, 'statistics-subscriber', { endpointUrl: r.url, filter: { itemCodes: [itemCode] } as never });
      r.secrets = [secret];
    }
    client.close();
    await producer.connect();
    const lanes = ['K0', 'K1', 'K2', 'K3'];
    const events = Array.from({ length: 6 }, (_, i) =>
      lanes.map((lane) => versionPublished(names, { releaseId: `${lane}-${i}`, itemCode, key: `${itemCode}-${lane}` })),
    ).flat();
    const deliveries = events.length * subscribers;
    commands.length = 0;
    await producer.publish(events);
    for (const r of receivers) await expect.poll(() => new Set(r.received.map((x) => x.webhookId)).size, { timeout: 60_000 }).toBe(events.length);
    const mongo = await connectMongo(stack().mongoUri, names.dbName);
    try {
      await expect.poll(() => mongo.db.collection('deliveries').countDocuments({ status: 'delivered' }), { timeout: 20_000 }).toBe(deliveries);
    } finally {
      await mongo.close();
    }
    // Order per standard holds for every subscriber.
    for (const r of receivers) {
      for (const lane of lanes) {
        const arrivals = [...new Set(r.received.map((x) => String(x.event.subject)).filter((s) => s.startsWith(`releases/${lane}-`)))];
        expect(arrivals).toEqual(Array.from({ length: 6 }, (_, i) => `releases/${lane}-${i}`));
      }
    }

    const on = (collection: string) => commands.filter((c) => String(c.command[c.commandName]) === collection);
    // The periodic recovery pass (due rows nobody holds) and the release of held rows run on a timer, whatever the
    // traffic: counted apart.
    const periodic = (c: CommandStartedEvent): boolean => {
      const filter = JSON.stringify(c.command['filter'] ?? c.command['updates'] ?? {});
      return (filter.includes('"held":false') && filter.includes('$lte')) || (filter.includes('"held":true') && filter.includes('$in'));
    };
    const rows = on('deliveries').filter((c) => !periodic(c));
    // Before issue #16: a read of every subscription per event, and 4 or more commands per delivery on the rows.
    expect(on('subscriptions').filter((c) => c.commandName === 'find').length).toBeLessThanOrEqual(2);
    // One insert per event, outcomes in batches, and no look at the database for the lanes (lanes x subscribers =
    // 20): every row of theirs was created by this instance's intake, and creating a subscription moves no row. (A
    // consumer rejoin makes the lanes created in the few milliseconds before the rows are listed look: a few at most.)
    expect(rows.filter((c) => c.commandName === 'insert').length).toBe(events.length);
    expect(rows.filter((c) => c.commandName === 'find').length).toBeLessThanOrEqual(lanes.length);
    expect(rows.filter((c) => c.commandName === 'update' || c.commandName === 'findAndModify').length).toBeLessThan(deliveries / 2);
    expect(rows.length).toBeLessThan(deliveries);
  });

  it('sees a subscription written by another instance at its next check', async () => {
    const a = await connectMongo(stack().mongoUri, names.dbName);
    const b = await connectMongo(stack().mongoUri, names.dbName);
    try {
      const index = new SubscriptionIndex(new SubscriptionRepository(a.db));
      const elsewhere = new SubscriptionRepository(b.db);
      const known = (await index.receiving()).length;
      const id = uniqueName('sub');
      const created = await handleCommand(elsewhere, subscriptionDecider, id, {
        kind: 'create',
        id,
        organisation: 'NBS',
        endpointUrl: 'http://127.0.0.1:9/x',
        description: '',
        secret: `whsec_${Buffer.from(uniqueName('s')).toString('base64')}`,
        filter: { eventTypes: [], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 'any' },
        by: 'test',
        at: new Date(),
      });
      const state = created.state!;
      expect((await index.receiving()).map((s) => s.id)).toContain(state.id);
      expect((await index.receiving()).length).toBe(known + 1);
      expect(await handleCommand(elsewhere, subscriptionDecider, id, { kind: 'pause', at: new Date() })).toMatchObject({ ok: true, revision: 2 });
      expect((await index.get(state.id, 0))?.status).toBe('paused');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

// Recovery reads only what needs recovering (issue #16). Each delivery row names the worker that has it (`owner`)
// and each worker keeps a lease; the recovery pass finds the due rows nobody has and the rows of workers whose lease
// ran out by equality on `owner`. The backlog a live worker is sending — 100,000 rows after a burst of 1,000 events
// to 100 subscribers — is never read. Before, recovery asked for every pending row that was due and not held, and
// FerretDB v1 could push only the two equalities down: every pass read the whole backlog.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { DeliveryRepository } from '../../services/notifications/adapters/mongo/store';
import { deliveryId, type DeliveryDoc } from '../../services/notifications/application/ports';
import { behindFerretDbOnPostgres, rowsRead } from '../support/pg-stats';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';

const backlog = 2_000;
const minute = 60_000;

describe('delivery recovery reads only what needs recovering', () => {
  let h: MongoHandle;
  let deliveries: DeliveryRepository;
  const dbName = uniqueName('notif_recovery').replace(/[^a-zA-Z0-9_]/g, '_');
  const now = Date.now();
  let cursor = 0;

  const row = (owner: string, availableAt: number, extra: Partial<DeliveryDoc> = {}): DeliveryDoc => {
    const i = ++cursor;
    const at = new Date(availableAt);
    return {
      _id: deliveryId(`sub-${i % 7}`, `event-${i}`),
      subscriptionId: `sub-${i % 7}`,
      organisation: 'org',
      eventId: `event-${i}`,
      eventType: 'bps.standard.version.published',
      subject: 'EDU-01',
      releaseId: `rel-${i}`,
      key: `EDU-${i % 11}`,
      cursor: i,
      status: 'pending',
      held: false,
      availableAt: at,
      claim: owner === '' ? null : `${owner}:${i}`,
      owner,
      attempts: 0,
      roundAttempts: 0,
      createdAt: at,
      updatedAt: at,
      deliveredAt: null,
      lastStatusCode: 0,
      lastError: '',
      ...extra,
    };
  };

  const unownedDue: DeliveryDoc[] = [];
  const deadDue: DeliveryDoc[] = [];
  const deadLater: DeliveryDoc[] = [];

  beforeAll(async () => {
    h = await connectMongo(stack().mongoUri, dbName);
    deliveries = new DeliveryRepository(h.db);
    await deliveries.init();
    await deliveries.workers.renew('live#1', 'live', new Date(now + minute));
    await deliveries.workers.renew('dead#1', 'dead', new Date(now - minute));
    // The live worker's backlog: every row's own lease (or retry time) has passed, as for rows waiting behind a slow
    // subscriber or a long retry; the worker still has them in memory and sends them itself.
    const live = Array.from({ length: backlog }, () => row('live#1', now - minute));
    for (let i = 0; i < live.length; i += 500) await deliveries.collection.insertMany(live.slice(i, i + 500));
    unownedDue.push(row('', now - 1_000), row('', now - 2_000), row('', now - 3_000));
    deadDue.push(row('dead#1', now - 5_000), row('dead#1', now - 6_000));
    deadLater.push(row('dead#1', now + 10 * minute), row('dead#1', now + 20 * minute)); // retries it had scheduled
    await deliveries.collection.insertMany([
      ...unownedDue,
      row('', now + minute), // nobody's, not yet due
      row('', now - 1_000, { held: true }), // subscription paused
      row('', now - 1_000, { status: 'delivered' }),
      ...deadDue,
      ...deadLater,
    ]);
  }, 120_000);

  afterAll(async () => {
    await h?.db.dropDatabase().catch(() => undefined);
    await h?.close();
  });

  it("finds the due rows nobody has, oldest first, and none of a live worker's", async () => {
    const due = await deliveries.due(new Date(), 100);
    expect(due.map((d) => d._id)).toEqual(unownedDue.map((d) => d._id));
  });

  it('finds the workers whose lease ran out, and all of their unfinished rows', async () => {
    const expired = await deliveries.workers.expired(new Date());
    expect(expired.map((l) => l._id)).toEqual(['dead#1']);
    const owned = await deliveries.ownedBy('dead#1', 100);
    expect(owned.map((d) => d._id)).toEqual([...deadDue, ...deadLater].map((d) => d._id));
  });

  it("takes a dead worker's due rows over, and marks it drained once it has none left", async () => {
    for (const d of deadDue) expect(await deliveries.claim(d._id, `me:${d._id}`, new Date(), minute, 'me#1')).toMatchObject({ owner: 'me#1' });
    expect((await deliveries.ownedBy('dead#1', 100)).map((d) => d._id)).toEqual(deadLater.map((d) => d._id));
    // Its later retries are taken when due; meanwhile it is not drained. Once they are finished, it is.
    for (const d of deadLater) await deliveries.collection.updateOne({ _id: d._id }, { $set: { availableAt: new Date(now - 1_000) } });
    for (const d of deadLater) expect(await deliveries.claim(d._id, `me:${d._id}`, new Date(), minute, 'me#1')).toBeDefined();
    expect(await deliveries.ownedBy('dead#1', 100)).toEqual([]);
    const [lease] = await deliveries.workers.expired(new Date());
    await deliveries.workers.drained(lease!);
    expect(await deliveries.workers.expired(new Date())).toEqual([]);
    // A worker thought dead that renews its lease is alive again (and would be looked at once more when it lapses).
    await deliveries.workers.renew('dead#1', 'dead', new Date(Date.now() - 1));
    expect((await deliveries.workers.expired(new Date())).map((l) => l._id)).toEqual(['dead#1']);
  });

  it('a recovery pass reads a handful of rows, not the backlog (FerretDB on PostgreSQL: rows fetched)', async (ctx) => {
    if (!(await behindFerretDbOnPostgres(h.db, 'deliveries'))) ctx.skip(); // MongoDB: its index bounds do the same
    const rows = await rowsRead(dbName, 'deliveries');
    try {
      const before = await rows.settled();
      const passes = 5;
      for (let i = 0; i < passes; i++) {
        await deliveries.due(new Date(), 100);
        await deliveries.workers.expired(new Date());
      }
      const fetched = (await rows.settled()) - before;
      // Three due rows per pass (plus what PostgreSQL rechecks). Reading the backlog would be 5 x 2,000.
      expect(fetched).toBeLessThan(passes * 40);
    } finally {
      await rows.close();
    }
  }, 120_000);
});

// Two notifications instances (two delivery workers, each with its own database connection, as two processes
// would have) recovering the same due deliveries at the same moment: each row is claimed by exactly one of them,
// so one webhook is not sent twice (issue #19, "two of everything"). FerretDB v1 runs a findOneAndUpdate as a read
// and then a write, without a lock: the claim must not rest on its filter alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoHandle } from '../../services/shared/mongo/mongo';
import { twoInstancesOfOneDatabase, type TwoInstances } from '../support/instances-db';
import { DeliveryRepository } from '../../services/notifications/adapters/mongo/store';
import { deliveryId, type DeliveryDoc } from '../../services/notifications/application/ports';

describe('delivery claims across instances', () => {
  let a: MongoHandle;
  let b: MongoHandle;
  let instances: TwoInstances;

  beforeAll(async () => {
    instances = await twoInstancesOfOneDatabase('notif_claims');
    ({ a, b } = instances);
  });
  afterAll(async () => instances?.drop());

  const row = (i: number, availableAt: Date): DeliveryDoc => ({
    _id: deliveryId('sub-1', `event-${i}`),
    subscriptionId: 'sub-1',
    organisation: 'org',
    eventId: `event-${i}`,
    eventType: 'bps.standard.version.published',
    subject: 'EDU-01',
    releaseId: `rel-${i}`,
    key: `EDU-${i}`,
    cursor: i,
    status: 'pending',
    held: false,
    availableAt,
    claim: null,
    owner: '',
    attempts: 0,
    roundAttempts: 0,
    createdAt: availableAt,
    updatedAt: availableAt,
    deliveredAt: null,
    lastStatusCode: 0,
    lastError: '',
  });

  it('gives each due row to one worker when two claim it at once, and each next turn to one again', async () => {
    const first = new DeliveryRepository(a.db);
    const second = new DeliveryRepository(b.db);
    await first.init();
    const rows = Array.from({ length: 150 }, (_, i) => row(i, new Date(Date.now() - 1_000)));
    await first.collection.insertMany(rows);

    const race = async (leaseMs: number) => {
      const now = new Date();
      const outcomes = await Promise.all(
        rows.map(async (r) => {
          const [x, y] = await Promise.all([first.claim(r._id, `A:${r._id}`, now, leaseMs, 'A'), second.claim(r._id, `B:${r._id}`, now, leaseMs, 'B')]);
          return { x: x !== undefined, y: y !== undefined };
        }),
      );
      return {
        both: outcomes.filter((o) => o.x && o.y).length,
        none: outcomes.filter((o) => !o.x && !o.y).length,
        byFirst: outcomes.filter((o) => o.x && !o.y).length,
        bySecond: outcomes.filter((o) => !o.x && o.y).length,
      };
    };

    // Three turns: the first claims, then twice more once every lease has run out (both workers "died").
    for (let turn = 0; turn < 3; turn++) {
      const taken = await race(300);
      expect(taken.both).toBe(0); // no row claimed by both: no webhook sent twice
      expect(taken.none).toBe(0);
      expect(taken.byFirst + taken.bySecond).toBe(rows.length);
      // Every row is held by a claim now.
      const stored = await first.collection.find({ subscriptionId: 'sub-1' }).toArray();
      expect(stored.every((d) => d.claim !== null)).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
    }
  });
});

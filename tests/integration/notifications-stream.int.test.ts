// The gRPC feed stream against real Kafka and the real database: from now, from a cursor after a disconnect
// (nothing missed, nothing twice), from a time; filters and province scoping apply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as grpc from '@grpc/grpc-js';
import type { SubscribeRequest, SubscribeResponse } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { callMetadata } from '../../services/shared/grpc/client';
import type { PersonaName } from '../../services/shared/auth/personas';
import type { RunningNotifications } from '../../services/notifications/app';
import { uniqueName } from '../support/names';
import { clientFor, floorBreached, newNames, producerFor, startApp, tokenOf, versionPublished, type Client } from './notifications.support';

type Stream = { messages: SubscribeResponse[]; errors: grpc.ServiceError[]; ended: boolean; call: grpc.ClientReadableStream<SubscribeResponse> };

describe('notifications: feed stream', () => {
  const names = newNames('notif-st');
  const producer = producerFor();
  let app: RunningNotifications;
  let client: Client;
  const open: Stream[] = [];

  const subscribe = async (persona: PersonaName, request: Partial<SubscribeRequest>): Promise<Stream> => {
    const filter = { eventTypes: [], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 0, ...request.filter };
    const call = client.subscribe({ from: undefined, ...request, filter }, callMetadata(await tokenOf(persona)));
    const stream: Stream = { messages: [], errors: [], ended: false, call };
    call.on('data', (m: SubscribeResponse) => stream.messages.push(m));
    call.on('error', (e: grpc.ServiceError) => stream.errors.push(e));
    call.on('end', () => {
      stream.ended = true;
    });
    open.push(stream);
    return stream;
  };
  /** A "now" stream starts at the feed's end when the server has read it; give the call a moment to get there. */
  const live = async (stream: Stream): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stream.errors).toEqual([]);
  };

  beforeAll(async () => {
    app = await startApp(names);
    client = clientFor(app);
    await producer.connect();
  });
  afterAll(async () => {
    for (const s of open) s.call.cancel();
    client?.close();
    await app?.stop();
    await producer.disconnect();
  });

  it('streams from now, and a client resuming from its last cursor misses nothing and gets nothing twice', async () => {
    const itemCode = uniqueName('item').slice(-18);
    const first = await subscribe('statistics-subscriber', { filter: { itemCodes: [itemCode] } as never, from: { $case: 'now', now: true } });
    await live(first);
    const batch1 = [0, 1, 2].map((i) => versionPublished(names, { releaseId: `st-${i}`, itemCode, key: `st-${itemCode}` }));
    const noise = versionPublished(names, { releaseId: 'st-noise', itemCode: uniqueName('other').slice(-18) });
    await producer.publish([batch1[0]!, noise, batch1[1]!, batch1[2]!]);
    await expect.poll(() => first.messages.length, { timeout: 40_000 }).toBe(3);
    expect(first.messages.map((m) => m.event!.id)).toEqual(batch1.map((e) => e.id));
    const cursors = first.messages.map((m) => Number(m.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(3);
    expect(JSON.parse(first.messages[0]!.event!.dataJson)).toEqual(JSON.parse(batch1[0]!.data.toString('utf8')));
    expect(first.messages[0]!.event).toMatchObject({
      type: 'bps.standard.version.published',
      source: '/bps/registry',
      subject: 'releases/st-0',
      dataschema: 'urn:proto:bps.standards.v1.VersionPublished',
    });

    // The client has processed only the first two when the connection drops.
    const lastSeen = first.messages[1]!.cursor;
    first.call.cancel();
    const batch2 = [3, 4].map((i) => versionPublished(names, { releaseId: `st-${i}`, itemCode, key: `st-${itemCode}` }));
    await producer.publish(batch2);
    const resumed = await subscribe('statistics-subscriber', {
      filter: { itemCodes: [itemCode] } as never,
      from: { $case: 'afterCursor', afterCursor: lastSeen },
    });
    await expect.poll(() => resumed.messages.length, { timeout: 40_000 }).toBe(3);
    expect(resumed.messages.map((m) => m.event!.id)).toEqual([batch1[2]!.id, ...batch2.map((e) => e.id)]);
    expect(Number(resumed.messages[0]!.cursor)).toBe(cursors[2]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(resumed.messages).toHaveLength(3);
    resumed.call.cancel();
  });

  it('streams from a time, and keeps a province officer to its own province', async () => {
    const itemCode = uniqueName('item').slice(-18);
    const t0 = Date.now();
    const old = versionPublished(names, { releaseId: 'st-old', itemCode, time: new Date(t0 - 120_000) });
    const recent = versionPublished(names, { releaseId: 'st-recent', itemCode, time: new Date(t0 - 1_000) });
    const breachBj = floorBreached(names, { provinceCode: '110000', itemCode, releaseId: 'st-recent' });
    const breachGd = floorBreached(names, { provinceCode: '440000', itemCode, releaseId: 'st-recent' });
    const all = await subscribe('statistics-subscriber', { filter: { itemCodes: [itemCode] } as never, from: { $case: 'afterCursor', afterCursor: '0' } });
    await producer.publish([old]);
    await expect.poll(() => all.messages.map((m) => m.event!.id), { timeout: 40_000 }).toEqual([old.id]);
    await producer.publish([recent, breachGd, breachBj]);
    // Different keys, different partitions: the feed's order among these three is the order of intake.
    const sorted = (ids: string[]): string[] => [...ids].sort();
    await expect.poll(() => sorted(all.messages.map((m) => m.event!.id)), { timeout: 40_000 }).toEqual(sorted([old.id, recent.id, breachGd.id, breachBj.id]));
    const feedOrder = all.messages.map((m) => m.event!.id);

    const since = await subscribe('statistics-subscriber', {
      filter: { itemCodes: [itemCode] } as never,
      from: { $case: 'sinceTime', sinceTime: new Date(t0 - 60_000) },
    });
    await expect.poll(() => since.messages.map((m) => m.event!.id), { timeout: 40_000 }).toEqual(feedOrder.slice(1));

    const beijing = await subscribe('beijing-officer', { filter: { itemCodes: [itemCode] } as never, from: { $case: 'afterCursor', afterCursor: '0' } });
    await expect.poll(() => beijing.messages.map((m) => m.event!.id), { timeout: 40_000 }).toEqual(feedOrder.filter((id) => id !== breachGd.id));
    const notice = beijing.messages.find((m) => m.event!.id === breachBj.id)!;
    expect(JSON.parse(notice.event!.dataJson)).toMatchObject({ provinceCode: '110000', refileDeadline: { year: 2027, month: 3, day: 31 } });

    const otherProvince = await subscribe('beijing-officer', { filter: { provinceCodes: ['440000'] } as never, from: { $case: 'now', now: true } });
    await expect.poll(() => otherProvince.errors.map((e) => e.code), { timeout: 10_000 }).toEqual([3]); // INVALID_ARGUMENT
    const noRole = await subscribe('nhc-staff', { from: { $case: 'now', now: true } });
    await expect.poll(() => noRole.errors.map((e) => e.code), { timeout: 10_000 }).toEqual([7]); // PERMISSION_DENIED
  });
});

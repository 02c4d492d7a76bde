// Issue #19, "two of everything": every service runs as two OS processes (as `npm start -- --replicas 2` runs them)
// against one Kafka, Temporal and database. A flow of ad-hoc revisions — drafted, submitted, signed by every step,
// published, delivered to a verifying webhook receiver — goes through both gateways. The load is shared: every
// instance answers calls, both instances of each consumer group hold partitions. Nothing is done twice: every
// event is on Kafka once (read raw, duplicates included), every webhook-id is delivered once, every version is
// published once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowClient, publishRevision, type FlowClient, type Publication } from '../support/flow';
import { adminKafka } from '../support/kafka';
import { metricSum, readTopics, startProcessPlatform, type ProcessPlatform } from '../support/processes';
import { unchanged, waitUntil } from '../support/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks';

const REVISIONS = ['HEA-01', 'HEA-02', 'HEA-03', 'HEA-04', 'HEA-05', 'HEA-06', 'HEA-07', 'HEA-08'];

describe('two instances of every service (issue #19)', { timeout: 600_000 }, () => {
  let p: ProcessPlatform;
  let receiver: WebhookReceiver;
  let client: FlowClient;
  let published: Publication[] = [];
  /** The revision versions (item@2, not the seeded baseline's version 1) a version.published event announces. */
  const revisionVersions = (data: any): string[] =>
    ((data?.itemVersions ?? []) as { itemCode: string; version: number }[]).filter((v) => v.version === 2).map((v) => `${v.itemCode}@2`);
  /** Verified deliveries of the revisions' publications, by item version. */
  const revisionDeliveries = () => new Set(receiver.received.filter((r) => r.status === 200).flatMap((r) => revisionVersions(r.event.data)));

  beforeAll(async () => {
    [p, receiver] = await Promise.all([
      startProcessPlatform('replicas', { replicas: 2, services: ['registry', 'proposals', 'approvals', 'notifications', 'audit', 'gateway'] }),
      startWebhookReceiver(),
    ]);
    client = flowClient({ gatewayUrls: p.gatewayUrls, token: p.token });
  }, 300_000);
  afterAll(async () => {
    await p?.stop();
    await receiver?.close();
  });

  it('shares a flow of publications between the instances and does nothing twice', async () => {
    const sub = await client.call('statistics-subscriber', 'POST', '/api/v1/subscriptions', {
      endpointUrl: receiver.url,
      description: '两个实例（测试）',
      filter: { eventTypes: ['bps.standard.version.published'] },
    });
    expect(sub.status, JSON.stringify(sub.json)).toBe(201);
    receiver.secrets.push(sub.json.secret);

    // Four at a time, through both gateways in turn.
    const queue = [...REVISIONS];
    published = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let item = queue.shift(); item; item = queue.shift())
          published.push(await publishRevision(client, { itemCode: item, baseVersion: 1, level: '89' }));
      }),
    );
    expect(published.map((x) => x.itemCode).sort()).toEqual(REVISIONS);

    // Every publication reaches the receiver, verified.
    await waitUntil(() => revisionDeliveries().size === REVISIONS.length, 'every publication delivered', 120_000, 200);
    expect(receiver.received.every((r) => r.verifiedWith.length > 0)).toBe(true);

    // A few calls to the services the flow does not call often: round robin gives each instance its share.
    for (let i = 0; i < 4; i++) {
      expect((await client.call('statistics-subscriber', 'GET', '/api/v1/subscriptions')).status).toBe(200);
      expect((await client.call('auditor', 'POST', '/api/v1/audit/verify', {})).status).toBe(200);
    }
    // The load was shared: every instance served calls.
    for (const service of ['registry', 'proposals', 'approvals', 'notifications', 'audit']) {
      for (const k of [1, 2]) {
        const calls = metricSum(await p.metrics(`${service}-${k}`), 'rpc_server_duration_count');
        expect(calls, `${service}-${k} served gRPC calls`).toBeGreaterThan(0);
      }
    }
    for (const k of [1, 2]) expect(metricSum(await p.metrics(`gateway-${k}`), 'http_server_duration_count'), `gateway-${k}`).toBeGreaterThan(0);

    // Both instances of each consumer group hold partitions.
    const admin = adminKafka('replicas-groups').admin();
    await admin.connect();
    try {
      const ns = p.names.namespace;
      const { groups } = await admin.describeGroups([`registry.${ns}`, `bps-notifications.${ns}`, `bps-audit.${ns}`]);
      for (const group of groups) {
        expect(group.state, group.groupId).toBe('Stable');
        expect(group.members.length, `${group.groupId} members`).toBe(2);
        for (const member of group.members) expect(member.memberAssignment.length, `${group.groupId}: ${member.memberId} holds partitions`).toBeGreaterThan(0);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('put every event on Kafka once, delivered every webhook once and published every version once', async () => {
    // The last deliveries' outcomes are written after the receiver answered: a quiet moment lets stragglers show.
    const deliveredCount = () => receiver.received.filter((r) => r.status === 200).length;
    await waitUntil(unchanged(deliveredCount), 'deliveries to settle', 60_000, 2_000);
    const events = await readTopics(p.names.namespace, ['standards', 'proposals', 'approvals', 'notifications']);
    expect(events.length).toBeGreaterThan(REVISIONS.length * 4);
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
    expect(twice, 'events written more than once').toEqual([]);

    const revisionsPublished = events
      .filter((e) => e.type === 'bps.standard.version.published')
      .flatMap((e) => revisionVersions(JSON.parse(e.data.toString('utf8'))));
    expect(revisionsPublished.sort()).toEqual(REVISIONS.map((item) => `${item}@2`));
    const byWebhookId = new Map<string, number>();
    for (const r of receiver.received.filter((x) => x.status === 200)) byWebhookId.set(r.webhookId, (byWebhookId.get(r.webhookId) ?? 0) + 1);
    expect(
      [...byWebhookId.values()].filter((n) => n > 1),
      'webhook-ids delivered more than once',
    ).toEqual([]);
    expect(revisionDeliveries().size).toBe(REVISIONS.length);

    for (const x of published) {
      const history = await client.call('nhc-staff', 'GET', `/api/v1/standards/items/${x.itemCode}/history`);
      expect(history.json.versions.map((v: any) => v.version)).toEqual([1, 2]);
    }
    const proposals = await client.call('nhc-staff', 'GET', '/api/v1/proposals');
    expect(proposals.json.proposals.length, 'one draft per revision (no retry made a second)').toBe(REVISIONS.length);
  });
});

// Signed decisions (issue #13) against the real stack: the registry applies an approved change set only when the
// approvals service's signature over its canonical bytes verifies; a forgery (unsigned, signed by another key, a
// genuine signature over other content, or one that takes a real event's id first) changes nothing, goes to the
// dead-letter topic and is recorded by audit as a refused forgery — attributed to nobody, in no item / change-set /
// actor log — and never reaches subscribers (notifications feed), while the real event whose id was stolen is still
// applied and fed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ReleaseKind, type ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import type { RunningAudit } from '../../services/audit/app';
import { DECISION_KEYS_PATH, type RunningGateway } from '../../services/gateway/app';
import { verifyChain } from '../../services/audit/domain/verify';
import { toStoredEntry } from '../../services/audit/adapters/mongo/log-store';
import { REFUSED_DECISION_TYPE } from '../../services/audit/domain/refusal';
import { approvalEvents } from '../../services/shared/events/approvals';
import { deadLetterTopic, topicName, topics } from '../../services/shared/events/catalog';
import { publicDecisionJwks } from '../../services/shared/events/decision-signature';
import { checkPublication } from '../../services/shared/events/publication-check';
import { unary } from '../../services/shared/grpc/client';
import { ensureTopics, EventProducer, newEvent, type CloudEvent } from '../../services/shared/kafka/kafka';
import { adminKafka, testKafka } from '../support/kafka';
import { toDateMessage } from '../../services/registry/domain/dates';
import { forge, otherDecisionKeys, signedEvent, stackDecisionKeys } from '../support/decisions';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';
import { startTestRegistry, standardEvents, type TestRegistry } from './registry-helpers';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';

const run = promisify(execFile);
const approver = { subject: 'sco.final.zhou', organisation: 'SCO', roles: ['final-approver'] };
const invented = { subject: 'sco.final.invented', organisation: 'SCO', roles: ['final-approver'] };

describe('signed decisions: forged approved change sets', () => {
  let r: TestRegistry<'audit' | 'notifications' | 'gateway'>;
  let audit: RunningAudit;
  let producer: EventProducer;
  let dlqConsumer: Consumer;
  const dlq: { ceId: string; error: string; group: string }[] = [];
  let notificationsDb: MongoHandle;
  const feed = () => notificationsDb.db.collection<{ _id: string; data: string }>('feed');
  let token: string;
  let gateway: RunningGateway;

  const getItem = async (code: string) =>
    (await unary(r.client.getItem.bind(r.client), { itemCode: code, provinceCode: '', asOf: undefined }, token)).national!;
  const raise = (id: string, base: { item: ServiceItem; version: number }, text: string): ChangeSet => ({
    changeSetId: id,
    kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
    title: `调整 EMP-03 ${id}`,
    effectiveFrom: toDateMessage('2024-01-01'),
    fieldCodes: [base.item.fieldCode],
    changes: [
      {
        changeId: 'c1',
        change: {
          $case: 'modifyItem',
          modifyItem: {
            base: { itemCode: 'EMP-03', version: base.version },
            item: { ...base.item, serviceContent: { stated: true, text } },
            lowersFloor: false,
            loweringJustification: '',
          },
        },
      },
    ],
    provenance: {
      proposalIds: [`P-${id}`],
      proposalRevisions: [1],
      workflowId: `wf-${id}`,
      workflowRunId: 'run-1',
      cycleId: '',
      approvalRouteVersion: 'v1',
      approvedBy: approver,
      approvedAt: new Date('2023-12-01T00:00:00Z'),
    },
  });
  const approvedEvent = (changeSet: ChangeSet, actor = approver, id?: string) =>
    newEvent(
      approvalEvents.changeSetApproved,
      { changeSet, actor },
      {
        source: '/bps/approvals',
        key: `P-${changeSet.changeSetId}`,
        topicNamespace: r.namespace,
        id: id ?? `wf-${changeSet.changeSetId}/r1/changeset-approved`,
        time: new Date('2023-12-01T00:00:00Z'),
      },
    );
  const base = async () => {
    const v = await getItem('EMP-03');
    return { item: v.item!, version: v.version };
  };
  const globalEntries = async () => (await audit.store.entriesOf('global')).map(toStoredEntry);
  const refusalsOf = async (ceId: string) =>
    (await globalEntries())
      .filter((e) => e.event.type === REFUSED_DECISION_TYPE)
      .map((e) => JSON.parse(e.event.data) as Record<string, string>)
      .filter((d) => d.refusedEventId === ceId);
  /** Waits until both the registry (DLQ) and audit (refusal entry) have handled the forgery. */
  const refused = async (event: CloudEvent, reason: string) => {
    // Dead-lettered by both consumers of decisions that act on them: the registry and notifications.
    await expect.poll(() => dlq.filter((d) => d.ceId === event.id).length, { timeout: 30_000 }).toBe(2);
    for (const d of dlq.filter((x) => x.ceId === event.id)) expect(d.error).toContain(`decision signature refused (${reason})`);
    await expect.poll(async () => (await refusalsOf(event.id)).map((d) => d.refusalCode), { timeout: 30_000 }).toContain(reason);
  };
  const unchanged = async (version: number, changeSetIds: readonly string[]) => {
    expect((await getItem('EMP-03')).version).toBe(version);
    for (const id of changeSetIds) {
      expect(await r.running.store.releases.findOne({ changeSetId: id })).toBeNull();
      expect(r.eventsOf(standardEvents.versionPublished).filter((p) => p.changeSetId === id)).toEqual([]);
      expect(await audit.store.entriesOf(`change-set:${id}`)).toEqual([]);
      expect(await audit.store.entriesOf(`proposal:P-${id}`)).toEqual([]);
    }
    expect(await audit.store.entriesOf(`actor:${invented.subject}`)).toEqual([]);
  };
  beforeAll(async () => {
    // The gateway only publishes the keys here.
    r = await startTestRegistry('dec-forge', {}, { with: ['audit', 'notifications', 'gateway'] });
    token = await r.token('nhc-staff');
    ({ audit, gateway } = r.platform);
    notificationsDb = await connectMongo(stack().mongoUri, r.platform.names.db('notifications'));
    // The forger holds the approvals service's Kafka credentials (the broker lets only approvals write the topic),
    // but not its decision-signing key.
    producer = new EventProducer(testKafka('approvals', 'dec-forger'));
    // Each consumer dead-letters into its own topic; the test reads both as the broker's admin.
    const admin = adminKafka('dec-dlq-reader');
    const dlqTopics = (['registry', 'notifications'] as const).map((p) => deadLetterTopic(p, topicName(topics.approvals, r.namespace)));
    await ensureTopics(admin, dlqTopics);
    dlqConsumer = admin.consumer({ groupId: uniqueName('dec-dlq') });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topics: dlqTopics, fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        dlq.push({
          ceId: message.headers?.['ce_id']?.toString() ?? '',
          error: message.headers?.['x-bps-error']?.toString() ?? '',
          group: message.headers?.['x-bps-consumer-group']?.toString() ?? '',
        });
      },
    });
  });

  afterAll(async () => {
    await notificationsDb?.close();
    await dlqConsumer?.disconnect();
    await producer?.disconnect();
    await r?.stop();
  });

  it('refuses an unsigned event, one signed by another key, and a genuine signature over other content', async () => {
    const before = await base();
    const genuine = await signedEvent(approvedEvent(raise(uniqueName('cs-genuine'), before, '真实内容')));
    const unsigned = await forge(approvedEvent(raise(uniqueName('cs-unsigned'), before, '伪造：提高标准'), invented), { kind: 'unsigned' });
    const otherKey = await forge(approvedEvent(raise(uniqueName('cs-otherkey'), before, '伪造：提高标准'), invented), { kind: 'other-key' });
    const copied = await forge(approvedEvent(raise(uniqueName('cs-copied'), before, '伪造：提高标准'), invented), { kind: 'copied-signature', from: genuine });
    await producer.publish([unsigned, otherKey, copied]);
    await refused(unsigned, 'unsigned');
    await refused(otherKey, 'unknown_key');
    await refused(copied, 'bad_signature');
    const ids = [unsigned, otherKey, copied].map((e) => JSON.parse(e.data.toString()).changeSet.changeSetId as string);
    await unchanged(before.version, ids);
    for (const e of [unsigned, otherKey, copied]) expect(await feed().findOne({ _id: e.id })).toBeNull();
    // The refusals are attributed to nobody and are themselves hash-chained.
    const refusals = (await globalEntries()).filter((e) => e.event.type === REFUSED_DECISION_TYPE);
    expect(refusals.every((e) => e.index?.actorSubject === null && e.index.aggregates.length === 0)).toBe(true);
    expect(verifyChain('global', await globalEntries(), { checkIndex: true }).mismatch).toBeUndefined();
  });

  it('a forgery that takes a real event id first does not shadow the real event, which is applied and published with its signed decision', async () => {
    const before = await base();
    const id = uniqueName('cs-real');
    const realEvent = await signedEvent(approvedEvent(raise(id, before, '真实调整')));
    const thief = await forge(approvedEvent(raise(id, before, '伪造：大幅提高'), invented, realEvent.id), { kind: 'unsigned' });
    expect(thief.id).toBe(realEvent.id);
    await producer.publish([thief]);
    await refused(thief, 'unsigned');
    expect((await getItem('EMP-03')).version).toBe(before.version);

    await producer.publish([realEvent]);
    await expect.poll(async () => (await getItem('EMP-03')).version, { timeout: 30_000 }).toBe(before.version + 1);
    expect((await getItem('EMP-03')).item?.serviceContent?.text).toBe('真实调整');
    await expect.poll(() => r.eventsOf(standardEvents.versionPublished).filter((p) => p.changeSetId === id).length, { timeout: 30_000 }).toBe(1);

    // Audit: the real event as fact (global, change-set and the real approver's logs), the forgery only as refused.
    // The decision and the registry's publication. They come from two topics, so the log holds them in the order audit
    // read them, which is not always the order they happened in (flaked once in CI): compare them as a set.
    await expect
      .poll(async () => (await audit.store.entriesOf(`change-set:${id}`)).map((e) => e.event.type).sort(), { timeout: 30_000 })
      .toEqual([approvalEvents.changeSetApproved.type, standardEvents.versionPublished.type].sort());
    expect((await audit.store.entriesOf(`change-set:${id}`)).find((e) => e.event.type === approvalEvents.changeSetApproved.type)!.eventId).toBe(realEvent.id);
    const facts = (await globalEntries()).filter((e) => e.eventId === realEvent.id);
    expect(facts).toHaveLength(1);
    expect(facts[0]!.event.extensions?.['bpsdecisionsig']).toBe(realEvent.extensions['bpsdecisionsig']);
    expect(await audit.store.entriesOf(`actor:${invented.subject}`)).toEqual([]);
    expect(await refusalsOf(realEvent.id)).toHaveLength(1);
    // Subscribers are told the real decision under its id, not the forgery that claimed the id first.
    await expect.poll(async () => (await feed().findOne({ _id: realEvent.id }))?.data, { timeout: 30_000 }).toBe(realEvent.data.toString('utf8'));

    // Offline: the publication carries the signed decision; a subscriber checks it with the published keys only.
    const publication = r.events.find((e) => e.type === standardEvents.versionPublished.type && JSON.parse(e.data.toString()).changeSetId === id)!;
    const data = JSON.parse(publication.data.toString()) as Record<string, unknown>;
    const keys = stackDecisionKeys();
    const published = await fetch(`${gateway.url}${DECISION_KEYS_PATH}`);
    expect(published.headers.get('content-type')).toContain('application/jwk-set+json');
    const jwks = await published.text();
    expect(JSON.parse(jwks)).toEqual(publicDecisionJwks(keys.publicJwk as never, keys.keyId));
    expect(jwks).not.toContain('"d"');
    expect((await checkPublication(data, jwks)).problems).toEqual([]);
    expect(await checkPublication(data, jwks)).toMatchObject({ ok: true, keyId: keys.keyId, eventId: realEvent.id, changeSetId: id });
    const dir = mkdtempSync(join(tmpdir(), 'bps-dec-'));
    writeFileSync(join(dir, 'keys.json'), jwks);
    writeFileSync(
      join(dir, 'publication.json'),
      JSON.stringify({ specversion: '1.0', id: publication.id, type: publication.type, source: publication.source, time: publication.time, data }),
    );
    const ok = await run('npx', ['tsx', 'services/cli/decisions-verify.ts', join(dir, 'publication.json'), '--keys', join(dir, 'keys.json')]);
    expect(ok.stdout).toContain(`OK: change set ${id}`);
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify({ ...data, changeSetId: 'cs-invented' }));
    const bad = await run('npx', ['tsx', 'services/cli/decisions-verify.ts', join(dir, 'tampered.json'), '--keys', `${gateway.url}${DECISION_KEYS_PATH}`]).then(
      () => 0,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({ code: 1 });
    // A publication whose items were altered after signing, or checked against another key set, fails.
    const tampered = { ...data, itemVersions: [...(data['itemVersions'] as unknown[]), { itemCode: 'EMP-01', version: 9 }] };
    expect((await checkPublication(tampered, jwks)).problems).toEqual(['item EMP-01 is published but no signed change names it']);
    const other = otherDecisionKeys();
    expect(await checkPublication(data, publicDecisionJwks(other.publicJwk as never, other.keyId))).toMatchObject({ ok: false });
  });
});

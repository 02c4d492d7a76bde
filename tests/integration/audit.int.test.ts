// The audit service against real Kafka + MongoDB protocol: a full ad-hoc revision traced end to end with actors,
// duplicates logged once, crash repair on redelivery, signed checkpoints published on Kafka, tamper detection
// (altered / deleted / reordered entries), wrong-key checkpoints, access control, and an export verified offline.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient } from '../../proto/gen/bps/audit/v1/audit';
import { type CheckpointSigned } from '../../proto/gen/bps/audit/v1/events';
import { type RunningAudit } from '../../services/audit/app';
import { recordEvent } from '../../services/audit/domain/entry';
import { recordPlatformEvent } from '../../services/audit/application/record-event';
import { generatePrivateKey, loadSigningKey, signCheckpoint } from '../../services/audit/domain/signing';
import { auditEvents } from '../../services/shared/events/audit';
import { decodeData, topicName, topics } from '../../services/shared/events/catalog';
import { fromKafkaMessage } from '../../services/shared/kafka/cloudevents';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { initTelemetry, inSpan } from '../../services/shared/telemetry/otel';
import { uniqueName } from '../support/names';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { tokenFor } from '../support/identity';
import { adminKafka, type OwnersProducer } from '../support/kafka';
import { actors, adHocRevision, CS1, Emitter, P1, R1, step, stepEvents, type Published } from './audit-scenario';
import { StepClaimed } from '../../proto/gen/bps/approvals/v1/events';
import { refused } from '../support/grpc';

initTelemetry({ serviceName: 'audit-test', exporter: new InMemorySpanExporter() });
const run = promisify(execFile);

describe('audit service', () => {
  const kafka = adminKafka('test-audit'); // reads bps.audit.v1, which no service consumes
  let p: StartedPlatform<'audit'>;
  let namespace: string;
  let producer: OwnersProducer; // each event as its topic's owner
  let app: RunningAudit;
  let client: AuditClient;
  let auditor: string;
  let emit: Emitter;
  let revision: Published[] = [];
  let scenarioTraceId = '';

  beforeAll(async () => {
    p = await startPlatform('audit', { services: ['audit'], overrides: { audit: { checkpointIntervalMs: 1_000 } } });
    ({ audit: app, namespace, publisher: producer } = p);
    client = new AuditClient(`127.0.0.1:${app.grpcPort}`, grpc.credentials.createInsecure());
    auditor = await tokenFor('auditor');
    emit = new Emitter(producer, app, namespace);
    await inSpan('submit adjustment proposal', {}, async (span) => {
      scenarioTraceId = span.spanContext().traceId;
      revision = await adHocRevision(emit);
    });
  });

  afterAll(async () => {
    client?.close();
    await p?.stop();
  });

  it('traces an item version to its release, proposal revisions, evidence, fiscal estimates, every approval event and the deliveries, in order, with actors', async () => {
    // Noise that must stay out of the trace: another proposal's events.
    await emit.send(emit.proposal('bps.proposal.drafted', 'P-2026-EDU-0009', { revision: 1, title: '学前教育资助', actor: actors.nhcStaff }));

    const response = await unary(client.traceItemVersion.bind(client), { itemCode: 'HEA-01', version: 2 }, auditor);
    expect(response).toMatchObject({ releaseId: R1, changeSetId: CS1, proposalIds: [P1], workflowId: P1 });
    const steps = response.trace!.steps;
    expect(steps.map((s) => s.eventId)).toEqual(revision.map((e) => e.id));
    expect(steps.map((s) => s.eventType)).toEqual([
      'bps.proposal.created',
      'bps.proposal.submitted',
      'bps.proposal.review.started',
      'bps.approval.step.signed',
      'bps.approval.signoff.refused',
      'bps.approval.objection.raised',
      'bps.approval.proposal.decided',
      'bps.proposal.returned',
      'bps.proposal.revised',
      'bps.proposal.resubmitted',
      'bps.approval.step.escalated',
      'bps.approval.step.delegated',
      'bps.approval.step.signed',
      'bps.approval.step.signed',
      'bps.approval.step.signed',
      'bps.approval.proposal.decided',
      'bps.proposal.approved',
      'bps.approval.changeset.approved',
      'bps.standard.version.published',
      'bps.notification.delivered',
      'bps.notification.delivered',
    ]);
    const sequences = steps.map((s) => Number(s.globalSequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    const of = (type: string, n = 0) => steps.filter((s) => s.eventType === type)[n]!;
    const data = (type: string, n = 0) => JSON.parse(of(type, n).dataJson);
    // who / when / what / why, for every kind of step
    expect(of('bps.proposal.created')).toMatchObject({ actor: actors.nhcStaff, time: new Date(revision[0]!.time) });
    expect(data('bps.proposal.created').revision.content.evidence[0].title).toBe('基本公共卫生服务需求调查报告');
    expect(data('bps.proposal.submitted').fiscalEstimate.total.fen).toBe('700000000000');
    expect(data('bps.proposal.resubmitted').fiscalEstimate.total.fen).toBe('720000000000');
    expect(of('bps.proposal.revised').what).toContain('revision=2');
    expect(of('bps.approval.signoff.refused')).toMatchObject({ actor: actors.nhcStaff, why: 'SELF_APPROVAL: the proposer may not sign their own proposal' });
    expect(of('bps.approval.objection.raised')).toMatchObject({ actor: actors.mofApprover, why: '财政测算依据不足，请补充分地区测算' });
    expect(of('bps.approval.proposal.decided').what).toContain('decision=DECISION_RETURNED_FOR_REVISION');
    expect(of('bps.proposal.returned')).toMatchObject({ actor: actors.mofApprover, why: '退回修改：补充分地区财政测算' });
    expect(of('bps.approval.step.escalated')).toMatchObject({ actor: actors.system });
    expect(of('bps.approval.step.delegated')).toMatchObject({ actor: actors.ndrcApprover });
    expect(of('bps.approval.step.delegated').what).toContain(`delegate=${actors.ndrcDeputy.subject}`);
    expect(of('bps.approval.step.signed', 1)).toMatchObject({ actor: actors.ndrcDeputy });
    expect(of('bps.approval.step.signed', 1).what).toContain('asDelegate=true');
    expect(of('bps.approval.step.signed', 3)).toMatchObject({ actor: actors.finalApprover });
    expect(of('bps.approval.proposal.decided', 1).what).toContain('decision=DECISION_APPROVED');
    expect(of('bps.notification.delivered').actor).toBeUndefined();
    expect(steps.filter((s) => s.eventType === 'bps.notification.delivered').map((s) => JSON.parse(s.dataJson).subscriberOrganisation)).toEqual([
      'NBS',
      '110000',
    ]);
    // Every entry carries the OpenTelemetry trace id of the (single) trace the events were produced in.
    expect(new Set(steps.map((s) => s.traceId))).toEqual(new Set([scenarioTraceId]));
  });

  it('logs a redelivered event once, and repairs a crash between the global append and the aggregate appends', async () => {
    const duplicate = revision[4]!;
    await producer.publish([duplicate]); // same ce_id again
    // Same topic and key, so the same partition: once this is recorded, the duplicate has been handled.
    await emit.send(
      emit.typed(stepEvents.claimed, StepClaimed.fromPartial({ step: step('final', 'SCO', 2, 'final'), released: true, actor: actors.finalApprover }), P1),
    );
    expect(await app.store.entries.countDocuments({ eventId: duplicate.id, log: 'global' })).toBe(1);
    expect(await app.store.entries.countDocuments({ eventId: duplicate.id, log: `proposal:${P1}` })).toBe(1);

    // The process "died" after the global append: only the global log has the event, nothing was marked processed.
    const crashed = emit.proposal('bps.proposal.drafted', 'P-2026-EDU-0010', { revision: 1, actor: actors.nhcStaff });
    await app.store.append('global', topics.proposals, recordEvent(crashed));
    await producer.publish([crashed]); // redelivery
    await expect.poll(() => app.store.entries.countDocuments({ eventId: crashed.id, log: 'proposal:P-2026-EDU-0010' }), { timeout: 30_000 }).toBe(1);
    expect(await app.store.entries.countDocuments({ eventId: crashed.id, log: 'global' })).toBe(1);
  });

  it('records an event whose data is not JSON without harming the log', async () => {
    const odd = { ...emit.proposal('bps.proposal.note', 'P-2026-EDU-0010', {}), data: Buffer.from([0xff, 0x00, 0x7b]) };
    await emit.send(odd);
    const verify = await unary(client.verify.bind(client), { log: 'global', checkpoints: [], full: true }, auditor);
    expect(verify.firstMismatch).toBeUndefined();
  });

  it('traces an actor over a period', async () => {
    const response = await unary(
      client.traceActor.bind(client),
      { subject: actors.mofApprover.subject, from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') },
      auditor,
    );
    expect(response.trace!.steps.map((s) => s.eventType)).toEqual([
      'bps.approval.objection.raised',
      'bps.approval.proposal.decided',
      'bps.proposal.returned',
      'bps.approval.step.signed',
    ]);
    const none = await unary(
      client.traceActor.bind(client),
      { subject: actors.mofApprover.subject, from: new Date('2026-04-01T00:00:00Z'), to: undefined },
      auditor,
    );
    expect(none.trace!.steps).toEqual([]);
  });

  it('traces every entry of a log whose head document lags behind its entries (a crash between the two writes)', async () => {
    const proposalId = 'P-2026-EDU-0042';
    const drafted = [1, 2, 3].map((revision) => emit.proposal('bps.proposal.drafted', proposalId, { revision, actor: actors.nhcStaff }));
    for (const event of drafted) await recordPlatformEvent(app.store, topics.proposals, event);
    // As if the process died after storing entries 2 and 3 of the proposal's log but before moving its head.
    await app.store.logs.updateOne({ _id: `proposal:${proposalId}` }, { $set: { size: 1 } });
    const answered = await unary(client.traceProposal.bind(client), { proposalId }, auditor);
    expect(answered.trace!.steps.map((s) => s.eventId)).toEqual(drafted.map((e) => e.id));
  });

  it('refuses callers without the auditor or operator role, and answers an operator', async () => {
    const staff = await tokenFor('nhc-staff');
    const denied = await refused(unary(client.traceItemVersion.bind(client), { itemCode: 'HEA-01', version: 2 }, staff));
    expect((denied as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    const verifyRefused = await refused(unary(client.verify.bind(client), { log: 'global', checkpoints: [], full: false }, await tokenFor('final-approver')));
    expect((verifyRefused as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    const operator = await tokenFor('operator');
    const answered = await unary(client.traceProposal.bind(client), { proposalId: P1 }, operator);
    expect(answered.trace!.steps.length).toBeGreaterThanOrEqual(revision.length - 3);
    const bad = await refused(unary(client.traceItemVersion.bind(client), { itemCode: '', version: 0 }, operator));
    expect(decodeStatus(bad as grpc.ServiceError).fieldViolations.map((v) => v.field)).toEqual(['item_code', 'version']);
    const missing = await refused(unary(client.traceItemVersion.bind(client), { itemCode: 'HEA-01', version: 9 }, operator));
    expect((missing as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
  });

  it('publishes signed checkpoints on bps.audit.v1; verify accepts them and rejects one signed with another key', async () => {
    const globalSize = await app.store.entries.countDocuments({ log: 'global' });
    const received: CheckpointSigned[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('audit-cp') });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(topics.audit, namespace), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(decodeData(auditEvents.checkpointSigned, fromKafkaMessage(message).data));
      },
    });
    // At least what was there: the log may have grown since (e.g. the coalesced count of earlier refusals, recorded
    // when their minute ends).
    const reached = (r: CheckpointSigned) => r.checkpoint?.log === 'global' && Number(r.checkpoint.size) >= globalSize;
    await expect.poll(() => received.some(reached), { timeout: 30_000 }).toBe(true);
    await consumer.disconnect();

    const published = received.find(reached)!;
    expect(published.key).toMatchObject({ keyId: app.signingKey.keyId, algorithm: 'ed25519', publicKey: app.signingKey.publicKey });
    const other = loadSigningKey('ed25519', generatePrivateKey('ed25519'));
    const forged = signCheckpoint(other, {
      log: 'global',
      size: Number(published.checkpoint!.size),
      headHash: published.checkpoint!.headHash,
      hashAlgorithm: 'sha256',
      time: new Date().toISOString(),
    });
    const posing = { ...forged, keyId: app.signingKey.keyId, size: String(forged.size), time: new Date(forged.time) };
    const unknown = { ...forged, size: String(forged.size), time: new Date(forged.time) };
    const result = await unary(client.verify.bind(client), { log: 'global', checkpoints: [published.checkpoint!, posing, unknown], full: true }, auditor);
    expect(result.firstMismatch).toBeUndefined();
    const given = result.checkpoints.slice(-3);
    expect(given.map((c) => [c.ok, c.problem])).toEqual([
      [true, ''],
      [false, 'BAD_SIGNATURE'],
      [false, 'UNKNOWN_KEY'],
    ]);
    expect(result.ok).toBe(false);
    expect(result.checkpoints.slice(0, -3).every((c) => c.ok)).toBe(true); // the stored ones
  });

  it('exports a trace that the offline verifier accepts, and rejects after a one-byte change', async () => {
    const exported = await unary(
      client.exportTrace.bind(client),
      { target: { $case: 'itemVersion', itemVersion: { itemCode: 'HEA-01', version: 2 } } },
      auditor,
    );
    const dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
    const file = join(dir, 'trace.json');
    writeFileSync(file, exported.document);
    const cli = (path: string) =>
      run(process.execPath, ['--import', 'tsx', 'services/audit/verify-cli.ts', path], { cwd: process.cwd() }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }),
      );
    const ok = await cli(file);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toMatch(/^OK: 22 steps/); // the revision + the claim released in the duplicate test

    // One byte inside a recorded event (in the logs part of the export): "HEA-01" -> "HEA-02".
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('HEA-01', text.indexOf('"logs"'));
    expect(at).toBeGreaterThan(0);
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, `${text.slice(0, at + 5)}2${text.slice(at + 6)}`);
    const failed = await cli(tampered);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/HASH at entry|does not match/);
  });

  it('re-hashes only what was appended since the last verified checkpoint, and still finds a change there', async () => {
    // Other writers (the interval checkpointer, late records) may append at any time: assertions relate the
    // numbers each answer gives rather than sizes read beforehand.
    const verify = (full: boolean) => unary(client.verify.bind(client), { log: 'global', checkpoints: [], full }, auditor);
    const anchors = app.db.collection<{ _id: string; checkpoint: { size: number; headHash: string } }>('verification_anchors');
    const anchored = async () => (await anchors.findOne({ _id: 'global' }))!.checkpoint;
    const checkpoint = await app.checkpoints.checkpointHead('global');
    const first = await verify(true);
    expect(first).toMatchObject({ ok: true, full: true, verifiedFrom: '0', entriesChecked: first.size });
    const anchor = await anchored(); // the newest checkpoint the full verification vouched for
    expect(anchor.size).toBeGreaterThanOrEqual(checkpoint.size);

    // Two more events: a routine verification starts at that anchor and re-hashes only what came after it.
    for (const n of [1, 2]) await emit.send(emit.proposal('bps.proposal.note', 'P-2026-EDU-0077', { n }));
    const after = await app.store.entries.findOne({ _id: `global#${anchor.size + 1}` });
    expect(after).not.toBeNull();
    await app.store.entries.updateOne({ _id: after!._id }, { $set: { 'event.time': '2000-01-01T00:00:00.000Z' } });
    const tampered = await verify(false);
    expect(tampered).toMatchObject({
      ok: false,
      full: false,
      verifiedFrom: String(anchor.size),
      anchor: { log: 'global', size: String(anchor.size), headHash: anchor.headHash },
    });
    expect(Number(tampered.entriesChecked)).toBe(Number(tampered.size) - anchor.size);
    expect(tampered.firstMismatch).toMatchObject({ sequence: String(anchor.size + 1), reason: 'HASH' });
    await app.store.entries.replaceOne({ _id: after!._id }, after!);
    const routine = await verify(false);
    expect(routine).toMatchObject({ ok: true, full: false, verifiedFrom: String(anchor.size) });
    expect(Number(routine.entriesChecked)).toBe(Number(routine.size) - anchor.size);
    expect(Number(routine.entriesChecked)).toBeGreaterThanOrEqual(2);

    // An anchor whose head entry no longer holds the signed hash is not used: the verification is full again.
    const current = await anchored();
    const head = await app.store.entries.findOne({ _id: `global#${current.size}` });
    await app.store.entries.updateOne({ _id: head!._id }, { $set: { hash: '00'.repeat(32) } });
    const distrusted = await verify(false);
    expect(distrusted).toMatchObject({ ok: false, full: true, verifiedFrom: '0' });
    expect(distrusted.firstMismatch).toMatchObject({ sequence: String(current.size), reason: 'HASH' });
    await app.store.entries.replaceOne({ _id: head!._id }, head!);
    expect((await verify(true)).ok).toBe(true);
  });

  it('detects an altered, a deleted and a reordered stored entry, each at the first entry concerned', async () => {
    // Wait for checkpoints of the logs about to be tampered with.
    await expect.poll(async () => (await app.checkpoints.forLog(`workflow:${P1}`)).length, { timeout: 30_000 }).toBeGreaterThan(0);
    // Full verifications: a change before a verification anchor is only found by re-hashing from the first entry.
    const verify = (log: string) => unary(client.verify.bind(client), { log, checkpoints: [], full: true }, auditor);
    for (const log of [`proposal:${P1}`, `workflow:${P1}`, `release:${R1}`]) expect((await verify(log)).ok).toBe(true);

    // Altered: an approver's comment rewritten in place (entry 4 of the proposal's log: the first sign-off).
    const altered = await app.store.entries.findOne({ log: `proposal:${P1}`, sequence: 4 });
    await app.store.entries.updateOne({ _id: altered!._id }, { $set: { 'event.data': altered!.event.data.replace('同意', '反对') } });
    expect(altered!.event.type).toBe('bps.approval.step.signed');
    expect((await verify(`proposal:${P1}`)).firstMismatch).toMatchObject({ sequence: '4', reason: 'HASH' });

    // Deleted: an objection removed; the stored checkpoint now points past the intact log.
    const size = await app.store.entries.countDocuments({ log: `workflow:${P1}` });
    await app.store.entries.deleteOne({ log: `workflow:${P1}`, sequence: 3 });
    const deleted = await verify(`workflow:${P1}`);
    expect(deleted.firstMismatch).toMatchObject({ sequence: '3', reason: 'MISSING' });
    expect(deleted.checkpoints.some((c) => Number(c.checkpoint!.size) === size && c.problem === 'NOT_REACHED')).toBe(true);

    // Reordered: two deliveries swap places.
    const e2 = await app.store.entries.findOne({ log: `release:${R1}`, sequence: 2 });
    const e3 = await app.store.entries.findOne({ log: `release:${R1}`, sequence: 3 });
    await app.store.entries.updateOne({ _id: e2!._id }, { $set: { sequence: -2 } });
    await app.store.entries.updateOne({ _id: e3!._id }, { $set: { sequence: 2 } });
    await app.store.entries.updateOne({ _id: e2!._id }, { $set: { sequence: 3 } });
    const reordered = await verify(`release:${R1}`);
    expect(reordered.firstMismatch).toMatchObject({ sequence: '2', reason: 'PREV_HASH' });
    expect(reordered.ok).toBe(false);
  });
});

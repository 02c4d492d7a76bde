// The audit service in national-algorithm mode (SM3 hash chain, SM2-signed checkpoints) on real infrastructure,
// a unified revision cycle traced from its log, and the development signing key kept across restarts.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeSetApproved, CyclePhaseChanged, Decision, ProposalDecided } from '../../proto/gen/bps/approvals/v1/events';
import { ProposalSubmitted } from '../../proto/gen/bps/proposals/v1/events';
import { ProposalKind } from '../../proto/gen/bps/proposals/v1/proposal';
import { proposalEvents } from '../../services/shared/events/proposals';
import { AuditClient } from '../../proto/gen/bps/audit/v1/audit';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { ChangeType, VersionPublished } from '../../proto/gen/bps/standards/v1/events';
import { KeyRing } from '../../services/audit/adapters/mongo/keys';
import { type RunningAudit } from '../../services/audit/app';
import { canonicalEntry } from '../../services/audit/domain/entry';
import { verifyExport } from '../../services/audit/domain/export';
import { digestHex } from '../../services/audit/domain/hashing';
import { generatePrivateKey } from '../../services/audit/domain/signing';
import { personas } from '../../services/shared/auth/personas';
import { approvalEvents } from '../../services/shared/events/approvals';
import { standardEvents } from '../../services/shared/events/standards';
import { unary } from '../../services/shared/grpc/client';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { initTelemetry } from '../../services/shared/telemetry/otel';
import { stack, testLogger } from '../support/stack';
import { uniqueName } from '../support/names';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { tokenFor } from '../support/identity';
import { actors, Emitter, type Published } from './audit-scenario';

initTelemetry({ serviceName: 'audit-test', exporter: new InMemorySpanExporter() });

const C = 'C-2026-UNIFIED';
const moeStaff = { subject: personas['moe-staff'].subject as string, organisation: 'MOE', roles: ['ministry-staff'] };

describe('audit service with SM3 + SM2', () => {
  let p: StartedPlatform<'audit'>;
  let app: RunningAudit;
  let client: AuditClient;
  let auditor: string;
  let cycle: Published[] = [];

  beforeAll(async () => {
    p = await startPlatform('audit-sm', {
      services: ['audit'],
      overrides: {
        audit: {
          environment: 'production',
          hashAlgorithm: 'sm3',
          signatureAlgorithm: 'sm2',
          signingKey: generatePrivateKey('sm2'),
          checkpointIntervalMs: 1_000,
        },
      },
    });
    app = p.audit;
    const { namespace, publisher: producer } = p; // each event as its topic's owner
    client = new AuditClient(`127.0.0.1:${app.grpcPort}`, grpc.credentials.createInsecure());
    auditor = await tokenFor('auditor');
    const emit = new Emitter(producer, app, namespace);
    const send = async (e: Published) => {
      cycle.push(await emit.send(e));
    };
    const provenance = {
      proposalIds: ['P-EDU-7', 'P-HEA-8'],
      proposalRevisions: [1, 1],
      workflowId: `cycle-${C}`,
      cycleId: C,
      approvedBy: actors.finalApprover,
    };
    type ActorRef = { subject: string; organisation: string; roles: string[] };
    const phase = (name: string, note: string, actor: ActorRef) =>
      emit.typed(
        approvalEvents.cyclePhaseChanged,
        CyclePhaseChanged.fromPartial({ cycleId: C, workflowId: `cycle-${C}`, phase: name, note, actor }),
        C,
        `cycles/${C}`,
      );
    const submitted = (proposalId: string, title: string, actor: ActorRef) =>
      emit.typed(
        proposalEvents.submitted,
        ProposalSubmitted.fromPartial({
          proposalId,
          workflowId: `cycle-${C}`,
          round: 1,
          actor,
          revision: { revision: 1, content: { title, kind: ProposalKind.PROPOSAL_KIND_UNIFIED, cycleId: C } },
        }),
        proposalId,
        `proposals/${proposalId}`,
      );
    cycle = [];
    await send(phase('proposals', '全面评价评估完成，开放各领域调整方案窗口', actors.finalApprover));
    await send(submitted('P-EDU-7', '提高学前教育资助标准', moeStaff));
    await send(submitted('P-HEA-8', '提高基本公共卫生服务经费', actors.nhcStaff));
    await send(phase('consolidation', '两项无冲突，合计财政测算在承受范围内', actors.mofApprover));
    for (const proposalId of provenance.proposalIds) {
      await send(
        emit.typed(
          approvalEvents.proposalDecided,
          ProposalDecided.fromPartial({
            proposalId,
            proposalRevision: 1,
            workflowId: `cycle-${C}`,
            round: 1,
            decision: Decision.DECISION_APPROVED,
            actor: actors.finalApprover,
          }),
          proposalId,
        ),
      );
    }
    await send(
      emit.typed(
        approvalEvents.changeSetApproved,
        ChangeSetApproved.fromPartial({
          changeSet: { changeSetId: 'CS-2026-ED', kind: ReleaseKind.RELEASE_KIND_EDITION, provenance },
          actor: actors.finalApprover,
        }),
        'CS-2026-ED',
      ),
    );
    await send(
      emit.typed(
        standardEvents.versionPublished,
        VersionPublished.fromPartial({
          releaseId: 'R-2026-EDITION',
          kind: ReleaseKind.RELEASE_KIND_EDITION,
          title: '国家基本公共服务标准（2026年版）',
          changeSetId: 'CS-2026-ED',
          provenance,
          itemVersions: [
            { itemCode: 'EDU-03', version: 2, changeType: ChangeType.CHANGE_TYPE_MODIFIED },
            { itemCode: 'HEA-01', version: 3, changeType: ChangeType.CHANGE_TYPE_MODIFIED },
          ],
        }),
        'R-2026-EDITION',
      ),
    );
    // Not part of the cycle.
    await emit.send(emit.proposal('bps.proposal.drafted', 'P-ADHOC-99', { revision: 1, actor: actors.nhcStaff }));
  });

  afterAll(async () => {
    client?.close();
    await p?.stop();
  });

  it('chains entries with SM3: every stored hash is SM3 of the canonical entry', async () => {
    const entries = await app.store.entries.find({ log: 'global' }).sort({ sequence: 1 }).toArray();
    expect(entries.length).toBe(cycle.length + 1);
    for (const e of entries) {
      expect(e.hashAlgorithm).toBe('sm3');
      expect(e.hash).toBe(digestHex('sm3', canonicalEntry(e)));
    }
    const verify = await unary(client.verify.bind(client), { log: 'global', checkpoints: [], full: true }, auditor);
    expect(verify).toMatchObject({ ok: true, size: String(entries.length), headHash: entries[entries.length - 1]!.hash });
  });

  it('signs checkpoints with SM2, which verify checks', async () => {
    await expect.poll(async () => (await app.checkpoints.forLog(`cycle:${C}`)).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const verify = await unary(client.verify.bind(client), { log: `cycle:${C}`, checkpoints: [], full: false }, auditor);
    expect(verify.ok).toBe(true);
    expect(verify.checkpoints.length).toBeGreaterThan(0);
    for (const c of verify.checkpoints)
      expect(c).toMatchObject({ ok: true, checkpoint: { signatureAlgorithm: 'sm2', hashAlgorithm: 'sm3', keyId: app.signingKey.keyId } });
    expect(app.signingKey.publicKey).toMatch(/^04[0-9a-f]{128}$/);
  });

  it("traces a revision cycle: every field's proposals, outcomes, consolidation and the release; and exports it verifiably", async () => {
    const response = await unary(client.traceCycle.bind(client), { cycleId: C }, auditor);
    const steps = response.trace!.steps;
    expect(steps.map((s) => s.eventId)).toEqual(cycle.map((e) => e.id));
    const consolidation = steps.find((s) => s.eventType === 'bps.approval.cycle.phase.changed' && s.what.includes('phase=consolidation'));
    expect(consolidation).toMatchObject({ actor: actors.mofApprover, why: '两项无冲突，合计财政测算在承受范围内' });
    expect(steps.filter((s) => s.eventType === 'bps.proposal.submitted').map((s) => s.actor?.organisation)).toEqual(['MOE', 'NHC']);

    const exported = await unary(client.exportTrace.bind(client), { target: { $case: 'cycle', cycle: { cycleId: C } } }, auditor);
    const document = JSON.parse(exported.document) as { logs: { entries: { event: { data: string } }[] }[]; publicKeys: { algorithm: string }[] };
    expect(document.publicKeys.map((k) => k.algorithm)).toEqual(['sm2']);
    expect(verifyExport(document)).toMatchObject({ ok: true, steps: cycle.length });
    const entry = document.logs[0]!.entries[0]!;
    entry.event.data = entry.event.data.replace('C-2026', 'C-2027');
    const result = verifyExport(document);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/HASH at entry 1/);
    expect(verifyExport(JSON.parse(exported.document), { trustedKeyIds: ['0000000000000000'] })).toMatchObject({ ok: false });
  });
});

describe('development signing key', () => {
  it('is generated once, kept in the audit database and reused after a restart; production refuses to run without one', async () => {
    const mongo = await connectMongo(stack().mongoUri, uniqueName('audit-keys'));
    try {
      const first = await new KeyRing(mongo.db).signingKey({ algorithm: 'ed25519', environment: 'development', logger: testLogger });
      const again = await new KeyRing(mongo.db).signingKey({ algorithm: 'ed25519', environment: 'development', logger: testLogger });
      expect(again.keyId).toBe(first.keyId);
      expect([...(await new KeyRing(mongo.db).all()).keys()]).toEqual([first.keyId]);
      await expect(new KeyRing(mongo.db).signingKey({ algorithm: 'ed25519', environment: 'production', logger: testLogger })).rejects.toThrow(
        /required in production/,
      );
    } finally {
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  });
});

// An approval in flight survives a restore into an empty stack (issue #20, "Backup and restore"). The approvals
// database is the system of record, Temporal the engine: NHC and NDRC have countersigned, MOF has claimed its step;
// the platform is backed up, its databases are dropped and Temporal's workflow is deleted (Temporal lost it); the
// databases are restored and the platform started again. The approvals service resumes the approval from its record:
// it reads the same, MOF finds it in its inbox, the remaining sign-offs and the final approval complete, the change
// set is published once (no ce_id twice on bps.approvals.v1), and the proposal's audit log verifies. And while the
// service runs: Temporal loses an approval with a standing objection and running deadlines; the first read through
// the inbox resumes it, the objection is withdrawn as recorded, reminders and escalations keep their deadlines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { defaultRouteStages } from '../../services/approvals/domain/default-route';
import { unary } from '../../services/shared/grpc/client';
import type { ApprovalResult } from '../../workflows/contracts';
import { ApprovalRecords } from '../../services/approvals/adapters/mongo/approval-records';
import { initialState } from '../../workflows/approval/domain';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { uniqueName } from '../support/names';
import { proposalInput, startHarness } from './approvals-harness';
import { backup, restore } from '../../infra/backup/backup';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { personas } from '../../services/shared/auth/personas';
import { healthProposal } from '../unit/proposals-fixtures';
import { apiAs, type TestPlatform } from './gateway-platform';
import { adminKafka } from '../support/kafka';
import { startPlatform, type ServiceName } from '../support/platform';
import { stack } from '../support/stack';
import { loseWorkflow, openedHistory, testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const services: ServiceName[] = ['registry', 'proposals', 'approvals', 'audit', 'gateway'];

const must = (r: { status: number; json: any }, what: string): any => {
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};

async function inboxItem(p: TestPlatform, persona: 'nhc-approver' | 'ndrc-approver' | 'mof-approver' | 'final-approver', proposalId: string) {
  return waitFor(
    async () => (must(await apiAs(p, persona, 'GET', '/api/v1/inbox'), `${persona} inbox`).items ?? []).find((i: any) => i.proposal?.proposalId === proposalId),
    `${proposalId} in the inbox of ${persona}`,
    90_000,
    300,
  );
}

async function sign(p: TestPlatform, persona: 'nhc-approver' | 'ndrc-approver' | 'mof-approver' | 'final-approver', proposalId: string) {
  const item = await inboxItem(p, persona, proposalId);
  return must(
    await apiAs(p, persona, 'POST', `/api/v1/approvals/${proposalId}/steps/${item.step.stepId}/sign`, {
      position: 'POSITION_APPROVE',
      comment: `${personas[persona].name} 同意（恢复测试）`,
    }),
    `${persona} sign`,
  );
}

const approvalOf = async (p: TestPlatform, proposalId: string) =>
  must(await apiAs(p, 'nhc-staff', 'GET', `/api/v1/approvals/${proposalId}`), 'approval').approval;
const verifyLog = async (p: TestPlatform, log: string) => {
  const v = must(await apiAs(p, 'auditor', 'POST', '/api/v1/audit/verify', { log }), 'verify');
  return { ok: v.ok, size: Number(v.size) };
};

describe('approvals resume after a restore without Temporal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bps-resume-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes an approval in flight from its record: inbox, remaining sign-offs, one publication, audit verifies', async () => {
    const first = (await startPlatform('resume', { services, collect: ['approvals'] })) as unknown as TestPlatform;
    let proposalId = '';
    let before: any;
    try {
      const created = must(
        await apiAs(first, 'nhc-staff', 'POST', '/api/v1/proposals', {
          content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-01', baseVersion: 1 })),
        }),
        'create proposal',
      );
      proposalId = created.proposal.proposalId;
      must(await apiAs(first, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/submit`, { expectedRevision: created.proposal.revision }), 'submit');
      // Countersigned by two of three; Finance (MOF) has claimed its step and not signed yet.
      await sign(first, 'nhc-approver', proposalId);
      await sign(first, 'ndrc-approver', proposalId);
      const mof = await inboxItem(first, 'mof-approver', proposalId);
      must(await apiAs(first, 'mof-approver', 'POST', `/api/v1/approvals/${proposalId}/steps/${mof.step.stepId}/claim`, {}), 'mof claim');
      await first.settle('approvals', proposalId); // every event of the approval so far is on the topic
      before = await approvalOf(first, proposalId);
      expect(before.status).toBe('in_progress');
      expect(before.rounds[0].steps.filter((s: any) => s.signedBy).map((s: any) => s.signedBy)).toEqual([
        personas['nhc-approver'].subject,
        personas['ndrc-approver'].subject,
      ]);
      await expect.poll(async () => (await verifyLog(first, `proposal:${proposalId}`)).size, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(4);
      await backup({
        mongoUri: stack().mongoUri,
        databases: first.databases,
        outDir: join(dir, 'b'),
        kafka: adminKafka('test-backup'),
        kafkaNames: (name) => name.includes(first.namespace),
      });
    } finally {
      await first.stop(); // drops every database: the empty stack
    }

    // Temporal lost the approval: its workflow and history are gone.
    const handle = await testTemporal();
    const temporal = handle.client;
    await loseWorkflow(temporal, proposalId);
    await handle.close();

    await restore({ mongoUri: stack().mongoUri, fromDir: join(dir, 'b') });
    const second = (await startPlatform('resume', { services, names: first.names, collect: ['approvals'] })) as unknown as TestPlatform;
    try {
      // Resumed by the start-up pass: MOF finds the step it had claimed; the approval reads as it was.
      const mof = await inboxItem(second, 'mof-approver', proposalId);
      expect([mof.step.stepId, mof.step.claimedBy]).toEqual(['countersign.mof', personas['mof-approver'].subject]);
      const after = await approvalOf(second, proposalId);
      expect(after).toEqual(before);
      expect(await second.approvals!.reconciled).toEqual({ [proposalId]: 'resumed' });
      // Who signed stays signed: NHC's step is not open to NHC again.
      const nhcInbox = must(await apiAs(second, 'nhc-approver', 'GET', '/api/v1/inbox'), 'nhc inbox').items ?? [];
      expect(nhcInbox.filter((i: any) => i.proposal?.proposalId === proposalId)).toEqual([]);

      await sign(second, 'mof-approver', proposalId);
      await sign(second, 'final-approver', proposalId);
      await waitFor(
        async () =>
          (must(await apiAs(second, 'nhc-staff', 'GET', '/api/v1/standards/items/HEA-01/history'), 'history').versions ?? []).find((v: any) => v.version === 2),
        'HEA-01 v2 published',
        90_000,
        300,
      );
      await expect
        .poll(async () => must(await apiAs(second, 'nhc-staff', 'GET', `/api/v1/proposals/${proposalId}`), 'proposal').proposal.state, { timeout: 60_000 })
        .toBe('PROPOSAL_STATE_APPROVED');
      await second.settle('approvals', proposalId);

      // The whole topic, before and after the restore: every event once, the change set published once.
      const mine = second.collector!.events.filter((e) => e.key === proposalId);
      const ids = mine.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(mine.filter((e) => e.type === 'bps.approval.changeset.approved').map((e) => e.id)).toEqual([`${proposalId}/r1/changeset-approved`]);
      expect(mine.filter((e) => e.type === 'bps.approval.step.signed').map((e) => e.id.replace(/\/\d+$/, ''))).toEqual([
        `${proposalId}/r1/countersign.lead/signed`,
        `${proposalId}/r1/countersign.ndrc/signed`,
        `${proposalId}/r1/countersign.mof/signed`,
        `${proposalId}/r1/final.sco/signed`,
      ]);
      const history = must(await apiAs(second, 'nhc-staff', 'GET', '/api/v1/standards/items/HEA-01/history'), 'history').versions;
      expect(history.map((v: any) => v.version)).toEqual([1, 2]);
      const audit = await verifyLog(second, `proposal:${proposalId}`);
      expect(audit.ok).toBe(true);
      expect(audit.size).toBeGreaterThanOrEqual(6);
      // The approval is over: no longer on the list of open approvals.
      await expect.poll(() => second.approvals!.records.openIds(), { timeout: 30_000 }).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 300_000);
});

describe('approvals resume on first access while the service runs', () => {
  it('resumes on a read: the standing objection, the deadlines and the event numbering go on as recorded', async () => {
    const h = await startHarness();
    try {
      // Deadlines short enough to pass during the test: reminder 4 s after the stage opens, escalation after 8 s.
      await h.app.routes.publish('resume-deadlines', { kind: 'AD_HOC', fieldCode: 'RESUME' }, defaultRouteStages({ dueSeconds: 8, reminderBeforeSeconds: 4 }));
      const input = proposalInput({ fieldCodes: ['RESUME'] });
      const P = input.proposalId;
      await h.start(input);
      const sign = async (who: 'nhc-approver' | 'ndrc-approver' | 'mof-approver' | 'final-approver', stepId: string, position: Position, comment = '') =>
        (await unary(h.client.signOff.bind(h.client), { proposalId: P, stepId, position, comment }, await h.token(who))).approval!;
      const read = async () => (await unary(h.client.getApproval.bind(h.client), { proposalId: P }, await h.token('nhc-approver'))).approval!;
      await sign('ndrc-approver', 'countersign.ndrc', Position.POSITION_OBJECT, '测算依据不足');
      await sign('nhc-approver', 'countersign.lead', Position.POSITION_APPROVE);
      await h.platform.settle('approvals', P);
      const before = await read();
      expect(before.needs).toEqual(['objection from 国家发展改革委: 测算依据不足', 'waiting for 财政部']);
      await expect.poll(() => h.app.records.openIds(), { timeout: 10_000 }).toEqual([P]);

      const temporal = h.temporal.client;
      const lost = await temporal.workflow.getHandle(P).fetchHistory();
      await loseWorkflow(temporal, P);

      // The first read resumes it: the same approval (steps, positions, deadlines, needs).
      expect(await read()).toEqual(before);
      // NDRC withdraws its objection by signing again: the objection was restored with its step.
      await sign('ndrc-approver', 'countersign.ndrc', Position.POSITION_NO_OBJECTION);
      // The resumed run wakes on the recorded deadlines: reminded, then escalated (Finance has not signed).
      for (const type of ['bps.approval.step.reminded', 'bps.approval.step.escalated'])
        await h.platform.collector!.waitFor((e) => e.key === P && e.type === type && e.data.toString('utf8').includes('countersign.mof'), type, 30_000);
      await sign('mof-approver', 'countersign.mof', Position.POSITION_APPROVE);
      const approved = await sign('final-approver', 'final.sco', Position.POSITION_APPROVE);
      expect(approved.status).toBe('approved');
      expect(await temporal.workflow.getHandle(P).result()).toEqual({ status: 'approved', rounds: 1, routeVersion: 1 } satisfies ApprovalResult);
      await h.platform.settle('approvals', P);

      const mine = h.received.filter((e) => e.key === P && e.type.startsWith('bps.approval.'));
      expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
      expect(mine.filter((e) => e.type === 'bps.approval.changeset.approved').length).toBe(1);
      // Numbered on from the recorded sequence: NDRC's second signature is an event of its own, not taken for its first.
      expect(mine.filter((e) => e.type === 'bps.approval.step.signed').map((e) => [e.data.step.stepId, e.data.position])).toEqual([
        ['countersign.ndrc', 'POSITION_OBJECT'],
        ['countersign.lead', 'POSITION_APPROVE'],
        ['countersign.ndrc', 'POSITION_NO_OBJECTION'],
        ['countersign.mof', 'POSITION_APPROVE'],
        ['final.sco', 'POSITION_APPROVE'],
      ]);
      expect(mine.filter((e) => e.type === 'bps.approval.objection.withdrawn').map((e) => [e.data.step.stepId, e.data.newPosition])).toEqual([
        ['countersign.ndrc', 'POSITION_NO_OBJECTION'],
      ]);
      // Reminded and escalated at most once per step, on the countersign's deadline as it was recorded.
      const dueAt = before.rounds[0]!.steps.find((s) => s.stepId === 'countersign.mof')!.dueAt!.toISOString();
      for (const type of ['bps.approval.step.reminded', 'bps.approval.step.escalated']) {
        const steps = mine.filter((e) => e.type === type).map((e) => e.data.step.stepId);
        expect(steps).toContain('countersign.mof');
        expect(new Set(steps).size).toBe(steps.length);
        expect(mine.filter((e) => e.type === type).every((e) => e.data.dueAt === dueAt)).toBe(true);
      }
      await expect.poll(() => h.app.records.openIds(), { timeout: 10_000 }).toEqual([]);

      // Recorded once for the replay test (BPS_RECORD_FIXTURES=1), payloads opened; committed.
      if (process.env['BPS_RECORD_FIXTURES'] === '1') {
        const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
        writeFileSync(fixture('approvals-recorded-state-history.json'), JSON.stringify(await openedHistory(lost), null, 1));
        writeFileSync(
          fixture('approvals-resumed-history.json'),
          JSON.stringify(await openedHistory(await temporal.workflow.getHandle(P).fetchHistory()), null, 1),
        );
      }
    } finally {
      await h.close();
    }
  }, 120_000);
});

describe('approvals resume between the final approval and its publication', () => {
  it('publishes the approved change set once when Temporal lost the approval while it was being published', async () => {
    // The publishing activity has written the change set to the outbox and is held there until Temporal has lost it.
    let hold = true;
    let reached: () => void = () => undefined;
    const atPublication = new Promise<void>((resolve) => (reached = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const h = await startHarness({
      afterChangeSetRecorded: async () => {
        if (!hold) return;
        reached();
        await released;
      },
    });
    try {
      const input = proposalInput();
      const P = input.proposalId;
      await h.start(input);
      const sign = async (who: 'nhc-approver' | 'ndrc-approver' | 'mof-approver' | 'final-approver', stepId: string) =>
        (await unary(h.client.signOff.bind(h.client), { proposalId: P, stepId, position: Position.POSITION_APPROVE, comment: '' }, await h.token(who)))
          .approval!;
      await sign('nhc-approver', 'countersign.lead');
      await sign('ndrc-approver', 'countersign.ndrc');
      await sign('mof-approver', 'countersign.mof');
      expect((await sign('final-approver', 'final.sco')).status).toBe('approved');
      await atPublication;

      const temporal = h.temporal.client;
      await loseWorkflow(temporal, P);
      hold = false;
      release();
      // Recorded as approved and still open: a read resumes it, and the resumed run publishes (the same ids).
      expect(await h.app.records.openIds()).toEqual([P]);
      const view = (await unary(h.client.getApproval.bind(h.client), { proposalId: P }, await h.token('nhc-approver'))).approval!;
      expect(view.status).toBe('approved');
      expect(await temporal.workflow.getHandle(P).result()).toEqual({ status: 'approved', rounds: 1, routeVersion: 1 } satisfies ApprovalResult);
      await expect.poll(() => h.app.records.openIds(), { timeout: 10_000 }).toEqual([]);
      await h.platform.settle('approvals', P);
      const mine = h.received.filter((e) => e.key === P && e.type.startsWith('bps.approval.'));
      expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
      expect(mine.filter((e) => e.type === 'bps.approval.changeset.approved').map((e) => e.id)).toEqual([`${P}/r1/changeset-approved`]);
      expect(mine.filter((e) => e.type === 'bps.approval.proposal.decided').map((e) => e.data.decision)).toEqual(['DECISION_APPROVED']);
    } finally {
      release();
      await h.close();
    }
  }, 120_000);
});

describe('the record of an approval', () => {
  it('never lets an older record replace a newer one; the open list follows the latest', async () => {
    const mongo = await connectMongo(stack().mongoUri, uniqueName('records').replace(/[^a-zA-Z0-9_-]/g, '_'));
    try {
      const records = new ApprovalRecords(mongo.db);
      const input = proposalInput();
      const route = { routeId: 'default', version: 1, stages: defaultRouteStages({ dueSeconds: 60, reminderBeforeSeconds: 10 }) };
      const state = initialState(input.proposalId, input, route, Date.UTC(2026, 10, 30));
      const at = (version: number, closed = false) => ({ version, state, seq: version, changeSet: input.changeSet, events: [], closed });
      expect(await records.save(input.proposalId, at(2))).toBe(true);
      expect(await records.save(input.proposalId, at(1))).toBe(false); // a late retry of an older activity
      expect((await records.get(input.proposalId))?.version).toBe(2);
      expect(await records.save(input.proposalId, at(2))).toBe(true); // a retry of the same one writes again
      expect(await records.openIds()).toEqual([input.proposalId]);
      expect(await records.save(input.proposalId, at(3, true))).toBe(true);
      expect(await records.openIds()).toEqual([]);
      expect(await records.save(input.proposalId, at(2))).toBe(false); // stays closed
      expect(await records.openIds()).toEqual([]);
      expect(await records.get(input.proposalId)).toMatchObject({ version: 3, closed: true, seq: 3, state });
    } finally {
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  });
});

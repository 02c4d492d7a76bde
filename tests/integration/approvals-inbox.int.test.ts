// The inbox reads the approvals' recorded entries (issue #16): an approver's open steps are listed with one
// visibility list (which approvals are running with a step open to them) and one indexed read of their entries
// (what each looks like), not one workflow query per open approval. An entry is rewritten with the record before the
// change's update returns, so a listing after a sign-off never shows the approval as it was before it.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { ApprovalRecords } from '../../services/approvals/adapters/mongo/approval-records';
import { defaultRouteStages } from '../../services/approvals/domain/default-route';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { initialState, openKeys } from '../../workflows/approval/domain';
import { inboxCalls, proposalInput, startHarness, type Harness } from './approvals-harness';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';
import { openedHistory } from '../support/temporal';
import { testWorkflowBundle } from '../support/workflow-bundle';
import { nhcLedSignOffs } from '../support/cycles';

describe('the inbox entries of open approvals', () => {
  it('follow the latest record: written under the open keys, removed when nothing is open or the approval ends', async () => {
    const mongo = await connectMongo(stack().mongoUri, uniqueName('inbox').replace(/[^a-zA-Z0-9_-]/g, '_'));
    try {
      const records = new ApprovalRecords(mongo.db);
      await records.init();
      const input = proposalInput();
      const P = input.proposalId;
      const route = { routeId: 'default', version: 1, stages: defaultRouteStages({ dueSeconds: 60, reminderBeforeSeconds: 10 }) };
      const opened = initialState(P, input, route, Date.UTC(2026, 10, 30));
      const keys = openKeys(opened).roles;
      expect(keys).toContain('approver@MOF');
      const at = (version: number, state = opened, closed = false) => ({ version, state, seq: version, changeSet: input.changeSet, events: [], closed });

      expect(await records.save(P, at(1))).toBe(true);
      for (const key of keys) expect([...(await records.inboxViews([key])).keys()]).toEqual([P]);
      expect((await records.inboxViews(['approver@MOF', 'subject:nobody'])).get(P)?.needs).toHaveLength(3);
      expect((await records.inboxViews(['approver@MOE'])).size).toBe(0);
      expect(await records.parties(P)).toMatchObject({ leadMinistry: input.leadMinistry });

      // A later state replaces the entry (never an older one: its record is refused first).
      const withdrawn = { ...opened, status: 'withdrawn' as const };
      expect(openKeys(withdrawn).roles).toEqual([]);
      expect(await records.save(P, at(2, withdrawn))).toBe(true);
      expect((await records.inboxViews(keys)).size).toBe(0);
      // The change's events go out alongside, whether its record was stored or a newer one was found.
      let sent = 0;
      expect(await records.save(P, at(1), async () => void sent++)).toBe(false);
      expect(sent).toBe(1);
      expect((await records.inboxViews(keys)).size).toBe(0);
      expect(await records.save(P, at(2, withdrawn), async () => void sent++)).toBe(true); // a retry of the same version
      expect(sent).toBe(2);

      // Open again at a newer version, then the approval's end removes it.
      expect(await records.save(P, at(3))).toBe(true);
      expect((await records.inboxViews(keys)).get(P)?.status).toBe('in_progress');
      expect(await records.save(P, at(4, opened, true))).toBe(true);
      expect((await records.inboxViews(keys)).size).toBe(0);
    } finally {
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  });
});

describe('listing an approver inbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  const { sign, inbox, inboxHas, result } = inboxCalls(() => h);

  it('records each change with a local activity (approval-local-records): no activity task per change, and it replays', async () => {
    const input = proposalInput();
    const P = input.proposalId;
    await h.start(input);
    for (const [who, stepId] of nhcLedSignOffs) await sign(who, P, stepId, Position.POSITION_APPROVE);
    expect((await result(P)).status).toBe('approved');
    const history = await openedHistory(await h.temporal.client.workflow.getHandle(P).fetchHistory());
    const json = JSON.parse(JSON.stringify(history)) as { events: Record<string, any>[] };
    const patches = json.events.flatMap((e) =>
      e['markerRecordedEventAttributes']?.details?.['patch-data']
        ? [JSON.parse(Buffer.from(e['markerRecordedEventAttributes'].details['patch-data'].payloads[0].data, 'base64').toString('utf8')).id]
        : [],
    );
    expect(patches).toEqual(expect.arrayContaining(['approval-recorded-state', 'approval-local-records']));
    const scheduled = json.events.flatMap((e) => e['activityTaskScheduledEventAttributes']?.activityType?.name ?? []);
    expect(scheduled).toEqual(['publishApprovedChangeSet']);
    await Worker.runReplayHistory({ workflowBundle: (await testWorkflowBundle())! }, temporal.api.history.v1.History.fromObject(json));
    // Recorded once for the replay test (BPS_RECORD_FIXTURES=1); the fixture is committed.
    if (process.env['BPS_RECORD_FIXTURES'] === '1')
      writeFileSync(fileURLToPath(new URL('../fixtures/approvals-local-records-history.json', import.meta.url)), JSON.stringify(json, null, 1));
  }, 60_000);

  it('shows each approval as it is once a sign-off has returned, and needs no answer from the workflows', async () => {
    const first = proposalInput();
    const second = proposalInput();
    await h.start(first);
    await h.start(second);
    await inboxHas('mof-approver', first.proposalId, 'countersign.mof');
    await inboxHas('mof-approver', second.proposalId, 'countersign.mof');

    // NHC countersigns the first: MOF's very next listing no longer waits for NHC (the entry was rewritten with the
    // record before the sign-off returned; a stale entry would still list it).
    const needsOf = async (proposalId: string) => (await inbox('mof-approver')).find((i) => i.proposal?.proposalId === proposalId)?.needs;
    const before = await needsOf(first.proposalId);
    expect(before).toHaveLength(3);
    await sign('nhc-approver', first.proposalId, 'countersign.lead', Position.POSITION_APPROVE);
    const after = await needsOf(first.proposalId);
    expect(after).toHaveLength(2);
    expect(after).toEqual(before!.filter((n) => after!.includes(n)));
    expect(await needsOf(second.proposalId)).toHaveLength(3);

    // With the worker gone no workflow answers a query; the inbox still lists both from their entries, at once.
    await h.app.stopWorker();
    const items = (await inbox('mof-approver')).filter((i) => [first.proposalId, second.proposalId].includes(i.proposal!.proposalId));
    expect(items.map((i) => [i.proposal!.proposalId, i.step!.stepId, i.needs.length]).sort()).toEqual(
      [
        [first.proposalId, 'countersign.mof', 2],
        [second.proposalId, 'countersign.mof', 3],
      ].sort(),
    );
  }, 60_000);
});

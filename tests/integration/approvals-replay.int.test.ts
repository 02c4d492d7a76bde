// Replay: the recorded histories of a completed adHocRevision and of unified revision cycles (tests/fixtures, recorded
// by approvals-adhoc / approvals-cycle int tests with BPS_RECORD_FIXTURES=1) must replay against today's workflow
// code; an altered history must not. approvals-cycle-history.json predates the cycle's patched() changes and keeps
// proving that they are patched correctly. A change to
// the workflow that breaks this test needs patched().
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { testWorkflowBundle } from '../support/workflow-bundle';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowsPath } from '../../services/shared/temporal/temporal';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const recorded = (name = 'approvals-adhoc-history.json'): any => JSON.parse(readFileSync(fixture(name), 'utf8'));
const asHistory = (json: unknown) => temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);

// A history replays with the workflow interceptors of the worker that recorded it: the OpenTelemetry inbound
// interceptor makes every update handler asynchronous, which changes how an update's completion interleaves with
// the main loop's commands. The first two fixtures predate the interceptors; the v2 cycle was recorded with them.
let workflowBundle: WorkflowBundleWithSourceMap;
let instrumentedBundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  const logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  workflowBundle = await bundleWorkflowCode({ workflowsPath, logger });
  instrumentedBundle = (await testWorkflowBundle())!; // the run's bundle: the approvals worker's, interceptors included
}, 120_000);

describe('approval workflows replay', () => {
  it('replays the recorded history of a completed approval (countersign, final approval, updates, activities)', async () => {
    const history = recorded();
    expect(history.events.some((e: any) => e.workflowExecutionCompletedEventAttributes)).toBe(true);
    await Worker.runReplayHistory({ workflowBundle }, asHistory(history));
  });

  it('replays the recorded history of a unified revision cycle (evaluation, child approvals, consolidation, release, re-filing)', async () => {
    const history = recorded('approvals-cycle-history.json');
    expect(history.events.some((e: any) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(true);
    await Worker.runReplayHistory({ workflowBundle }, asHistory(history));
  });

  it('replays a cycle recorded with per-field windows, recorded actions, rebase at release and re-filing from registry events', async () => {
    const history = recorded('approvals-cycle-v2-history.json');
    const markers = history.events
      .filter((e: any) => e.markerRecordedEventAttributes?.details?.['patch-data']) // not a local activity's marker
      .map((e: any) => e.markerRecordedEventAttributes.details?.patch_data?.payloads?.[0]?.data);
    expect(markers.length).toBeGreaterThanOrEqual(3); // one per patched() change
    expect(history.events.some((e: any) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendRunningRevisionsToRebase')).toBe(true);
    await Worker.runReplayHistory({ workflowBundle: instrumentedBundle }, asHistory(history));
  });

  it('replays a cycle recorded with money-only trims (the trim recorded on its entry, with who and why)', async () => {
    const history = recorded('approvals-cycle-v3-history.json');
    const patches = history.events
      .filter((e: any) => e.markerRecordedEventAttributes?.details?.['patch-data']) // not a local activity's marker
      .map((e: any) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes.details['patch-data'].payloads[0].data, 'base64').toString('utf8')).id);
    expect(patches).toContain('cycle-trim-money-only');
    await Worker.runReplayHistory({ workflowBundle: instrumentedBundle }, asHistory(history));
  });

  // Recorded by approvals-resume.int (BPS_RECORD_FIXTURES=1) with the worker's interceptors, payloads opened: an
  // approval under 'approval-recorded-state' up to the moment Temporal lost it, and its run resumed from the record.
  const patchIds = (history: any): string[] =>
    history.events
      .filter((e: any) => e.markerRecordedEventAttributes?.details?.['patch-data']) // not a local activity's marker
      .map((e: any) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes.details['patch-data'].payloads[0].data, 'base64').toString('utf8')).id);
  it('replays an approval that records its state (approval-recorded-state), up to the loss of its workflow', async () => {
    const history = recorded('approvals-recorded-state-history.json');
    expect(patchIds(history)).toContain('approval-recorded-state');
    expect(history.events.some((e: any) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordApproval')).toBe(true);
    await Worker.runReplayHistory({ workflowBundle: instrumentedBundle }, asHistory(history));
  });

  // Recorded by approvals-inbox.int (BPS_RECORD_FIXTURES=1): a complete approval under 'approval-local-records' (the
  // route read and every change recorded by local activities).
  it('replays an approval that records its changes with local activities (approval-local-records)', async () => {
    const history = recorded('approvals-local-records-history.json');
    expect(patchIds(history)).toEqual(expect.arrayContaining(['approval-recorded-state', 'approval-local-records']));
    expect(history.events.flatMap((e: any) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual(['publishApprovedChangeSet']);
    await Worker.runReplayHistory({ workflowBundle: instrumentedBundle }, asHistory(history));
  });

  it('replays an approval resumed from its record (no route chosen again, deadlines and numbering as recorded)', async () => {
    const history = recorded('approvals-resumed-history.json');
    const scheduled = history.events.flatMap((e: any) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).not.toContain('chooseApprovalRoute');
    expect(scheduled).toContain('publishApprovedChangeSet');
    expect(history.events.some((e: any) => e.workflowExecutionCompletedEventAttributes)).toBe(true);
    await Worker.runReplayHistory({ workflowBundle: instrumentedBundle }, asHistory(history));
  });

  it('fails on a deliberately altered history (an activity the code never schedules)', async () => {
    const history = recorded();
    const scheduled = history.events.find((e: any) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseApprovalRoute');
    expect(scheduled).toBeDefined();
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'chooseSomeOtherRoute';
    await expect(Worker.runReplayHistory({ workflowBundle }, asHistory(history))).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

describe('standardisation pilot workflow replay', () => {
  // Recorded by programme-pilots.int (BPS_RECORD_FIXTURES=1) with the programme worker's interceptors, payloads opened.
  it('replays a regional-coordination pilot from joint application to published results', async () => {
    const history = recorded('pilot-history.json');
    const updates = history.events.filter((e: any) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect(updates).toBeGreaterThanOrEqual(15); // joins, screenings, selection, reports, incident, evaluation, publication
    expect(history.events.some((e: any) => e.workflowExecutionCompletedEventAttributes)).toBe(true);
    await Worker.runReplayHistory({ workflowBundle: instrumentedBundle }, asHistory(history));
  });

  it('fails when the pilot code records a step the history does not have', async () => {
    const history = recorded('pilot-history.json');
    const scheduled = history.events.find((e: any) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'reserveCandidatePlace');
    expect(scheduled).toBeDefined();
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'reserveSomethingElse';
    await expect(Worker.runReplayHistory({ workflowBundle: instrumentedBundle }, asHistory(history))).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

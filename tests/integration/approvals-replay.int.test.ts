// Replay: the recorded history of a completed adHocRevision (tests/fixtures, recorded by approvals-adhoc.int.test.ts
// with BPS_RECORD_FIXTURES=1) must replay against today's workflow code; an altered history must not. A change to
// the workflow that breaks this test needs patched().
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowsPath } from '../../services/approvals/app';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const recorded = (name = 'approvals-adhoc-history.json'): any => JSON.parse(readFileSync(fixture(name), 'utf8'));
const asHistory = (json: unknown) => temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);

let workflowBundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
});

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

  it('fails on a deliberately altered history (an activity the code never schedules)', async () => {
    const history = recorded();
    const scheduled = history.events.find((e: any) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseApprovalRoute');
    expect(scheduled).toBeDefined();
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'chooseSomeOtherRoute';
    await expect(Worker.runReplayHistory({ workflowBundle }, asHistory(history))).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

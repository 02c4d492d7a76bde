// A worker dies while the activity that announces the approved change set is running (after its outbox write,
// before it completes). Temporal retries the activity on a new worker; the event id is deterministic, so exactly
// one ChangeSetApproved reaches Kafka.
import { Context } from '@temporalio/activity';
import { afterAll, describe, expect, it } from 'vitest';
import { personas } from '../../services/shared/auth/personas';
import { signOffUpdate, type ApprovalResult } from '../../workflows/contracts';
import { actorOf, proposalInput, startHarness, type Harness } from './approvals-harness';

let h: Harness | undefined;
afterAll(async () => {
  await h?.close();
});

describe('approvals worker crash', () => {
  it('worker killed mid-activity produces exactly one approved change-set event', async () => {
    let firstAttemptWrote!: () => void;
    const wrote = new Promise<void>((resolve) => {
      firstAttemptWrote = resolve;
    });
    // First attempt: the outbox write happened, then the process "hangs" until its worker goes away.
    h = await startHarness({
      afterChangeSetRecorded: async (attempt) => {
        if (attempt > 1) return;
        firstAttemptWrote();
        await Context.current().cancelled;
      },
    });
    const input = proposalInput();
    const P = input.proposalId;
    await h.start(input);
    const handle = h.temporal.client.workflow.getHandle(P);
    const sign = (persona: keyof typeof personas, stepId: string) =>
      handle.executeUpdate(signOffUpdate, { args: [{ actor: actorOf(personas[persona]), stepId, position: 'APPROVE', comment: '' }] });
    await sign('nhc-approver', 'countersign.lead');
    await sign('ndrc-approver', 'countersign.ndrc');
    await sign('mof-approver', 'countersign.mof');
    await sign('final-approver', 'final.sco');
    await wrote;

    // Kill: the whole service goes away mid-activity; a new one (no hook) takes over the task queue.
    const attempts: number[] = [];
    await h.restartApp({
      afterChangeSetRecorded: async (attempt) => {
        attempts.push(attempt);
      },
    });

    expect(((await handle.result()) as ApprovalResult).status).toBe('approved');
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.every((a) => a > 1)).toBe(true); // the retry ran on the new worker
    await expect.poll(() => h!.eventsOf(P, 'bps.approval.changeset.approved').length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => h!.eventsOf(P, 'bps.approval.proposal.decided').length, { timeout: 10_000 }).toBe(1);
    // Nothing more is coming on this proposal's partition: a marker sent now arrives after any duplicate.
    await h.platform.settle('approvals', P);
    expect(h.eventsOf(P, 'bps.approval.changeset.approved')).toHaveLength(1);
    expect(await h.app.events.outbox.countDocuments({ 'outbox.event.type': 'bps.approval.changeset.approved' })).toBe(1);
  });
});

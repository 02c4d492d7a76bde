// Baseline for the approvals benchmark: a bare workflow taking the same four updates (no route, no rules,
// no activities), to show what the approval logic, the inbox and the outbox cost on top of Temporal.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const bareSignOff = defineUpdate<number, [string]>('bareSignOff');

export async function bareApproval(expectedSignOffs: number): Promise<number> {
  const signed: string[] = [];
  setHandler(bareSignOff, (who) => signed.push(who), {
    validator: (who) => {
      if (!who) throw new Error('who is required');
    },
  });
  await condition(() => signed.length >= expectedSignOffs);
  return signed.length;
}

// A minimal workflow for the foundation test: one activity call and one update with a validator.
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from './check-activities';

const { describeItem } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

export const acknowledge = defineUpdate<string, [string]>('acknowledge');
export const acknowledgedBy = defineQuery<string | undefined>('acknowledgedBy');

export async function describeThenAwaitAcknowledgement(itemCode: string): Promise<string> {
  // Handlers are registered before the first await: an update that arrives while the activity runs would
  // otherwise find no handler and be rejected ("No registered handler for update").
  let by: string | undefined;
  setHandler(acknowledgedBy, () => by);
  setHandler(
    acknowledge,
    (who) => {
      by = who;
      return `acknowledged by ${who}`;
    },
    {
      validator: (who) => {
        if (!who) throw new Error('who is required');
      },
    },
  );
  const description = await describeItem(itemCode);
  await condition(() => by !== undefined);
  return `${description}; ${by}`;
}

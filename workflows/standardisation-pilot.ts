// A standardisation pilot (seed 003) as a long-running workflow: application (joint for regional coordination),
// provincial screening, national selection with the five tasks, data reports, incidents, evaluation by an expert
// group, national re-check and publication. Each human step is the one update `pilotAction`, whose validator is the
// pure `decide` (workflows/pilot/domain.ts); the handler decides again on the state it then holds, records the
// events through an activity (projection + outbox in the programme service), and folds them with `evolve`.
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler, allHandlersFinished } from '@temporalio/workflow';
import type * as activities from '../services/programme/adapters/temporal/activities';
import { decide, decideOpening, evolve, provincesOf, TERMINAL, type PilotCommand, type PilotEvent, type PilotState } from './pilot/domain';
import { pilotActionUpdate, pilotStateQuery, type PilotAction, type PilotWorkflowInput } from './pilot/contracts';
import { refusalFailure } from './refusals';
import { requireSealed } from './sealed';

type Activities = ReturnType<typeof activities.createPilotActivities>;

const { recordPilotSteps, reserveCandidatePlace, releaseCandidatePlaces } = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['VALIDATION_FAILED', 'FAILED_PRECONDITION'] },
});

export const pilotAction = defineUpdate<PilotState, [PilotAction]>(pilotActionUpdate);
export const pilotState = defineQuery<PilotState>(pilotStateQuery);

/** Beijing's calendar date now (UTC+8 all year): "after the term" is a date in China. */
function chinaToday(at: number): string {
  return new Date(at + 8 * 3600_000).toISOString().slice(0, 10);
}

function command(action: PilotAction, at: number, slot = 1): PilotCommand {
  switch (action.type) {
    case 'screen':
      return { ...action, at, slot };
    case 'requestEvaluation':
      return { ...action, at, today: chinaToday(at) };
    default:
      return { ...action, at } as PilotCommand;
  }
}

export async function standardisationPilot(input: PilotWorkflowInput): Promise<{ status: string; revision: number }> {
  requireSealed(input, 'the pilot input');
  const opening = input.resumeFrom
    ? ({ ok: true, initial: input.resumeFrom, events: [] } as const)
    : decideOpening(input.pilotId, input.batchId, input.candidatesPerProvince, input.application, input.actor, Date.now());
  if (!opening.ok) throw refusalFailure(opening.refusal);
  let state: PilotState = opening.initial;
  // One step at a time: a handler holds the pilot from its decision until its events are recorded.
  let busy = false;

  const record = async (events: readonly PilotEvent[]): Promise<void> => {
    const steps = [];
    for (const event of events) {
      state = evolve(state, event);
      steps.push({ event, state });
    }
    await recordPilotSteps({ pilotId: input.pilotId, steps });
  };

  setHandler(pilotState, () => state);
  setHandler(
    pilotAction,
    async (action) => {
      await condition(() => !busy);
      busy = true;
      try {
        const at = Date.now();
        let decision = decide(state, command(action, at));
        if (decision.ok && action.type === 'screen' && action.recommend) {
          // The province's candidate places are shared by every pilot of the batch: reserved outside this workflow.
          const slot = await reserveCandidatePlace({
            batchId: state.batchId,
            province: action.actor.organisation,
            pilotId: state.pilotId,
            places: state.candidatesPerProvince,
          });
          decision = decide(state, command(action, at, slot));
        }
        if (!decision.ok) throw refusalFailure(decision.refusal);
        await record(decision.events);
        if (state.status === 'NOT_RECOMMENDED') await releaseCandidatePlaces({ batchId: state.batchId, pilotId: state.pilotId, provinces: provincesOf(state) });
        return state;
      } finally {
        busy = false;
      }
    },
    {
      validator: (action) => {
        requireSealed(action, 'the pilot action');
        const decision = decide(state, command(action, Date.now()));
        if (!decision.ok) throw refusalFailure(decision.refusal);
      },
    },
  );

  busy = true;
  await record(opening.events);
  busy = false;
  await condition(() => TERMINAL.includes(state.status) && !busy);
  await condition(allHandlersFinished);
  return { status: state.status, revision: state.revision };
}

// The contract between the programme service (which starts and drives pilot workflows and runs their activities)
// and the standardisation-pilot workflow. Types and names only: safe to import from services and from workflow code.
import type { ActorRef } from '../contracts';
import type { PilotApplication, PilotCommand, PilotEvent, PilotState } from './domain';

export const programmeTaskQueue = 'bps-programme';
export const standardisationPilotWorkflowType = 'standardisationPilot';

export type PilotWorkflowInput = {
  readonly pilotId: string;
  readonly batchId: string;
  readonly candidatesPerProvince: number;
  readonly application: PilotApplication;
  readonly actor: ActorRef;
  /**
   * The pilot as recorded, when its workflow is started again because Temporal no longer has it (a restore of the
   * platform's databases without Temporal's history): the new run goes on from this state, recording nothing again.
   */
  readonly resumeFrom?: PilotState;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/**
 * A human step as the service sends it: the workflow adds the time, the China date (for "after the term") and, for
 * a recommendation, the candidate place it reserves.
 */
export type PilotAction = DistributiveOmit<PilotCommand, 'at' | 'today' | 'slot'>;

export const pilotActionUpdate = 'pilotAction';
export const pilotStateQuery = 'pilotState';

/** What the recording activity writes: one step and the pilot after it. */
export type RecordedPilotStep = { readonly event: PilotEvent; readonly state: PilotState };

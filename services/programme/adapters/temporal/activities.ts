// The pilot workflow's activities (createPilotActivities(deps), as in temporalio/samples-typescript): recording its
// steps, and the candidate places shared by every pilot of a batch. Idempotent: a retry writes nothing twice.
import type { RecordedPilotStep } from '../../../../workflows/pilot/contracts';
import type { ProgrammeStore } from '../mongo/store';

export function createPilotActivities(deps: { store: ProgrammeStore }) {
  return {
    async recordPilotSteps(input: { pilotId: string; steps: readonly RecordedPilotStep[] }): Promise<void> {
      await deps.store.recordPilotSteps(input.pilotId, input.steps);
    },
    /** 1…places, or 0 when the province has no free candidate place left in the batch. */
    async reserveCandidatePlace(input: { batchId: string; province: string; pilotId: string; places: number }): Promise<number> {
      return deps.store.reservePlace(input.batchId, input.province, input.pilotId, input.places);
    },
    async releaseCandidatePlaces(input: { batchId: string; pilotId: string; provinces: readonly string[] }): Promise<void> {
      // Places are numbered from 1; a batch never offers more than 10.
      await deps.store.releasePlaces(input.batchId, input.pilotId, input.provinces, 10);
    },
  };
}

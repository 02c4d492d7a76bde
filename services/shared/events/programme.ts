// Event types on bps.programme.v1, emitted by the programme service (technical standards, pilots, experts,
// implementation evaluations). One CloudEvents type per step; the payload carries the whole record after it.
import { EvaluationRecorded, ExpertRegistered, PilotBatchOpened, PilotStepRecorded, StandardStepRecorded } from '../../../proto/gen/bps/programme/v1/events';
import { defineEvent, topics, type EventDefinition } from './catalog';

const p = 'bps.programme.v1';

/** The steps of a technical standard's life (seed 004), as event type suffixes. */
export const standardSteps = ['proposed', 'drafting', 'consultation', 'review', 'published', 'in-force', 'reviewed', 'withdrawn'] as const;
export type StandardStep = (typeof standardSteps)[number];

/** The steps of a standardisation pilot (seed 003), as event type suffixes. */
export const pilotSteps = [
  'applied',
  'joined',
  'submitted',
  'screened',
  'candidate',
  'not-recommended',
  'selection-decided',
  'selected',
  'not-selected',
  'progress-reported',
  'incident-reported',
  'extended',
  'cancelled',
  'evaluation-requested',
  'expert-group-formed',
  'evaluated',
  'rechecked',
  'published',
] as const;
export type PilotStep = (typeof pilotSteps)[number];

const perStep = <S extends string, T>(
  prefix: string,
  steps: readonly S[],
  protoName: string,
  codec: EventDefinition<T>['codec'],
): Record<S, EventDefinition<T>> =>
  Object.fromEntries(steps.map((s) => [s, defineEvent(`${prefix}.${s}`, topics.programme, `${p}.${protoName}`, codec)])) as Record<S, EventDefinition<T>>;

export const programmeEvents = {
  standard: perStep('bps.programme.standard', standardSteps, 'StandardStepRecorded', StandardStepRecorded),
  pilot: perStep('bps.programme.pilot', pilotSteps, 'PilotStepRecorded', PilotStepRecorded),
  batchOpened: defineEvent('bps.programme.batch.opened', topics.programme, `${p}.PilotBatchOpened`, PilotBatchOpened),
  expertRegistered: defineEvent('bps.programme.expert.registered', topics.programme, `${p}.ExpertRegistered`, ExpertRegistered),
  evaluationRecorded: defineEvent('bps.programme.evaluation.recorded', topics.programme, `${p}.EvaluationRecorded`, EvaluationRecorded),
} as const;

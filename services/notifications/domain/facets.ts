// Reads the filterable facets out of an event's data (proto JSON). Types the notifications service does not know
// still enter the feed, with only their type as facet.
import { approvalEvents } from '../../shared/events/approvals';
import { decodeData, type EventDefinition } from '../../shared/events/catalog';
import { programmeEvents } from '../../shared/events/programme';
import { standardEvents } from '../../shared/events/standards';
import type { ChangeSetApproved, ProposalDecided } from '../../../proto/gen/bps/approvals/v1/events';
import type {
  ChangeSetRejected,
  ComplianceWarning,
  FloorBreached,
  LocalStandardFiled,
  VersionEffective,
  VersionPublished,
} from '../../../proto/gen/bps/standards/v1/events';
import type { EvaluationRecorded, PilotStepRecorded, StandardStepRecorded } from '../../../proto/gen/bps/programme/v1/events';
import { releaseKindFilterOf, type EventFacets } from './filter';

export type KnownEvent =
  | { readonly kind: 'versionPublished'; readonly payload: VersionPublished }
  | { readonly kind: 'versionEffective'; readonly payload: VersionEffective }
  | { readonly kind: 'localStandardFiled'; readonly payload: LocalStandardFiled }
  | { readonly kind: 'floorBreached'; readonly payload: FloorBreached }
  | { readonly kind: 'complianceWarning'; readonly payload: ComplianceWarning }
  | { readonly kind: 'changeSetRejected'; readonly payload: ChangeSetRejected }
  | { readonly kind: 'changeSetApproved'; readonly payload: ChangeSetApproved }
  | { readonly kind: 'proposalDecided'; readonly payload: ProposalDecided }
  | { readonly kind: 'technicalStandard'; readonly payload: StandardStepRecorded }
  | { readonly kind: 'pilot'; readonly payload: PilotStepRecorded }
  | { readonly kind: 'evaluationRecorded'; readonly payload: EvaluationRecorded }
  | { readonly kind: 'other'; readonly type: string };

const decoders: Record<string, (data: Buffer) => KnownEvent> = {};
const register = <K extends Exclude<KnownEvent['kind'], 'other'>, T>(kind: K, definition: EventDefinition<T>): void => {
  decoders[definition.type] = (data) => ({ kind, payload: decodeData(definition, data) }) as KnownEvent;
};
register('versionPublished', standardEvents.versionPublished);
register('versionEffective', standardEvents.versionEffective);
register('localStandardFiled', standardEvents.localStandardFiled);
register('floorBreached', standardEvents.floorBreached);
register('complianceWarning', standardEvents.complianceWarning);
register('changeSetRejected', standardEvents.changeSetRejected);
register('changeSetApproved', approvalEvents.changeSetApproved);
register('proposalDecided', approvalEvents.proposalDecided);
register('technicalStandard', programmeEvents.standard.published);
register('technicalStandard', programmeEvents.standard['in-force']);
register('technicalStandard', programmeEvents.standard.withdrawn);
register('pilot', programmeEvents.pilot.selected);
register('pilot', programmeEvents.pilot.published);
register('evaluationRecorded', programmeEvents.evaluationRecorded);

/** Throws (ValidationError) when the data of a known type is not JSON: such an event can never be handled. */
export function decodeKnown(type: string, data: Buffer): KnownEvent {
  const decode = decoders[type];
  return decode ? decode(data) : { kind: 'other', type };
}

const unique = (values: readonly string[]): string[] => [...new Set(values.filter((v) => v !== ''))];
const kindOf = (kind: Parameters<typeof releaseKindFilterOf>[0]): 'edition' | 'amendment' | undefined => {
  const k = releaseKindFilterOf(kind);
  return k === 'any' ? undefined : k;
};

export function facetsOf(type: string, event: KnownEvent): EventFacets {
  switch (event.kind) {
    case 'versionPublished': {
      const p = event.payload;
      return {
        type,
        releaseId: p.releaseId,
        releaseKind: kindOf(p.kind),
        fieldCodes: unique([...p.fieldCodes, ...p.itemVersions.map((v) => v.fieldCode)]),
        itemCodes: unique(p.itemVersions.map((v) => v.itemCode)),
      };
    }
    case 'versionEffective': {
      const p = event.payload;
      return {
        type,
        releaseId: p.releaseId,
        releaseKind: kindOf(p.kind),
        fieldCodes: unique(p.fieldCodes),
        itemCodes: unique(p.itemVersions.map((v) => v.itemCode)),
      };
    }
    case 'localStandardFiled': {
      const p = event.payload;
      return { type, provinceCodes: unique([p.provinceCode]), itemCodes: unique([p.itemCode]), fieldCodes: unique([p.fieldCode]) };
    }
    case 'floorBreached': {
      const p = event.payload;
      return { type, releaseId: p.releaseId, provinceCodes: unique([p.provinceCode]), itemCodes: unique([p.itemCode]), fieldCodes: unique([p.fieldCode]) };
    }
    case 'complianceWarning': {
      const p = event.payload;
      return { type, provinceCodes: unique([p.provinceCode]), itemCodes: unique([p.itemCode]), fieldCodes: unique([p.fieldCode]) };
    }
    case 'changeSetRejected':
      return { type, itemCodes: unique(event.payload.conflicts.map((c) => c.itemCode)) };
    case 'changeSetApproved': {
      const cs = event.payload.changeSet;
      return cs ? { type, releaseKind: kindOf(cs.kind), fieldCodes: unique(cs.fieldCodes) } : { type };
    }
    case 'technicalStandard': {
      const s = event.payload.standard;
      return s
        ? { type, fieldCodes: unique(s.fieldCodes), itemCodes: unique(s.itemCodes), ...(s.provinceCode ? { provinceCodes: [s.provinceCode] } : {}) }
        : { type };
    }
    case 'pilot': {
      const p = event.payload.pilot;
      return p ? { type, fieldCodes: unique(p.fieldCodes), provinceCodes: unique(p.provinceCodes) } : { type };
    }
    case 'evaluationRecorded': {
      const e = event.payload.evaluation;
      // A national evaluation (000000) names no province: a province filter does not hide it.
      return e
        ? {
            type,
            fieldCodes: unique([e.fieldCode]),
            itemCodes: unique([e.itemCode]),
            ...(e.provinceCode !== '000000' ? { provinceCodes: [e.provinceCode] } : {}),
          }
        : { type };
    }
    case 'proposalDecided':
    case 'other':
      return { type };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

// Event types on bps.standards.v1, emitted by the registry.
import {
  ChangeSetRejected,
  ComplianceWarning,
  ErratumApproved,
  ErratumProposed,
  ErratumRefused,
  FloorBreached,
  LocalStandardFiled,
  VersionEffective,
  VersionPublished,
} from '../../../proto/gen/bps/standards/v1/events';
import { defineEvent, topics } from './catalog';

export const standardEvents = {
  versionPublished: defineEvent('bps.standard.version.published', topics.standards, 'bps.standards.v1.VersionPublished', VersionPublished),
  versionEffective: defineEvent('bps.standard.version.effective', topics.standards, 'bps.standards.v1.VersionEffective', VersionEffective),
  localStandardFiled: defineEvent('bps.standard.local.filed', topics.standards, 'bps.standards.v1.LocalStandardFiled', LocalStandardFiled),
  floorBreached: defineEvent('bps.standard.floor.breached', topics.standards, 'bps.standards.v1.FloorBreached', FloorBreached),
  changeSetRejected: defineEvent('bps.standard.changeset.rejected', topics.standards, 'bps.standards.v1.ChangeSetRejected', ChangeSetRejected),
  erratumProposed: defineEvent('bps.standard.erratum.proposed', topics.standards, 'bps.standards.v1.ErratumProposed', ErratumProposed),
  erratumApproved: defineEvent('bps.standard.erratum.approved', topics.standards, 'bps.standards.v1.ErratumApproved', ErratumApproved),
  erratumRefused: defineEvent('bps.standard.erratum.refused', topics.standards, 'bps.standards.v1.ErratumRefused', ErratumRefused),
  /** National monitoring's early warning: a province × item entered an alarming state (issue #17). */
  complianceWarning: defineEvent('bps.standard.compliance.warning', topics.standards, 'bps.standards.v1.ComplianceWarning', ComplianceWarning),
} as const;

// Event types on bps.standards.v1, emitted by the registry.
import {
  ChangeSetRejected, FloorBreached, LocalStandardFiled, VersionEffective, VersionPublished,
} from '../../../proto/gen/bps/standards/v1/events';
import { defineEvent, topics } from './catalog';

export const standardEvents = {
  versionPublished: defineEvent('bps.standard.version.published', topics.standards, 'bps.standards.v1.VersionPublished', VersionPublished),
  versionEffective: defineEvent('bps.standard.version.effective', topics.standards, 'bps.standards.v1.VersionEffective', VersionEffective),
  localStandardFiled: defineEvent('bps.standard.local.filed', topics.standards, 'bps.standards.v1.LocalStandardFiled', LocalStandardFiled),
  floorBreached: defineEvent('bps.standard.floor.breached', topics.standards, 'bps.standards.v1.FloorBreached', FloorBreached),
  changeSetRejected: defineEvent('bps.standard.changeset.rejected', topics.standards, 'bps.standards.v1.ChangeSetRejected', ChangeSetRejected),
} as const;

// Event types on bps.audit.v1, emitted by the audit service: signed checkpoints of its hash-chained logs.
import { CheckpointSigned } from '../../../proto/gen/bps/audit/v1/events';
import { defineEvent, topics } from './catalog';

export const auditEvents = {
  checkpointSigned: defineEvent('bps.audit.checkpoint.signed', topics.audit, 'bps.audit.v1.CheckpointSigned', CheckpointSigned),
} as const;

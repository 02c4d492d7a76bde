// gRPC `Audit`: auditors and operators only. Requests are validated before any read; nothing here writes to the
// logs (exports may sign a checkpoint at a log's current head, which is what checkpoints are for).
import { createHash } from 'node:crypto';
import type { handleUnaryCall } from '@grpc/grpc-js';
import type { AuditServer, Trace, TraceStep as TraceStepMessage } from '../../../../proto/gen/bps/audit/v1/audit';
import type { Checkpoint as CheckpointMessage } from '../../../../proto/gen/bps/audit/v1/events';
import type { Identity } from '../../../shared/auth/identity';
import { PermissionDeniedError, ValidationError, type FieldViolation } from '../../../shared/errors/errors';
import { identityOf } from '../../../shared/grpc/server';
import { GLOBAL_LOG, isLogName } from '../../domain/derive';
import { isHashAlgorithm } from '../../domain/hashing';
import { isSignatureAlgorithm, type SignedCheckpoint } from '../../domain/signing';
import type { TraceStep, TraceTarget } from '../../domain/trace';
import { verifyLog, type ChainReader, type CheckpointReader, type VerificationAnchors } from '../../application/verify-log';
import type { TraceReader } from '../../application/trace';
import type { PublicKeyInfo } from '../../domain/signing';
import { checkpointToProto } from '../mongo/checkpoints';
import { recordAuditVerification } from '../../../shared/telemetry/metrics';

export function requireAuditAccess(identity: Identity): void {
  if (!identity.roles.includes('auditor') && !identity.roles.includes('operator')) {
    throw new PermissionDeniedError('the audit trail is readable by the roles auditor and operator only', 'MISSING_ROLE');
  }
}

function stepToProto(step: TraceStep): TraceStepMessage {
  return {
    globalSequence: String(step.globalSequence),
    eventId: step.eventId,
    eventType: step.eventType,
    source: step.source,
    subject: step.subject,
    time: new Date(step.time),
    actor: step.actor ? { ...step.actor, roles: [...step.actor.roles] } : undefined,
    what: step.what,
    why: step.why,
    traceId: step.traceId,
    hash: step.hash,
    aggregates: step.aggregates.map((a) => ({ ...a })),
    dataJson: step.dataJson,
  };
}

function traceToProto(result: { steps: readonly TraceStep[]; logs: readonly string[] }): Trace {
  return { steps: result.steps.map(stepToProto), logs: [...result.logs] };
}

function required(violations: FieldViolation[], field: string, value: string): void {
  if (value.trim() === '') violations.push({ field, description: 'required' });
}

function check(violations: FieldViolation[]): void {
  if (violations.length > 0) throw new ValidationError(violations);
}

function toTarget(
  request: { itemCode: string; version: number } | { proposalId: string } | { cycleId: string } | { subject: string; from?: Date; to?: Date },
  prefix: string,
): TraceTarget {
  const violations: FieldViolation[] = [];
  let target: TraceTarget;
  if ('itemCode' in request) {
    required(violations, `${prefix}item_code`, request.itemCode);
    if (!Number.isInteger(request.version) || request.version < 1) violations.push({ field: `${prefix}version`, description: 'must be 1 or more' });
    target = { kind: 'item-version', itemCode: request.itemCode, version: request.version };
  } else if ('proposalId' in request) {
    required(violations, `${prefix}proposal_id`, request.proposalId);
    target = { kind: 'proposal', proposalId: request.proposalId };
  } else if ('cycleId' in request) {
    required(violations, `${prefix}cycle_id`, request.cycleId);
    target = { kind: 'cycle', cycleId: request.cycleId };
  } else {
    required(violations, `${prefix}subject`, request.subject);
    if (request.from && request.to && request.from >= request.to) violations.push({ field: `${prefix}to`, description: 'must be after from' });
    target = { kind: 'actor', subject: request.subject, from: request.from?.toISOString(), to: request.to?.toISOString() };
  }
  check(violations);
  return target;
}

function fromProtoCheckpoint(message: CheckpointMessage, index: number): SignedCheckpoint {
  const violations: FieldViolation[] = [];
  const field = (name: string) => `checkpoints[${index}].${name}`;
  const size = Number(message.size);
  if (!Number.isSafeInteger(size) || size < 0) violations.push({ field: field('size'), description: 'must be a non-negative integer' });
  if (!isHashAlgorithm(message.hashAlgorithm)) violations.push({ field: field('hash_algorithm'), description: 'must be sha256 or sm3' });
  if (!isSignatureAlgorithm(message.signatureAlgorithm)) violations.push({ field: field('signature_algorithm'), description: 'must be ed25519 or sm2' });
  if (!message.time) violations.push({ field: field('time'), description: 'required' });
  required(violations, field('log'), message.log);
  check(violations);
  return {
    log: message.log,
    size,
    headHash: message.headHash,
    hashAlgorithm: message.hashAlgorithm as SignedCheckpoint['hashAlgorithm'],
    time: message.time!.toISOString(),
    signatureAlgorithm: message.signatureAlgorithm as SignedCheckpoint['signatureAlgorithm'],
    keyId: message.keyId,
    signature: message.signature,
  };
}

// Adapts an async handler to grpc-js's callback style (the bootstrap maps thrown PlatformErrors).
function unaryHandler<Req, Res>(fn: (request: Req, identity: Identity) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    void (async () => {
      const identity = identityOf(call);
      requireAuditAccess(identity);
      return fn(call.request, identity);
    })().then(
      (response) => callback(null, response),
      (error: unknown) => callback(error as never, null),
    );
  };
}

export function auditServer(deps: {
  store: ChainReader;
  checkpoints: CheckpointReader;
  anchors: VerificationAnchors;
  keys: { all(): Promise<ReadonlyMap<string, PublicKeyInfo>> };
  traces: TraceReader;
}): AuditServer {
  const { store, checkpoints, anchors, keys, traces } = deps;
  return {
    traceItemVersion: unaryHandler(async (request) => {
      const result = await traces.trace(toTarget({ itemCode: request.itemCode, version: request.version }, ''));
      const p = result.provenance;
      return {
        trace: traceToProto(result),
        releaseId: p?.releaseId ?? '',
        changeSetId: p?.changeSetId ?? '',
        proposalIds: [...(p?.proposalIds ?? [])],
        workflowId: p?.workflowId ?? '',
        cycleId: p?.cycleId ?? '',
      };
    }),
    traceProposal: unaryHandler(async (request) => ({ trace: traceToProto(await traces.trace(toTarget({ proposalId: request.proposalId }, ''))) })),
    traceCycle: unaryHandler(async (request) => ({ trace: traceToProto(await traces.trace(toTarget({ cycleId: request.cycleId }, ''))) })),
    traceActor: unaryHandler(async (request) => ({
      trace: traceToProto(await traces.trace(toTarget({ subject: request.subject, from: request.from, to: request.to }, ''))),
    })),
    verify: unaryHandler(async (request) => {
      const log = request.log.trim() === '' ? GLOBAL_LOG : request.log.trim();
      if (!isLogName(log))
        check([
          {
            field: 'log',
            description: 'must be "global", "actor:<subject>" or "<kind>:<id>" with kind item, release, change-set, proposal, workflow, cycle or subscription',
          },
        ]);
      const result = await verifyLog(
        { chain: store, checkpoints, anchors, trustedKeys: () => keys.all(), now: () => new Date() },
        { log, given: request.checkpoints.map(fromProtoCheckpoint), full: request.full },
      );
      recordAuditVerification(log, result.ok);
      const m = result.chain.mismatch;
      return {
        log,
        ok: result.ok,
        size: String(result.chain.storedSize),
        headHash: result.headHash,
        firstMismatch: m ? { sequence: String(m.sequence), reason: m.reason, description: m.description, expected: m.expected, actual: m.actual } : undefined,
        checkpoints: result.checkpoints.map(({ checkpoint, check: c }) => ({
          checkpoint: checkpointToProto(checkpoint),
          ok: c.ok,
          problem: c.ok ? '' : c.problem,
          description: c.ok ? '' : c.description,
        })),
        full: result.anchor === undefined,
        verifiedFrom: String(result.chain.from),
        anchor: result.anchor ? checkpointToProto(result.anchor) : undefined,
        entriesChecked: String(result.entriesChecked),
      };
    }),
    exportTrace: unaryHandler(async (request) => {
      const t = request.target;
      if (!t) check([{ field: 'target', description: 'one of item_version, proposal, cycle, actor is required' }]);
      let target: TraceTarget;
      switch (t!.$case) {
        case 'itemVersion':
          target = toTarget({ itemCode: t!.itemVersion.itemCode, version: t!.itemVersion.version }, 'item_version.');
          break;
        case 'proposal':
          target = toTarget({ proposalId: t!.proposal.proposalId }, 'proposal.');
          break;
        case 'cycle':
          target = toTarget({ cycleId: t!.cycle.cycleId }, 'cycle.');
          break;
        case 'actor':
          target = toTarget({ subject: t!.actor.subject, from: t!.actor.from, to: t!.actor.to }, 'actor.');
          break;
        default: {
          const unknown: never = t!;
          throw new ValidationError([{ field: 'target', description: `unknown target ${JSON.stringify(unknown)}` }]);
        }
      }
      const document = `${JSON.stringify(await traces.export(target), null, 2)}\n`;
      return { document, sha256: createHash('sha256').update(document).digest('hex') };
    }),
  };
}

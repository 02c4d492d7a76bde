// gRPC Proposals: thin translation between the wire and the use cases (errors map via the bootstrap).
import { openPageToken, sealPageToken } from '../../../shared/validation/page-token';
import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { CommentStatus, type ProposalsServer } from '../../../../proto/gen/bps/proposals/v1/proposals';
import { ProposalKind, ProposalState } from '../../../../proto/gen/bps/proposals/v1/proposal';
import { ValidationError } from '../../../shared/errors/errors';
import { identityOf, idempotencyKeyOf } from '../../../shared/grpc/server';
import { statusOf } from '../../domain/view';
import type { Proposals } from '../../application/proposals';

function unaryHandler<Req, Res>(fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    fn(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(error as never),
    );
  };
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

function requireId(id: string, field = 'proposal_id'): string {
  if (id.trim() === '') throw new ValidationError([{ field, description: 'is required' }]);
  return id;
}

function requireRevision(revision: number): number {
  if (revision < 1) throw new ValidationError([{ field: 'expected_revision', description: 'must be the revision the edit was made on (1 or more)' }]);
  return revision;
}

export function proposalsHandlers(proposals: Proposals): ProposalsServer {
  return {
    // The request id, or else the call's idempotency key: ids are then claimed with the key, so even a create
    // whose process died before recording its result is not repeated by a retry (issue #19).
    createProposal: unaryHandler(async (req, call) => ({
      proposal: await proposals.create(identityOf(call), req.content, req.requestId || idempotencyKeyOf(call)),
    })),
    updateDraft: unaryHandler(async (req, call) => ({
      proposal: await proposals.update(identityOf(call), requireId(req.proposalId), requireRevision(req.expectedRevision), req.content),
    })),
    getProposal: unaryHandler(async (req, call) => ({ proposal: await proposals.get(identityOf(call), requireId(req.proposalId), req.revision) })),
    listProposals: unaryHandler(async (req, call) => {
      const violations = [];
      if (req.pageSize < 0 || req.pageSize > MAX_PAGE)
        violations.push({ field: 'page_size', description: `must be between 1 and ${MAX_PAGE} (0 = ${DEFAULT_PAGE})` });
      if (!(req.kind in ProposalKind) || req.kind === ProposalKind.UNRECOGNIZED) violations.push({ field: 'kind', description: 'unknown proposal kind' });
      const status = req.state === ProposalState.PROPOSAL_STATE_UNSPECIFIED ? undefined : statusOf(req.state);
      if (req.state !== ProposalState.PROPOSAL_STATE_UNSPECIFIED && !status) violations.push({ field: 'state', description: 'unknown proposal state' });
      if (violations.length > 0) throw new ValidationError(violations);
      const limit = req.pageSize || DEFAULT_PAGE;
      // Page tokens are HMAC-sealed "after" ids bound to the filters (issue #15: forged tokens were accepted).
      const scope = JSON.stringify(['ListProposals', req.leadMinistry, req.fieldCode, req.kind, req.state, req.cycleId]);
      const after = openPageToken(scope, req.pageToken);
      const page = await proposals.list(identityOf(call), {
        leadMinistry: req.leadMinistry || undefined,
        fieldCode: req.fieldCode || undefined,
        kind: req.kind || undefined,
        status,
        cycleId: req.cycleId || undefined,
        after: after || undefined,
        limit,
      });
      const last = page[page.length - 1];
      return { proposals: page, nextPageToken: page.length === limit && last ? sealPageToken(scope, last.proposalId) : '' };
    }),
    computeFiscalEstimate: unaryHandler(async (req, call) => {
      const source = req.source;
      if (!source) throw new ValidationError([{ field: 'source', description: 'give proposal_id or content' }]);
      switch (source.$case) {
        case 'proposalId':
          return { estimate: await proposals.estimateStored(identityOf(call), requireId(source.proposalId), req.revision) };
        case 'content':
          return { estimate: await proposals.estimateContent(source.content) };
        default: {
          const never: never = source;
          throw new ValidationError([{ field: 'source', description: `unknown source ${String(never)}` }]);
        }
      }
    }),
    validateProposal: unaryHandler(async (req, call) => proposals.validate(identityOf(call), requireId(req.proposalId))),
    submitProposal: unaryHandler(async (req, call) => ({
      proposal: await proposals.submit(identityOf(call), requireId(req.proposalId), requireRevision(req.expectedRevision)),
    })),
    withdrawProposal: unaryHandler(async (req, call) => ({ proposal: await proposals.withdraw(identityOf(call), requireId(req.proposalId), req.reason) })),
    rebaseProposal: unaryHandler(async (req, call) => proposals.rebase(identityOf(call), requireId(req.proposalId), requireRevision(req.expectedRevision))),
    openConsultation: unaryHandler(async (req, call) => ({
      consultation: await proposals.openConsultation(identityOf(call), requireId(req.proposalId), {
        opensOn: req.opensOn,
        closesOn: req.closesOn,
        summary: req.summary,
      }),
    })),
    getConsultation: unaryHandler(async (req, call) => ({ consultation: await proposals.getConsultation(identityOf(call), requireId(req.proposalId)) })),
    listConsultations: unaryHandler(async (req) => ({ consultations: await proposals.listConsultations(req.includeClosed) })),
    submitConsultationComment: unaryHandler(async (req, call) => {
      const { commentId } = await proposals.submitComment(identityOf(call), requireId(req.proposalId), {
        text: req.text,
        commenterName: req.commenterName,
        commenterOrganisation: req.commenterOrganisation,
        clientHash: req.clientHash,
      });
      return { commentId, status: CommentStatus.COMMENT_STATUS_HELD };
    }),
    moderateConsultationComment: unaryHandler(async (req, call) => ({
      consultation: await proposals.moderateComment(
        identityOf(call),
        requireId(req.proposalId),
        requireId(req.commentId, 'comment_id'),
        req.publish,
        req.reason,
      ),
    })),
  };
}

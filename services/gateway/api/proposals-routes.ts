// /api/v1/proposals/*: adjustment proposals (调整方案) over HTTP.
import {
  ComputeFiscalEstimateResponse,
  CreateProposalResponse,
  GetProposalResponse,
  ListProposalsResponse,
  RebaseProposalResponse,
  SubmitProposalResponse,
  UpdateDraftResponse,
  ValidateProposalResponse,
  WithdrawProposalResponse,
} from '../../../proto/gen/bps/proposals/v1/proposals';
import { ProposalContent, proposalKindFromJSON, proposalStateFromJSON } from '../../../proto/gen/bps/proposals/v1/proposal';
import type { Backends } from '../adapters/backends';
import { commonErrors, objectSchema, type ApiRoute } from '../http/api';
import type { ProtoSchemas } from '../http/proto-schema';

const proposalId = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' };
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function proposalRoutes(backends: Backends, schemas: ProtoSchemas): ApiRoute[] {
  const call = backends.call.bind(backends);
  const tag = 'proposals';
  const content = schemas.inline('bps.proposals.v1.ProposalContent');
  const idParams = objectSchema({ proposalId }, ['proposalId']);
  const writeErrors = [...commonErrors, 404, 409, 412, 413, 422];
  return [
    {
      method: 'POST',
      url: '/api/v1/proposals',
      operationId: 'createProposal',
      tag,
      auth: true,
      idempotent: true,
      summary: "Start a draft adjustment proposal for items the caller's ministry leads",
      body: objectSchema({ content }, ['content']),
      response: schemas.ref('bps.proposals.v1.CreateProposalResponse'),
      successStatus: 201,
      errors: writeErrors,
      handler: async ({ body, token, idempotencyKey }) =>
        CreateProposalResponse.toJSON(
          await call(
            'proposals',
            (c) => c.createProposal.bind(c),
            { content: ProposalContent.fromJSON((body as { content: unknown }).content), requestId: idempotencyKey },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/proposals',
      operationId: 'listProposals',
      tag,
      auth: true,
      summary: 'Proposals, filtered by lead ministry, field, kind, state or cycle',
      querystring: objectSchema({
        leadMinistry: { type: 'string', maxLength: 32 },
        field: { type: 'string', maxLength: 64 },
        kind: { type: 'string', enum: ['PROPOSAL_KIND_UNIFIED', 'PROPOSAL_KIND_AD_HOC'] },
        state: { type: 'string', pattern: '^PROPOSAL_STATE_[A-Z_]+$' },
        cycle: { type: 'string', maxLength: 128 },
        pageSize: { type: 'integer', minimum: 1, maximum: 200 },
        pageToken: { type: 'string', maxLength: 512 },
      }),
      response: schemas.ref('bps.proposals.v1.ListProposalsResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token }) =>
        ListProposalsResponse.toJSON(
          await call(
            'proposals',
            (c) => c.listProposals.bind(c),
            {
              leadMinistry: str(query['leadMinistry']),
              fieldCode: str(query['field']),
              kind: query['kind'] ? proposalKindFromJSON(query['kind']) : 0,
              state: query['state'] ? proposalStateFromJSON(query['state']) : 0,
              cycleId: str(query['cycle']),
              pageSize: typeof query['pageSize'] === 'number' ? query['pageSize'] : 0,
              pageToken: str(query['pageToken']),
            },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/proposals/:proposalId',
      operationId: 'getProposal',
      tag,
      auth: true,
      summary: 'A proposal (its current revision, or the revision asked for)',
      params: idParams,
      querystring: objectSchema({ revision: { type: 'integer', minimum: 1 } }),
      response: schemas.ref('bps.proposals.v1.GetProposalResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, query, token }) =>
        GetProposalResponse.toJSON(
          await call(
            'proposals',
            (c) => c.getProposal.bind(c),
            { proposalId: params['proposalId'] ?? '', revision: typeof query['revision'] === 'number' ? query['revision'] : 0 },
            token,
          ),
        ),
    },
    {
      method: 'PUT',
      url: '/api/v1/proposals/:proposalId/draft',
      operationId: 'updateDraft',
      tag,
      auth: true,
      summary: "Replace the draft's content (optimistic concurrency: 409 with currentRevision when stale)",
      params: idParams,
      body: objectSchema({ expectedRevision: { type: 'integer', minimum: 1 }, content }, ['expectedRevision', 'content']),
      response: schemas.ref('bps.proposals.v1.UpdateDraftResponse'),
      errors: writeErrors,
      handler: async ({ params, body, token }) => {
        const b = body as { expectedRevision: number; content: unknown };
        return UpdateDraftResponse.toJSON(
          await call(
            'proposals',
            (c) => c.updateDraft.bind(c),
            { proposalId: params['proposalId'] ?? '', expectedRevision: b.expectedRevision, content: ProposalContent.fromJSON(b.content) },
            token,
          ),
        );
      },
    },
    {
      method: 'POST',
      url: '/api/v1/proposals/:proposalId/validate',
      operationId: 'validateProposal',
      tag,
      auth: true,
      summary: 'Everything that would stop submission: violations, the fiscal estimate and conflicts',
      params: idParams,
      response: schemas.ref('bps.proposals.v1.ValidateProposalResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token }) =>
        ValidateProposalResponse.toJSON(await call('proposals', (c) => c.validateProposal.bind(c), { proposalId: params['proposalId'] ?? '' }, token)),
    },
    {
      method: 'POST',
      url: '/api/v1/proposals/:proposalId/submit',
      operationId: 'submitProposal',
      tag,
      auth: true,
      summary: 'Submit the draft for approval (starts the approval workflow)',
      params: idParams,
      body: objectSchema({ expectedRevision: { type: 'integer', minimum: 1 } }, ['expectedRevision']),
      response: schemas.ref('bps.proposals.v1.SubmitProposalResponse'),
      errors: writeErrors,
      handler: async ({ params, body, token }) =>
        SubmitProposalResponse.toJSON(
          await call(
            'proposals',
            (c) => c.submitProposal.bind(c),
            { proposalId: params['proposalId'] ?? '', expectedRevision: (body as { expectedRevision: number }).expectedRevision },
            token,
          ),
        ),
    },
    {
      method: 'POST',
      url: '/api/v1/proposals/:proposalId/withdraw',
      operationId: 'withdrawProposal',
      tag,
      auth: true,
      summary: 'Withdraw the proposal (until final approval)',
      params: idParams,
      body: objectSchema({ reason: { type: 'string', minLength: 1, maxLength: 2000 } }, ['reason']),
      response: schemas.ref('bps.proposals.v1.WithdrawProposalResponse'),
      errors: writeErrors,
      handler: async ({ params, body, token }) =>
        WithdrawProposalResponse.toJSON(
          await call(
            'proposals',
            (c) => c.withdrawProposal.bind(c),
            { proposalId: params['proposalId'] ?? '', reason: (body as { reason: string }).reason },
            token,
          ),
        ),
    },
    {
      method: 'POST',
      url: '/api/v1/proposals/:proposalId/rebase',
      operationId: 'rebaseProposal',
      tag,
      auth: true,
      summary: "Move the draft's changes onto the item versions now in force",
      params: idParams,
      body: objectSchema({ expectedRevision: { type: 'integer', minimum: 1 } }, ['expectedRevision']),
      response: schemas.ref('bps.proposals.v1.RebaseProposalResponse'),
      errors: writeErrors,
      handler: async ({ params, body, token }) =>
        RebaseProposalResponse.toJSON(
          await call(
            'proposals',
            (c) => c.rebaseProposal.bind(c),
            { proposalId: params['proposalId'] ?? '', expectedRevision: (body as { expectedRevision: number }).expectedRevision },
            token,
          ),
        ),
    },
    {
      method: 'POST',
      url: '/api/v1/fiscal-estimates',
      operationId: 'computeFiscalEstimate',
      tag,
      auth: true,
      summary: 'The fiscal cost estimate (财政经费投入测算) of unsaved proposal content, or of a stored proposal',
      body: objectSchema({ proposalId, revision: { type: 'integer', minimum: 1 }, content }),
      response: schemas.ref('bps.proposals.v1.ComputeFiscalEstimateResponse'),
      errors: [...commonErrors, 404, 413],
      handler: async ({ body, token }) => {
        const b = body as { proposalId?: string; revision?: number; content?: unknown };
        const source = b.proposalId
          ? { $case: 'proposalId' as const, proposalId: b.proposalId }
          : { $case: 'content' as const, content: ProposalContent.fromJSON(b.content ?? {}) };
        return ComputeFiscalEstimateResponse.toJSON(
          await call('proposals', (c) => c.computeFiscalEstimate.bind(c), { source, revision: b.revision ?? 0 }, token),
        );
      },
    },
  ];
}

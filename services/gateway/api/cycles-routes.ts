// /api/v1/cycles: the 5-year unified revision cycle (集中统一调整) over the approvals service's RevisionCycles.
import {
  ApprovePackageResponse,
  CloseCycleResponse,
  CloseProposalWindowResponse,
  FileEvaluationResponse,
  GetCycleResponse,
  ListCyclesResponse,
  OpenCycleRequest,
  OpenCycleResponse,
  ResolveConflictResponse,
  TrimProposalResponse,
} from '../../../proto/gen/bps/approvals/v1/cycles';
import { ChangeSet } from '../../../proto/gen/bps/standards/v1/changes';
import type { Backends } from '../adapters/backends';
import { commonErrors, objectSchema, type ApiRoute } from '../http/api';
import type { ProtoSchemas } from '../http/proto-schema';

const id = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' };
const code = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' };
const fen = { type: 'string', pattern: '^(0|[1-9][0-9]{0,20})$' };

export function cycleRoutes(backends: Backends, schemas: ProtoSchemas): ApiRoute[] {
  const call = backends.call.bind(backends);
  const tag = 'cycles';
  const cycleParams = objectSchema({ cycleId: id }, ['cycleId']);
  const cycleId = (p: Record<string, string>): string => p['cycleId'] ?? '';
  const actErrors = [...commonErrors, 404, 412, 422];
  const view = schemas.ref('bps.approvals.v1.GetCycleResponse');
  return [
    {
      method: 'GET',
      url: '/api/v1/cycles',
      operationId: 'listCycles',
      tag,
      auth: true,
      summary: 'Unified revision cycles, newest first',
      response: schemas.ref('bps.approvals.v1.ListCyclesResponse'),
      errors: [...commonErrors],
      handler: async ({ token }) => ListCyclesResponse.toJSON(await call('cycles', (c) => c.listCycles.bind(c), {}, token)),
    },
    {
      method: 'POST',
      url: '/api/v1/cycles',
      operationId: 'openCycle',
      tag,
      auth: true,
      summary: 'Open a unified revision cycle for a plan period (NDRC or the final approver)',
      description:
        'Fields with their lead ministries and (optionally) their own proposal window; one effective date; the fiscal-capacity ceiling by level of government.',
      body: schemas.inline('bps.approvals.v1.OpenCycleRequest'),
      response: schemas.ref('bps.approvals.v1.OpenCycleResponse'),
      successStatus: 201,
      errors: [...commonErrors, 409],
      handler: async ({ body, token }) => OpenCycleResponse.toJSON(await call('cycles', (c) => c.openCycle.bind(c), OpenCycleRequest.fromJSON(body), token)),
    },
    {
      method: 'GET',
      url: '/api/v1/cycles/:cycleId',
      operationId: 'getCycle',
      tag,
      auth: true,
      summary: 'A cycle: phase, per-field evaluations and windows, the package, conflicts, totals against the ceiling, re-filing',
      params: cycleParams,
      response: view,
      errors: [...commonErrors, 404],
      handler: async ({ params, token }) => GetCycleResponse.toJSON(await call('cycles', (c) => c.getCycle.bind(c), { cycleId: cycleId(params) }, token)),
    },
    {
      method: 'POST',
      url: '/api/v1/cycles/:cycleId/evaluations',
      operationId: 'fileEvaluation',
      tag,
      auth: true,
      summary: "The field's lead ministry files its evaluation of the standard in force",
      description:
        'citedEvaluationIds: implementation evaluations of the standardisation programme (effect evaluations, satisfaction surveys, equalisation indicators) cited as evidence — at most 50, each once, each recorded for this field (422 EVALUATION_NOT_FOUND, EVALUATION_OF_ANOTHER_FIELD).',
      params: cycleParams,
      body: objectSchema(
        {
          fieldCode: code,
          summary: { type: 'string', minLength: 1, maxLength: 8000 },
          citedEvaluationIds: { type: 'array', maxItems: 50, uniqueItems: true, items: id },
        },
        ['fieldCode', 'summary'],
      ),
      response: schemas.ref('bps.approvals.v1.FileEvaluationResponse'),
      errors: actErrors,
      handler: async ({ params, body, token }) => {
        const b = body as { fieldCode: string; summary: string; citedEvaluationIds?: string[] };
        return FileEvaluationResponse.toJSON(
          await call(
            'cycles',
            (c) => c.fileEvaluation.bind(c),
            { cycleId: cycleId(params), fieldCode: b.fieldCode, summary: b.summary, citedEvaluationIds: b.citedEvaluationIds ?? [] },
            token,
          ),
        );
      },
    },
    {
      method: 'POST',
      url: '/api/v1/cycles/:cycleId/windows/:fieldCode/close',
      operationId: 'closeProposalWindow',
      tag,
      auth: true,
      summary: "The field's lead ministry closes its proposal window before the deadline",
      params: objectSchema({ cycleId: id, fieldCode: code }, ['cycleId', 'fieldCode']),
      response: schemas.ref('bps.approvals.v1.CloseProposalWindowResponse'),
      errors: actErrors,
      handler: async ({ params, token }) =>
        CloseProposalWindowResponse.toJSON(
          await call('cycles', (c) => c.closeProposalWindow.bind(c), { cycleId: cycleId(params), fieldCode: params['fieldCode'] ?? '' }, token),
        ),
    },
    {
      method: 'POST',
      url: '/api/v1/cycles/:cycleId/conflicts/:itemCode/resolve',
      operationId: 'resolveConflict',
      tag,
      auth: true,
      summary: 'The final approver keeps one proposal on a conflicting item; the others leave the package',
      params: objectSchema({ cycleId: id, itemCode: code }, ['cycleId', 'itemCode']),
      body: objectSchema({ keepProposalId: id, reason: { type: 'string', minLength: 1, maxLength: 4000 } }, ['keepProposalId', 'reason']),
      response: schemas.ref('bps.approvals.v1.ResolveConflictResponse'),
      errors: actErrors,
      handler: async ({ params, body, token }) => {
        const b = body as { keepProposalId: string; reason: string };
        return ResolveConflictResponse.toJSON(
          await call(
            'cycles',
            (c) => c.resolveConflict.bind(c),
            { cycleId: cycleId(params), itemCode: params['itemCode'] ?? '', keepProposalId: b.keepProposalId, reason: b.reason },
            token,
          ),
        );
      },
    },
    {
      method: 'POST',
      url: '/api/v1/cycles/:cycleId/proposals/:proposalId/trim',
      operationId: 'trimProposal',
      tag,
      auth: true,
      summary:
        "In consolidation the NDRC approver or the final approver lowers a proposal's cost to fit the fiscal ceiling (money only: a different change set is refused; a reason is required)",
      params: objectSchema({ cycleId: id, proposalId: id }, ['cycleId', 'proposalId']),
      body: objectSchema(
        {
          fiscalTotals: objectSchema({ totalFen: fen, centralFen: fen, localFen: fen }, ['totalFen', 'centralFen', 'localFen']),
          changeSet: schemas.inline('bps.standards.v1.ChangeSet'),
          reason: { type: 'string', minLength: 1, maxLength: 2000 },
        },
        ['fiscalTotals', 'reason'],
      ),
      response: schemas.ref('bps.approvals.v1.TrimProposalResponse'),
      errors: actErrors,
      handler: async ({ params, body, token }) => {
        const b = body as { fiscalTotals: { totalFen: string; centralFen: string; localFen: string }; changeSet?: unknown; reason: string };
        return TrimProposalResponse.toJSON(
          await call(
            'cycles',
            (c) => c.trimProposal.bind(c),
            {
              cycleId: cycleId(params),
              proposalId: params['proposalId'] ?? '',
              fiscalTotals: b.fiscalTotals,
              changeSet: b.changeSet === undefined ? undefined : ChangeSet.fromJSON(b.changeSet),
              reason: b.reason,
            },
            token,
          ),
        );
      },
    },
    {
      method: 'POST',
      url: '/api/v1/cycles/:cycleId/approve',
      operationId: 'approvePackage',
      tag,
      auth: true,
      summary: 'The final approver approves the package (refused while conflicts remain or the ceiling is exceeded)',
      params: cycleParams,
      body: objectSchema({ comment: { type: 'string', maxLength: 4000 } }),
      response: schemas.ref('bps.approvals.v1.ApprovePackageResponse'),
      errors: actErrors,
      handler: async ({ params, body, token }) =>
        ApprovePackageResponse.toJSON(
          await call(
            'cycles',
            (c) => c.approvePackage.bind(c),
            { cycleId: cycleId(params), comment: (body as { comment?: string } | undefined)?.comment ?? '' },
            token,
          ),
        ),
    },
    {
      method: 'POST',
      url: '/api/v1/cycles/:cycleId/close',
      operationId: 'closeCycle',
      tag,
      auth: true,
      summary: 'The final approver closes the cycle after provincial re-filing',
      params: cycleParams,
      response: schemas.ref('bps.approvals.v1.CloseCycleResponse'),
      errors: actErrors,
      handler: async ({ params, token }) => CloseCycleResponse.toJSON(await call('cycles', (c) => c.closeCycle.bind(c), { cycleId: cycleId(params) }, token)),
    },
  ];
}

// /api/v1/inbox and /api/v1/approvals/*: approvers' open steps and their actions (会签, final approval).
import {
  ClaimStepResponse,
  DelegateStepResponse,
  GetApprovalResponse,
  ListMyOpenStepsResponse,
  ListMySignOffsResponse,
  OverruleObjectionResponse,
  ReleaseStepResponse,
  SignOffResponse,
  TakeBackStepResponse,
} from '../../../proto/gen/bps/approvals/v1/inbox';
import { positionFromJSON } from '../../../proto/gen/bps/approvals/v1/events';
import type { Backends } from '../adapters/backends';
import { commonErrors, objectSchema, type ApiRoute } from '../http/api';
import type { ProtoSchemas } from '../http/proto-schema';

const id = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' };
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const positions = [
  'POSITION_APPROVE',
  'POSITION_NO_OBJECTION',
  'POSITION_OBJECT',
  'POSITION_ABSTAIN',
  'POSITION_REJECT',
  'POSITION_RETURN_FOR_REVISION',
] as const;

export function inboxRoutes(backends: Backends, schemas: ProtoSchemas): ApiRoute[] {
  const call = backends.call.bind(backends);
  const tag = 'approvals';
  const stepParams = objectSchema({ proposalId: id, stepId: id }, ['proposalId', 'stepId']);
  const actErrors = [...commonErrors, 404, 409, 412, 422];
  const view = schemas.ref('bps.approvals.v1.SignOffResponse');
  const step = (p: Record<string, string>) => ({ proposalId: p['proposalId'] ?? '', stepId: p['stepId'] ?? '' });
  return [
    {
      method: 'GET',
      url: '/api/v1/inbox',
      operationId: 'listMyOpenSteps',
      tag,
      auth: true,
      summary: "The caller's open approval steps (including escalations), filtered",
      querystring: objectSchema({
        // Codes only: these reach a visibility query (issue #15).
        field: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9._:-]*$' },
        kind: { type: 'string', maxLength: 32, pattern: '^[A-Za-z0-9._:-]*$' },
        cycle: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9._:-]*$' },
        dueBefore: { type: 'string', format: 'date-time' },
        overdue: { type: 'boolean' },
      }),
      response: schemas.ref('bps.approvals.v1.ListMyOpenStepsResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token }) =>
        ListMyOpenStepsResponse.toJSON(
          await call(
            'approvals',
            (c) => c.listMyOpenSteps.bind(c),
            {
              fieldCode: str(query['field']),
              kind: str(query['kind']),
              cycleId: str(query['cycle']),
              dueBefore: query['dueBefore'] ? new Date(String(query['dueBefore'])) : undefined,
              overdueOnly: query['overdue'] === true,
            },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/approvals/:proposalId',
      operationId: 'getApproval',
      tag,
      auth: true,
      summary: 'The approval of a proposal: rounds, steps, positions, what it still needs',
      params: objectSchema({ proposalId: id }, ['proposalId']),
      response: schemas.ref('bps.approvals.v1.GetApprovalResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token }) =>
        GetApprovalResponse.toJSON(await call('approvals', (c) => c.getApproval.bind(c), { proposalId: params['proposalId'] ?? '' }, token)),
    },
    {
      method: 'GET',
      url: '/api/v1/approvals/:proposalId/my-sign-offs',
      operationId: 'listMySignOffs',
      tag,
      auth: true,
      summary: "The caller's own sign-offs on a proposal",
      params: objectSchema({ proposalId: id }, ['proposalId']),
      response: schemas.ref('bps.approvals.v1.ListMySignOffsResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token }) =>
        ListMySignOffsResponse.toJSON(await call('approvals', (c) => c.listMySignOffs.bind(c), { proposalId: params['proposalId'] ?? '' }, token)),
    },
    {
      method: 'POST',
      url: '/api/v1/approvals/:proposalId/steps/:stepId/sign',
      operationId: 'signOff',
      tag,
      auth: true,
      summary: 'Sign a step: approve, no objection, object, abstain, reject or return for revision (comment required for the last three and objections)',
      params: stepParams,
      body: objectSchema({ position: { type: 'string', enum: [...positions] }, comment: { type: 'string', maxLength: 4000 } }, ['position']),
      response: view,
      errors: actErrors,
      handler: async ({ params, body, token }) => {
        const b = body as { position: string; comment?: string };
        return SignOffResponse.toJSON(
          await call('approvals', (c) => c.signOff.bind(c), { ...step(params), position: positionFromJSON(b.position), comment: b.comment ?? '' }, token),
        );
      },
    },
    {
      method: 'POST',
      url: '/api/v1/approvals/:proposalId/steps/:stepId/claim',
      operationId: 'claimStep',
      tag,
      auth: true,
      summary: 'Claim a step so colleagues see you are handling it',
      params: stepParams,
      response: view,
      errors: actErrors,
      handler: async ({ params, token }) => ClaimStepResponse.toJSON(await call('approvals', (c) => c.claimStep.bind(c), step(params), token)),
    },
    {
      method: 'POST',
      url: '/api/v1/approvals/:proposalId/steps/:stepId/release',
      operationId: 'releaseStep',
      tag,
      auth: true,
      summary: 'Release a claimed step',
      params: stepParams,
      response: view,
      errors: actErrors,
      handler: async ({ params, token }) => ReleaseStepResponse.toJSON(await call('approvals', (c) => c.releaseStep.bind(c), step(params), token)),
    },
    {
      method: 'POST',
      url: '/api/v1/approvals/:proposalId/steps/:stepId/delegate',
      operationId: 'delegateStep',
      tag,
      auth: true,
      summary: 'Delegate a step to a colleague of the same role and organisation',
      params: stepParams,
      body: objectSchema({ delegate: { type: 'string', minLength: 1, maxLength: 128 } }, ['delegate']),
      response: view,
      errors: actErrors,
      handler: async ({ params, body, token }) =>
        DelegateStepResponse.toJSON(
          await call('approvals', (c) => c.delegateStep.bind(c), { ...step(params), delegate: (body as { delegate: string }).delegate }, token),
        ),
    },
    {
      method: 'POST',
      url: '/api/v1/approvals/:proposalId/steps/:stepId/take-back',
      operationId: 'takeBackStep',
      tag,
      auth: true,
      summary: 'Take back a delegated step',
      params: stepParams,
      response: view,
      errors: actErrors,
      handler: async ({ params, token }) => TakeBackStepResponse.toJSON(await call('approvals', (c) => c.takeBackStep.bind(c), step(params), token)),
    },
    {
      method: 'POST',
      url: '/api/v1/approvals/:proposalId/steps/:stepId/overrule',
      operationId: 'overruleObjection',
      tag,
      auth: true,
      summary: 'The final approver overrules a countersign objection (comment required)',
      params: stepParams,
      body: objectSchema({ comment: { type: 'string', minLength: 1, maxLength: 4000 } }, ['comment']),
      response: view,
      errors: actErrors,
      handler: async ({ params, body, token }) =>
        OverruleObjectionResponse.toJSON(
          await call('approvals', (c) => c.overruleObjection.bind(c), { ...step(params), comment: (body as { comment: string }).comment }, token),
        ),
    },
  ];
}

// /api/v1/audit/*: traces from the tamper-evident audit trail, hash-chain verification and exports (roles auditor,
// operator; the audit service decides).
import {
  type ExportTraceRequest,
  ExportTraceResponse,
  type Trace,
  TraceActorResponse,
  TraceCycleResponse,
  TraceItemVersionResponse,
  TraceProposalResponse,
  VerifyRequest,
  VerifyResponse,
} from '../../../proto/gen/bps/audit/v1/audit';
import type { Backends } from '../adapters/backends';
import { commonErrors, GatewayHttpError, objectSchema, type ApiRoute } from '../http/api';
import type { JsonSchema, ProtoSchemas } from '../http/proto-schema';

const itemCode = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'service item code' };
const id = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' };
const subject = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._@:-]+$', description: "the actor's subject (token `sub`)" };
const period = {
  from: { type: 'string', format: 'date-time', description: 'inclusive' },
  to: { type: 'string', format: 'date-time', description: 'exclusive' },
};

/** What a trace is about; the console, the API and the export share it. */
export type AuditTarget =
  | { readonly kind: 'item-version'; readonly itemCode: string; readonly version: number }
  | { readonly kind: 'proposal'; readonly proposalId: string }
  | { readonly kind: 'cycle'; readonly cycleId: string }
  | { readonly kind: 'actor'; readonly subject: string; readonly from?: Date; readonly to?: Date };

export function exportRequest(t: AuditTarget): ExportTraceRequest {
  switch (t.kind) {
    case 'item-version':
      return { target: { $case: 'itemVersion', itemVersion: { itemCode: t.itemCode, version: t.version } } };
    case 'proposal':
      return { target: { $case: 'proposal', proposal: { proposalId: t.proposalId } } };
    case 'cycle':
      return { target: { $case: 'cycle', cycle: { cycleId: t.cycleId } } };
    case 'actor':
      return { target: { $case: 'actor', actor: { subject: t.subject, from: t.from, to: t.to } } };
    default: {
      const unknown: never = t;
      throw new Error(`unknown audit target ${JSON.stringify(unknown)}`);
    }
  }
}

export type TraceResult = {
  readonly trace: Trace | undefined;
  /** For an item version: the release, change set, proposals, workflow and cycle behind it. */
  readonly itemVersion?: TraceItemVersionResponse;
  /** The response as the API returns it. */
  readonly json: unknown;
};

export async function fetchTrace(backends: Backends, t: AuditTarget, token: string | undefined): Promise<TraceResult> {
  switch (t.kind) {
    case 'item-version': {
      const res = await backends.call('audit', (c) => c.traceItemVersion.bind(c), { itemCode: t.itemCode, version: t.version }, token);
      return { trace: res.trace, itemVersion: res, json: TraceItemVersionResponse.toJSON(res) };
    }
    case 'proposal': {
      const res = await backends.call('audit', (c) => c.traceProposal.bind(c), { proposalId: t.proposalId }, token);
      return { trace: res.trace, json: TraceProposalResponse.toJSON(res) };
    }
    case 'cycle': {
      const res = await backends.call('audit', (c) => c.traceCycle.bind(c), { cycleId: t.cycleId }, token);
      return { trace: res.trace, json: TraceCycleResponse.toJSON(res) };
    }
    case 'actor': {
      const res = await backends.call('audit', (c) => c.traceActor.bind(c), { subject: t.subject, from: t.from, to: t.to }, token);
      return { trace: res.trace, json: TraceActorResponse.toJSON(res) };
    }
    default: {
      const unknown: never = t;
      throw new Error(`unknown audit target ${JSON.stringify(unknown)}`);
    }
  }
}

function timeQuery(value: unknown, field: string): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw GatewayHttpError.invalid([{ field, description: 'must be an RFC 3339 timestamp' }]);
  return d;
}

type TargetRoute = {
  readonly path: string;
  readonly name: string;
  readonly what: string;
  readonly params: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly target: (params: Record<string, string>, query: Record<string, unknown>) => AuditTarget;
  readonly response: string;
};

export function auditRoutes(backends: Backends, schemas: ProtoSchemas): ApiRoute[] {
  const tag = 'audit';
  const errors = [...commonErrors, 404];
  const targets: TargetRoute[] = [
    {
      path: '/api/v1/audit/items/:itemCode/versions/:version',
      name: 'ItemVersion',
      what: 'a published item version: its release, change set, proposals, every approval event and the notifications sent',
      params: objectSchema({ itemCode, version: { type: 'integer', minimum: 1 } }, ['itemCode', 'version']),
      target: (p) => ({ kind: 'item-version', itemCode: p['itemCode'] ?? '', version: Number(p['version']) }),
      response: 'bps.audit.v1.TraceItemVersionResponse',
    },
    {
      path: '/api/v1/audit/proposals/:proposalId',
      name: 'Proposal',
      what: 'a proposal with its workflow, approvals, release and notifications',
      params: objectSchema({ proposalId: id }, ['proposalId']),
      target: (p) => ({ kind: 'proposal', proposalId: p['proposalId'] ?? '' }),
      response: 'bps.audit.v1.TraceProposalResponse',
    },
    {
      path: '/api/v1/audit/cycles/:cycleId',
      name: 'Cycle',
      what: "a revision cycle: every field's proposals, outcomes, consolidation decisions and the release",
      params: objectSchema({ cycleId: id }, ['cycleId']),
      target: (p) => ({ kind: 'cycle', cycleId: p['cycleId'] ?? '' }),
      response: 'bps.audit.v1.TraceCycleResponse',
    },
    {
      path: '/api/v1/audit/actors/:subject',
      name: 'Actor',
      what: 'everything one person or system did in a period',
      params: objectSchema({ subject }, ['subject']),
      querystring: objectSchema(period),
      target: (p, q) => {
        const from = timeQuery(q['from'], 'from');
        const to = timeQuery(q['to'], 'to');
        return { kind: 'actor', subject: p['subject'] ?? '', ...(from ? { from } : {}), ...(to ? { to } : {}) };
      },
      response: 'bps.audit.v1.TraceActorResponse',
    },
  ];
  return [
    ...targets.flatMap((r): ApiRoute[] => [
      {
        method: 'GET',
        url: `${r.path}/trace`,
        operationId: `trace${r.name}`,
        tag,
        auth: true,
        summary: `The audit trace of ${r.what}, in the order the events were recorded`,
        params: r.params,
        ...(r.querystring ? { querystring: r.querystring } : {}),
        response: schemas.ref(r.response),
        errors,
        handler: async ({ params, query, token }) => (await fetchTrace(backends, r.target(params, query), token)).json,
      },
      {
        method: 'GET',
        url: `${r.path}/export`,
        operationId: `export${r.name}Trace`,
        tag,
        auth: true,
        summary: `The audit trace of ${r.what} as a self-verifying JSON document (log entries, signed checkpoints, public keys)`,
        description: 'Check `document` offline with `npm run audit:verify -- <file>`; `sha256` is its digest.',
        params: r.params,
        ...(r.querystring ? { querystring: r.querystring } : {}),
        response: schemas.ref('bps.audit.v1.ExportTraceResponse'),
        errors,
        handler: async ({ params, query, token }) =>
          ExportTraceResponse.toJSON(await backends.call('audit', (c) => c.exportTrace.bind(c), exportRequest(r.target(params, query)), token)),
      },
    ]),
    {
      method: 'POST',
      url: '/api/v1/audit/verify',
      operationId: 'verifyLog',
      tag,
      auth: true,
      summary: "Recompute a log's hash chain and check its signed checkpoints (and any given ones) against it",
      description:
        '`log` is "global" (default), "<kind>:<id>" (item, release, change-set, proposal, workflow, cycle, subscription) or "actor:<subject>"; `ok` is false with `firstMismatch` naming the first broken record.',
      bodyOptional: true,
      body: objectSchema({
        log: { type: 'string', maxLength: 300 },
        checkpoints: { type: 'array', maxItems: 100, items: schemas.inline('bps.audit.v1.Checkpoint') },
        full: { type: 'boolean' },
      }),
      response: schemas.ref('bps.audit.v1.VerifyResponse'),
      errors: [...errors, 413],
      handler: async ({ body, token }) =>
        VerifyResponse.toJSON(await backends.call('audit', (c) => c.verify.bind(c), VerifyRequest.fromJSON(body ?? {}), token)),
    },
  ];
}

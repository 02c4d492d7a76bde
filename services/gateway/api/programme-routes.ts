// /api/v1/programme/*: the standardisation programme (seeds 002–004) over the programme service — the register of
// technical standards and their life, coverage and the 2027 targets, experts, pilot batches and pilots, and
// implementation evaluations. The service decides every permission; the gateway only shapes HTTP.
//
// Public (the portal, seed 000 §二十): standards that are published, in force, reviewed or withdrawn, pilots whose
// results are published, the coverage and progress views, pilot batches (calls for applications) and evaluation
// results. A visitor sees nothing in the pipeline (drafts, applications under screening); signed in, the service
// answers as it does for the caller. Experts and every write need a sign-in.
import {
  ActOnPilotRequest,
  ActOnPilotResponse,
  AdvanceStandardRequest,
  AdvanceStandardResponse,
  ApplyForPilotRequest,
  ApplyForPilotResponse,
  evaluationKindFromJSON,
  GetCoverageResponse,
  GetEvaluationResponse,
  GetPilotResponse,
  GetProgrammeProgressResponse,
  GetStandardResponse,
  ListEvaluationsResponse,
  ListExpertsResponse,
  ListPilotBatchesResponse,
  ListPilotsResponse,
  ListStandardsResponse,
  OpenPilotBatchRequest,
  OpenPilotBatchResponse,
  type Pilot,
  pilotStatusFromJSON,
  PilotStatus,
  ProposeStandardRequest,
  ProposeStandardResponse,
  RecordEvaluationRequest,
  RecordEvaluationResponse,
  RegisterExpertRequest,
  RegisterExpertResponse,
  standardKindFromJSON,
  standardLevelFromJSON,
  standardStageFromJSON,
  StandardStage,
} from '../../../proto/gen/bps/programme/v1/programme';
import type { Backends } from '../adapters/backends';
import { dateViolations } from '../../shared/validation/input';
import { commonErrors, GatewayHttpError, objectSchema, type ApiRoute } from '../http/api';
import { gatewayError, jsonFieldPath } from '../http/errors';
import type { JsonSchema, ProtoSchemas } from '../http/proto-schema';

const id = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' };
const code = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' };
const regionCode = { type: 'string', pattern: '^\\d{6}$', description: 'GB/T 2260 code, e.g. 110000' };
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The stages a visitor of the public portal may see: the standard has been published (and since). */
export const PUBLIC_STAGES: ReadonlySet<StandardStage> = new Set([
  StandardStage.STANDARD_STAGE_PUBLISHED,
  StandardStage.STANDARD_STAGE_IN_FORCE,
  StandardStage.STANDARD_STAGE_REVIEWED,
  StandardStage.STANDARD_STAGE_WITHDRAWN,
]);

/** The members of ActOnPilotRequest's `action` oneof, as the JSON body names them (exactly one per request). */
export const PILOT_ACTIONS = [
  'screen',
  'decideSelection',
  'reportProgress',
  'reportIncident',
  'decideIncident',
  'requestEvaluation',
  'formExpertGroup',
  'recordEvaluation',
  'recheck',
  'publishResults',
] as const;
export type PilotActionName = (typeof PILOT_ACTIONS)[number];

/** Dates the service would refuse, refused here first (so a bad date is a 400 whoever sends it), named as in JSON. */
function checkDates(request: unknown): void {
  const problems = dateViolations(request);
  if (problems.length > 0) throw GatewayHttpError.invalid(problems.map((v) => ({ field: jsonFieldPath(v.field), description: v.description })));
}

/**
 * What a visitor sees of a pilot's expert group: the experts' affiliations and committee membership, not their names
 * (neither in the group nor in the history entry that formed it).
 */
export const withoutExpertNames = (pilot: Pilot): Pilot => ({
  ...pilot,
  ...(pilot.evaluation ? { evaluation: { ...pilot.evaluation, experts: pilot.evaluation.experts.map((x) => ({ ...x, name: '' })) } } : {}),
  history: pilot.history.map((h) => (h.step === 'expert-group-formed' ? { ...h, summary: '' } : h)),
});

/** Free text in a request (opinions, work plans, summaries): bounded here, before any look-up, so an oversized value is a 400. */
export const MAX_TEXT_LENGTH = 20_000;
export function boundText(schema: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const record = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'enum' ? v : walk(v)])) as JsonSchema;
    return record['type'] === 'string' && record['maxLength'] === undefined && record['enum'] === undefined && record['format'] === undefined
      ? { ...record, maxLength: MAX_TEXT_LENGTH }
      : record;
  };
  return walk(schema) as JsonSchema;
}

/** A visitor asking for something not yet public: the same 404 as for something that does not exist. */
const notPublic = (what: string): GatewayHttpError => new GatewayHttpError(gatewayError(404, 'NOT_FOUND', `no published ${what} with this id`));

export function programmeRoutes(backends: Backends, schemas: ProtoSchemas): ApiRoute[] {
  const call = backends.call.bind(backends);
  const tag = 'programme';
  const base = '/api/v1/programme';
  /** A request message's schema (the Idempotency-Key header travels as gRPC metadata, not in the body). */
  const body = (message: string, required: string[] = []): JsonSchema => {
    const inline = boundText(schemas.inline(message));
    return { ...inline, ...(required.length > 0 ? { required } : {}) };
  };
  const enumOf = (message: string): JsonSchema => schemas.inline(message);
  const writeErrors = [...commonErrors, 404, 409, 412, 413, 422];
  const standardParams = objectSchema({ standardId: id }, ['standardId']);
  const pilotParams = objectSchema({ pilotId: id }, ['pilotId']);
  const actionSchemas: Record<PilotActionName, string> = {
    screen: 'bps.programme.v1.Screen',
    decideSelection: 'bps.programme.v1.DecideSelection',
    reportProgress: 'bps.programme.v1.ReportProgress',
    reportIncident: 'bps.programme.v1.ReportIncident',
    decideIncident: 'bps.programme.v1.DecideIncident',
    requestEvaluation: 'bps.programme.v1.RequestEvaluation',
    formExpertGroup: 'bps.programme.v1.FormExpertGroup',
    recordEvaluation: 'bps.programme.v1.RecordPilotEvaluation',
    recheck: 'bps.programme.v1.Recheck',
    publishResults: 'bps.programme.v1.PublishResults',
  };
  return [
    // ---------------------------------------------------------------- technical standards
    {
      method: 'GET',
      url: `${base}/standards`,
      operationId: 'listTechnicalStandards',
      tag,
      auth: 'public',
      summary: 'Technical standards of the programme, filtered by level, stage, kind, item or field',
      description: 'A visitor of the public portal sees published standards only (批准发布, 实施, 复审, 废止).',
      querystring: objectSchema({
        level: enumOf('bps.programme.v1.StandardLevel'),
        stage: enumOf('bps.programme.v1.StandardStage'),
        kind: enumOf('bps.programme.v1.StandardKind'),
        item: code,
        field: code,
      }),
      response: schemas.ref('bps.programme.v1.ListStandardsResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token, visitor }) => {
        const res = await call(
          'programme',
          (c) => c.listStandards.bind(c),
          {
            level: query['level'] ? standardLevelFromJSON(query['level']) : 0,
            stage: query['stage'] ? standardStageFromJSON(query['stage']) : 0,
            kind: query['kind'] ? standardKindFromJSON(query['kind']) : 0,
            itemCode: str(query['item']),
            fieldCode: str(query['field']),
          },
          token,
        );
        return ListStandardsResponse.toJSON(visitor ? { standards: res.standards.filter((s) => PUBLIC_STAGES.has(s.stage)) } : res);
      },
    },
    {
      method: 'POST',
      url: `${base}/standards`,
      operationId: 'proposeStandard',
      tag,
      auth: true,
      summary: '立项: propose a technical standard supporting items on the national list',
      description: 'National and sector standards: a lead unit of every item (or SAMR); local standards: the province. Supporting measures are required.',
      body: body('bps.programme.v1.ProposeStandardRequest', ['title', 'level', 'kind', 'itemCodes']),
      response: schemas.ref('bps.programme.v1.ProposeStandardResponse'),
      successStatus: 201,
      errors: writeErrors,
      handler: async ({ body: b, token }) => {
        const request = ProposeStandardRequest.fromJSON({ ...(b as object) });
        return ProposeStandardResponse.toJSON(await call('programme', (c) => c.proposeStandard.bind(c), request, token));
      },
    },
    {
      method: 'GET',
      url: `${base}/standards/:standardId`,
      operationId: 'getTechnicalStandard',
      tag,
      auth: 'public',
      summary: 'A technical standard with its stage history and drafting documents',
      params: standardParams,
      response: schemas.ref('bps.programme.v1.GetStandardResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token, visitor }) => {
        const res = await call('programme', (c) => c.getStandard.bind(c), { standardId: params['standardId'] ?? '' }, token);
        if (visitor && !PUBLIC_STAGES.has(res.standard?.stage ?? 0)) throw notPublic('standard');
        return GetStandardResponse.toJSON(res);
      },
    },
    {
      method: 'POST',
      url: `${base}/standards/:standardId/advance`,
      operationId: 'advanceStandard',
      tag,
      auth: true,
      summary: 'Move a standard to its next stage (or to 复审 / 废止)',
      description:
        'Leaving 起草 needs the demand survey, the fiscal cost estimate and the finance department’s agreement (seed 004 §五); 批准发布 needs the number, issuing body and date; 实施 the implementation date. 409 with currentRevision when expectedRevision is stale.',
      params: standardParams,
      body: (() => {
        const s = body('bps.programme.v1.AdvanceStandardRequest', ['to']);
        const properties = { ...(s['properties'] as Record<string, JsonSchema>) };
        delete properties['standardId'];
        return { ...s, properties };
      })(),
      response: schemas.ref('bps.programme.v1.AdvanceStandardResponse'),
      errors: writeErrors,
      handler: async ({ params, body: b, token }) => {
        const request = AdvanceStandardRequest.fromJSON({ ...(b as object), standardId: params['standardId'] ?? '' });
        checkDates(request);
        return AdvanceStandardResponse.toJSON(await call('programme', (c) => c.advanceStandard.bind(c), request, token));
      },
    },
    {
      method: 'GET',
      url: `${base}/coverage`,
      operationId: 'getStandardCoverage',
      tag,
      auth: 'public',
      summary: 'Per category: the kinds of standard in force, in progress and missing, and items no standard supports',
      response: schemas.ref('bps.programme.v1.GetCoverageResponse'),
      errors: [...commonErrors],
      handler: async ({ token }) => GetCoverageResponse.toJSON(await call('programme', (c) => c.getCoverage.bind(c), {}, token)),
    },
    {
      method: 'GET',
      url: `${base}/progress`,
      operationId: 'getProgrammeProgress',
      tag,
      auth: 'public',
      summary: 'Progress against the 2027 targets (200 national and sector standards, 80 pilots)',
      response: schemas.ref('bps.programme.v1.GetProgrammeProgressResponse'),
      errors: [...commonErrors],
      handler: async ({ token }) => GetProgrammeProgressResponse.toJSON(await call('programme', (c) => c.getProgrammeProgress.bind(c), {}, token)),
    },
    // ---------------------------------------------------------------- experts
    {
      method: 'GET',
      url: `${base}/experts`,
      operationId: 'listExperts',
      tag,
      auth: true,
      summary: 'The national expert committee and provincial experts (evaluation groups are drawn from them)',
      response: schemas.ref('bps.programme.v1.ListExpertsResponse'),
      errors: [...commonErrors],
      handler: async ({ token }) => ListExpertsResponse.toJSON(await call('programme', (c) => c.listExperts.bind(c), {}, token)),
    },
    {
      method: 'POST',
      url: `${base}/experts`,
      operationId: 'registerExpert',
      tag,
      auth: true,
      summary: 'Register an expert (SAMR: the national expert committee; a province’s programme officers: its own experts)',
      body: body('bps.programme.v1.RegisterExpertRequest', ['name', 'affiliation']),
      response: schemas.ref('bps.programme.v1.RegisterExpertResponse'),
      successStatus: 201,
      errors: writeErrors,
      handler: async ({ body: b, token }) =>
        RegisterExpertResponse.toJSON(await call('programme', (c) => c.registerExpert.bind(c), RegisterExpertRequest.fromJSON({ ...(b as object) }), token)),
    },
    // ---------------------------------------------------------------- pilots
    {
      method: 'GET',
      url: `${base}/pilot-batches`,
      operationId: 'listPilotBatches',
      tag,
      auth: 'public',
      summary: 'Calls for pilot applications (试点批次)',
      response: schemas.ref('bps.programme.v1.ListPilotBatchesResponse'),
      errors: [...commonErrors],
      handler: async ({ token }) => ListPilotBatchesResponse.toJSON(await call('programme', (c) => c.listPilotBatches.bind(c), {}, token)),
    },
    {
      method: 'POST',
      url: `${base}/pilot-batches`,
      operationId: 'openPilotBatch',
      tag,
      auth: true,
      summary: 'Open a call for pilot applications (SAMR)',
      body: body('bps.programme.v1.OpenPilotBatchRequest', ['batchId', 'title', 'applicationsClose']),
      response: schemas.ref('bps.programme.v1.OpenPilotBatchResponse'),
      successStatus: 201,
      errors: writeErrors,
      handler: async ({ body: b, token }) => {
        const request = OpenPilotBatchRequest.fromJSON({ ...(b as object) });
        checkDates(request);
        return OpenPilotBatchResponse.toJSON(await call('programme', (c) => c.openPilotBatch.bind(c), request, token));
      },
    },
    {
      method: 'GET',
      url: `${base}/pilots`,
      operationId: 'listPilots',
      tag,
      auth: 'public',
      summary: 'Standardisation pilots, filtered by batch, province or status',
      description: 'A visitor of the public portal sees pilots whose results are published only.',
      querystring: objectSchema({ batch: id, province: regionCode, status: enumOf('bps.programme.v1.PilotStatus') }),
      response: schemas.ref('bps.programme.v1.ListPilotsResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token, visitor }) => {
        const res = await call(
          'programme',
          (c) => c.listPilots.bind(c),
          { batchId: str(query['batch']), provinceCode: str(query['province']), status: query['status'] ? pilotStatusFromJSON(query['status']) : 0 },
          token,
        );
        return ListPilotsResponse.toJSON(
          visitor ? { pilots: res.pilots.filter((x) => x.status === PilotStatus.PILOT_STATUS_PUBLISHED).map(withoutExpertNames) } : res,
        );
      },
    },
    {
      method: 'POST',
      url: `${base}/pilots`,
      operationId: 'applyForPilot',
      tag,
      auth: true,
      summary: 'A city or county government applies for a pilot (regional coordination: each partner files the same name, type and period)',
      body: body('bps.programme.v1.ApplyForPilotRequest', ['batchId', 'application']),
      response: schemas.ref('bps.programme.v1.ApplyForPilotResponse'),
      successStatus: 201,
      errors: writeErrors,
      handler: async ({ body: b, token }) => {
        const request = ApplyForPilotRequest.fromJSON({ ...(b as object) });
        checkDates(request);
        return ApplyForPilotResponse.toJSON(await call('programme', (c) => c.applyForPilot.bind(c), request, token));
      },
    },
    {
      method: 'GET',
      url: `${base}/pilots/:pilotId`,
      operationId: 'getPilot',
      tag,
      auth: 'public',
      summary: 'A pilot: localities, screenings, selection, tasks, incidents, expert group, evaluation and history',
      params: pilotParams,
      response: schemas.ref('bps.programme.v1.GetPilotResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token, visitor }) => {
        const res = await call('programme', (c) => c.getPilot.bind(c), { pilotId: params['pilotId'] ?? '' }, token);
        if (!visitor) return GetPilotResponse.toJSON(res);
        if (res.pilot?.status !== PilotStatus.PILOT_STATUS_PUBLISHED) throw notPublic('pilot');
        return GetPilotResponse.toJSON({ pilot: withoutExpertNames(res.pilot) });
      },
    },
    {
      method: 'POST',
      url: `${base}/pilots/:pilotId/actions`,
      operationId: 'actOnPilot',
      tag,
      auth: true,
      summary:
        'A step of the pilot: exactly one of screen, decideSelection, reportProgress, reportIncident, decideIncident, requestEvaluation, formExpertGroup, recordEvaluation, recheck, publishResults',
      description: 'e.g. {"screen":{"recommend":true,"opinion":"…"}}. Who may take which step is the service’s decision (403 / 422 with the reason).',
      params: pilotParams,
      body: {
        ...objectSchema(Object.fromEntries(PILOT_ACTIONS.map((a) => [a, boundText(schemas.inline(actionSchemas[a]))]))),
        minProperties: 1,
        maxProperties: 1,
      },
      response: schemas.ref('bps.programme.v1.ActOnPilotResponse'),
      errors: writeErrors,
      handler: async ({ params, body: b, token }) => {
        const request = ActOnPilotRequest.fromJSON({ ...(b as object), pilotId: params['pilotId'] ?? '' });
        checkDates(request);
        return ActOnPilotResponse.toJSON(await call('programme', (c) => c.actOnPilot.bind(c), request, token));
      },
    },
    // ---------------------------------------------------------------- implementation evaluation
    {
      method: 'GET',
      url: `${base}/evaluations`,
      operationId: 'listImplementationEvaluations',
      tag,
      auth: 'public',
      summary: 'Effect evaluations, satisfaction surveys and equalisation indicator sets, by item, field, province or kind',
      querystring: objectSchema({ item: code, field: code, province: regionCode, kind: enumOf('bps.programme.v1.EvaluationKind') }),
      response: schemas.ref('bps.programme.v1.ListEvaluationsResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token }) =>
        ListEvaluationsResponse.toJSON(
          await call(
            'programme',
            (c) => c.listEvaluations.bind(c),
            {
              itemCode: str(query['item']),
              fieldCode: str(query['field']),
              provinceCode: str(query['province']),
              kind: query['kind'] ? evaluationKindFromJSON(query['kind']) : 0,
            },
            token,
          ),
        ),
    },
    {
      method: 'POST',
      url: `${base}/evaluations`,
      operationId: 'recordImplementationEvaluation',
      tag,
      auth: true,
      summary: 'Record an effect evaluation, a public satisfaction survey or an equalisation indicator set',
      body: body('bps.programme.v1.RecordEvaluationRequest', ['kind', 'itemCode', 'provinceCode', 'period']),
      response: schemas.ref('bps.programme.v1.RecordEvaluationResponse'),
      successStatus: 201,
      errors: writeErrors,
      handler: async ({ body: b, token }) =>
        RecordEvaluationResponse.toJSON(
          await call('programme', (c) => c.recordEvaluation.bind(c), RecordEvaluationRequest.fromJSON({ ...(b as object) }), token),
        ),
    },
    {
      method: 'GET',
      url: `${base}/evaluations/:evaluationId`,
      operationId: 'getImplementationEvaluation',
      tag,
      auth: 'public',
      summary: 'One implementation evaluation with its indicators and documents',
      params: objectSchema({ evaluationId: id }, ['evaluationId']),
      response: schemas.ref('bps.programme.v1.GetEvaluationResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token }) =>
        GetEvaluationResponse.toJSON(await call('programme', (c) => c.getEvaluation.bind(c), { evaluationId: params['evaluationId'] ?? '' }, token)),
    },
  ];
}

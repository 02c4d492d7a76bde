// THE PERMISSION MATRIX (issue #14): one table of persona × operation × scope → expected result, for every gRPC
// method of every service (the grpc-js ServiceDefinitions in proto/gen) and every HTTP route the gateway registers
// (JSON API, documents, console pages). permission-matrix.int.test.ts runs it against the real services, directly
// over gRPC and through the gateway, and fails when a method or a route has no row.
//
// Run:   npx vitest run tests/integration/permission-matrix.int.test.ts
//        (needs the stack: `npm run infra -- start`, or the test setup starts it)
//
// What a row asserts: whether the call passes AUTHORISATION — not what the operation then does.
// - `expect: 'allowed'`: the call was not refused for who the caller is: any outcome but UNAUTHENTICATED,
//   PERMISSION_DENIED and NOT_FOUND (rows address fixtures that exist, so NOT_FOUND can only be visibility) and a
//   server error. A business refusal after the authorisation check — ABORTED for a stale revision, FAILED_PRECONDITION
//   for a phase, INVALID_ARGUMENT for a value — counts as allowed; rows choose such bodies where the operation would
//   otherwise change a fixture other rows read (a stale revision proves the caller got past the proposer check).
//   Over HTTP: not 401/403/404/5xx and, for console pages, not a redirect to /signin.
// - `expect: <status>`: refused with exactly that gRPC status (HTTP: 401, 403, 404, 400, 412/422; console pages
//   answer UNAUTHENTICATED by redirecting to /signin); `reason`, when given, must be the ErrorInfo reason (or appear
//   in the message / the console's error page).
// - `expect: 'SAME_ORIGIN'` (console redirects): 400, or a redirect whose Location is a same-origin path.
// - `check`: an extra assertion on an allowed answer (lists: what the caller must or must not see).
// - `scope`: 'own' (the caller's organisation / province / proposal), 'other' (someone else's), 'any' (no owner).
// - `issue`: the issue #14 case the row stands for. `pendingFix`: the row states the fixed behaviour of a change made
//   on another branch; the test reports it as skipped until the marker is removed (BPS_MATRIX_RUN_PENDING=1 runs
//   such rows anyway).
// - `late`: the row changes a fixture other rows read (claims, delegations, sign-offs, withdrawals…): late rows run
//   one after another, in table order, after all other rows ran concurrently. `first`: two at a time, before
//   them (the audit service's traces and exports, slow while the other rows keep it busy).
// UNAUTHENTICATED rows for anonymous callers, expired tokens and tokens of a foreign issuer are derived for every
// operation that needs a token from the operation's first row (same request), see `unauthenticatedRows`.
//
// Adding a route or a method: add at least one row for a signed-in persona (the coverage check fails until you do):
//   row('nhc-staff', 'own', 'allowed', http('GET /api/v1/things/:id', (f) => `/api/v1/things/${f.thing}`)),
//   row('beijing-officer', 'other', 'NOT_FOUND', grpc('/bps.things.v1.Things/GetThing', (f) => ({ thingId: f.thing }))),
// where the route is written exactly as fastify registers it (method + path with :params) and the method as its
// grpc-js path. A fixture it needs goes into `Fixtures` and is made once in the test's beforeAll.
import { createHash } from 'node:crypto';
import type { Identity } from '../../services/shared/auth/identity';
import type { PersonaName } from '../../services/shared/auth/personas';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import { OpenCycleRequest } from '../../proto/gen/bps/approvals/v1/cycles';
import { CreateSubscriptionRequest, SubscribeRequest } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { FileLocalStandardRequest } from '../../proto/gen/bps/registry/v1/registry';
import { healthProposal } from '../unit/proposals-fixtures';
import {
  ActOnPilotRequest,
  AdvanceStandardRequest,
  ApplyForPilotRequest,
  OpenPilotBatchRequest,
  PilotTask,
  ProposeStandardRequest,
  RecordEvaluationRequest,
  RegisterExpertRequest,
} from '../../proto/gen/bps/programme/v1/programme';
import { expertNames, pilotApplication, programmeDoc, satisfactionSurvey, type ProgrammeFixtures } from './permission-matrix-programme';

/** People beyond the seeded personas the rows need (registered in the test directory by the test). */
export const extraIdentities = {
  /** NHC staff who also approves: co-edits a proposal, then tries to approve it. */
  'nhc-coeditor': { subject: 'nhc.coeditor.matrix', name: '共同编辑人（矩阵）', organisation: 'NHC', roles: ['ministry-staff', 'approver'] },
  /** NHC staff who also approves: submits a proposal, then tries to approve it. */
  'nhc-submitter': { subject: 'nhc.submitter.matrix', name: '提交人（矩阵）', organisation: 'NHC', roles: ['ministry-staff', 'approver'] },
  /** A second MOF approver: the one legitimate delegate of Finance's step. */
  'mof-colleague': { subject: 'mof.approver.matrix', name: '财政部审批人（矩阵）', organisation: 'MOF', roles: ['approver'] },
  /** MOE's approver: signs MOE's step of a cycle proposal, and may trim it. */
  'moe-approver': { subject: 'moe.approver.matrix', name: '教育部审批人（矩阵）', organisation: 'MOE', roles: ['approver'] },
  /** A second NDRC approver (a legitimate delegate, refused only by the action cap). */
  'ndrc-colleague': { subject: 'ndrc.approver.matrix', name: '国家发展改革委审批人（矩阵）', organisation: 'NDRC', roles: ['approver'] },
  /** Guangdong's market-regulation staff: a province's programme officer, of a province no matrix pilot concerns. */
  'guangdong-programme-officer': { subject: 'gd.samr.matrix', name: '广东省市场监管局（矩阵）', organisation: '440000', roles: ['programme-officer'] },
} as const satisfies Record<string, Identity>;
export type ExtraName = keyof typeof extraIdentities;

/** anonymous: no token; expired: the platform issuer's token past its expiry; foreign: signed by an issuer nobody trusts. */
export type Who = PersonaName | ExtraName | 'anonymous' | 'expired' | 'foreign';
export type Refusal = 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT';
export type Outcome = 'allowed' | Refusal | 'SAME_ORIGIN';
export type Scope = 'own' | 'other' | 'any';

/** What the test makes once (beforeAll) and the rows address. */
export type Fixtures = {
  /** NHC's draft (HEA-03) under public consultation (today + 30 days), with one held comment C-1 from a visitor. */
  readonly consultation: string;
  /** An edition file (CSV) changing the service content of HEA-06, an NHC item (test data). */
  readonly edition: string;
  /** NHC's draft (revision 1, HEA-02), never submitted. */
  readonly draft: string;
  /** NHC's proposal in review on the default route (countersign.lead / .ndrc / .mof, final.sco), nothing signed. */
  readonly review: string;
  /** In review; co-edited by nhc-coeditor and submitted by nhc-submitter. */
  readonly authored: string;
  /** In review; ndrc-approver claimed and released countersign.ndrc up to the per-step cap. */
  readonly capped: string;
  /** In review; NDRC's approver objected on countersign.ndrc (a standing objection the final approver may overrule). */
  readonly objected: string;
  /** In review; ndrc-approver signs countersign.ndrc over gRPC / over HTTP (one proposal each). */
  readonly signGrpc: string;
  readonly signHttp: string;
  /** Drafts the withdraw rows withdraw (gRPC, HTTP API, console). */
  readonly withdrawGrpc: string;
  readonly withdrawHttp: string;
  /** NBS's subscription to publications (statistics-subscriber). */
  readonly subscription: string;
  /** NBS's subscriptions the delete rows delete. */
  readonly deleteGrpc: string;
  readonly deleteHttp: string;
  /** A webhook receiver new subscriptions point at. */
  readonly receiverUrl: string;
  /** A unified revision cycle (NDRC opened it; fields F17-HEA led by NHC, F17-EDU led by MOE), in evaluation. */
  readonly cycle: string;
  /** A unified revision cycle in consolidation whose package holds `cycleProposal` (MOE, EDU-01), approved. */
  readonly trimCycle: string;
  readonly cycleProposal: string;
  /** EDU-05 version 1 as published, with a floor added (what the issue's ministry staff "corrected"). */
  readonly flooredItem: unknown;
  /** An erratum of EDU-05 v1 (wording only), proposed by MOE staff and not yet approved. */
  readonly erratum: string;
  /** The standardisation programme's batch, pilots, standards and evaluation (permission-matrix-programme.ts). */
  readonly programme: ProgrammeFixtures;
  /** A fresh id per call (cycles opened by allowed rows). */
  readonly newId: (label: string) => string;
};

export type GrpcCall = { readonly kind: 'grpc'; readonly method: string; readonly request: (f: Fixtures) => Record<string, unknown> };
export type HttpCall = {
  readonly kind: 'http';
  /** The route as fastify registers it: "GET /api/v1/proposals/:proposalId". */
  readonly route: string;
  readonly path: (f: Fixtures) => string;
  readonly body?: (f: Fixtures) => unknown;
  /** Sent as an HTML form (console pages); the token then travels in the session cookie. */
  readonly form?: boolean;
};
export type Call = GrpcCall | HttpCall;

export type Row = {
  readonly who: Who;
  readonly scope: Scope;
  readonly expect: Outcome;
  readonly call: Call;
  readonly reason?: string;
  readonly check?: (answer: any, f: Fixtures) => string | undefined;
  readonly issue?: string;
  readonly pendingFix?: 'trim-corrections';
  readonly late?: boolean;
  /** Runs before the other rows, two at a time (the audit service's traces are slow while the rows load it). */
  readonly first?: boolean;
  readonly note?: string;
};
type RowOptions = Omit<Row, 'who' | 'scope' | 'expect' | 'call'>;

export const grpc = (method: string, request: (f: Fixtures) => Record<string, unknown> = () => ({})): GrpcCall => ({ kind: 'grpc', method, request });
export const http = (route: string, path?: (f: Fixtures) => string, body?: (f: Fixtures) => unknown): HttpCall => ({
  kind: 'http',
  route,
  path: path ?? (() => route.split(' ')[1] ?? '/'),
  ...(body ? { body } : {}),
});
export const page = (route: string, path?: (f: Fixtures) => string, form?: (f: Fixtures) => Record<string, string | readonly string[]>): HttpCall => ({
  ...http(route, path, form),
  ...(form ? { form: true } : {}),
});
/** One row per call: the same expectation over gRPC and over HTTP. */
export function rows(who: Who, scope: Scope, expect: Outcome, calls: readonly Call[], options: RowOptions = {}): Row[] {
  return calls.map((call) => ({ who, scope, expect, call, ...options }));
}
export const row = (who: Who, scope: Scope, expect: Outcome, call: Call, options: RowOptions = {}): Row => ({ who, scope, expect, call, ...options });

/** The routes anyone may call without a token (sign-in, documents, health, the console's public pages). */
export const publicRoutes: readonly string[] = [
  'GET /openapi.json',
  'GET /healthz',
  'GET /readyz',
  'GET /.well-known/jwks.json',
  'GET /.well-known/bps-decision-keys.json',
  'GET /api/v1/auth/personas',
  'POST /api/v1/auth/token',
  'GET /assets/:file',
  'GET /',
  'GET /lang',
  'GET /signin',
  'POST /signin',
  'POST /signout',
];

/**
 * The published standard (issue #17, seed 000 §二十): readable without sign-in through the gateway's public portal.
 * Over the JSON API a visitor without a token is allowed, and a token that does not verify is still refused; the
 * pages treat a stale session as a visitor. gRPC still needs a token: the portal is the gateway's.
 */
export const publicReadRoutes: readonly string[] = [
  'GET /api/v1/standards/items',
  'GET /api/v1/standards/items/:itemCode',
  'GET /api/v1/standards/items/:itemCode/history',
  'GET /api/v1/standards/items/:itemCode/lineage',
  'GET /api/v1/standards/diff',
  'GET /api/v1/standards/releases',
  'GET /api/v1/standards/taxonomy',
  'GET /api/v1/standards/units',
  'GET /api/v1/standards/packages',
  'GET /api/v1/standards/packages/:packageCode',
  'GET /api/v1/standards/compliance/:provinceCode',
  'GET /api/v1/standards/edition.csv',
  'GET /standards',
  'GET /standards/items/:itemCode',
  'GET /standards/packages/:packageCode',
  'GET /standards/diff',
  'GET /standards/compliance',
  'GET /api/v1/standards/monitoring',
  'GET /api/v1/standards/monitoring.csv',
  'GET /api/v1/standards/monitoring/history',
  'GET /api/v1/standards/monitoring/history.csv',
  'GET /standards/monitoring',
  // Public consultations on proposals (issue #17): read and comment without sign-in (comments held for moderation).
  'GET /api/v1/consultations',
  'GET /api/v1/consultations/:proposalId',
  'POST /api/v1/consultations/:proposalId/comments',
  'GET /consultations',
  'GET /consultations/:proposalId',
  'POST /consultations/:proposalId/comments',
  // The standardisation programme (issue #18): published standards and pilot results, coverage, progress, batches,
  // evaluations (a visitor sees nothing still in the pipeline).
  'GET /api/v1/programme/standards',
  'GET /api/v1/programme/standards/:standardId',
  'GET /api/v1/programme/coverage',
  'GET /api/v1/programme/progress',
  'GET /api/v1/programme/pilot-batches',
  'GET /api/v1/programme/pilots',
  'GET /api/v1/programme/pilots/:pilotId',
  'GET /api/v1/programme/evaluations',
  'GET /api/v1/programme/evaluations/:evaluationId',
  'GET /programme',
  'GET /programme/standards',
  'GET /programme/standards/:standardId',
  'GET /programme/pilots',
  'GET /programme/pilots/:pilotId',
  'GET /programme/evaluations',
];

// ---- operations ------------------------------------------------------------------------------------------------
const P = '/bps.proposals.v1.Proposals/';
const A = '/bps.approvals.v1.ApprovalInbox/';
const C = '/bps.approvals.v1.RevisionCycles/';
const R = '/bps.registry.v1.StandardRegistry/';
const N = '/bps.notifications.v1.Subscriptions/';
const AU = '/bps.audit.v1.Audit/';
const PG = '/bps.programme.v1.Programme/';

const draftContent = (itemCode: string) => healthProposal({ itemCode });
const draftJson = (itemCode: string) => ProposalContent.toJSON(draftContent(itemCode));
const today = { year: 2026, month: 1, day: 1 };
const iso = (d: string) => ({ year: Number(d.slice(0, 4)), month: Number(d.slice(5, 7)), day: Number(d.slice(8, 10)) });

const getProposal = (id: (f: Fixtures) => string) => [
  grpc(`${P}GetProposal`, (f) => ({ proposalId: id(f) })),
  http('GET /api/v1/proposals/:proposalId', (f) => `/api/v1/proposals/${id(f)}`),
  page('GET /proposals/:proposalId', (f) => `/proposals/${id(f)}`),
];
const getApproval = (id: (f: Fixtures) => string) => [
  grpc(`${A}GetApproval`, (f) => ({ proposalId: id(f) })),
  http('GET /api/v1/approvals/:proposalId', (f) => `/api/v1/approvals/${id(f)}`),
  page('GET /inbox/:proposalId', (f) => `/inbox/${id(f)}`),
];
const listProposals = [grpc(`${P}ListProposals`), http('GET /api/v1/proposals'), page('GET /proposals')];
const estimateStored = (id: (f: Fixtures) => string) => [
  grpc(`${P}ComputeFiscalEstimate`, (f) => ({ source: { $case: 'proposalId', proposalId: id(f) } })),
  http('POST /api/v1/fiscal-estimates', undefined, (f) => ({ proposalId: id(f) })),
];
const validate = (id: (f: Fixtures) => string) => [
  grpc(`${P}ValidateProposal`, (f) => ({ proposalId: id(f) })),
  http('POST /api/v1/proposals/:proposalId/validate', (f) => `/api/v1/proposals/${id(f)}/validate`),
];
const updateStale = [
  grpc(`${P}UpdateDraft`, (f) => ({ proposalId: f.draft, expectedRevision: 99, content: draftContent('HEA-02') })),
  http(
    'PUT /api/v1/proposals/:proposalId/draft',
    (f) => `/api/v1/proposals/${f.draft}/draft`,
    () => ({ expectedRevision: 99, content: draftJson('HEA-02') }),
  ),
  page('GET /proposals/:proposalId/edit', (f) => `/proposals/${f.draft}/edit`),
  page(
    'POST /proposals/:proposalId/edit',
    (f) => `/proposals/${f.draft}/edit`,
    () => ({ action: 'save', item: 'HEA-02', expectedRevision: '99' }),
  ),
];
const submitStale = [
  grpc(`${P}SubmitProposal`, (f) => ({ proposalId: f.draft, expectedRevision: 99 })),
  http(
    'POST /api/v1/proposals/:proposalId/submit',
    (f) => `/api/v1/proposals/${f.draft}/submit`,
    () => ({ expectedRevision: 99 }),
  ),
  page(
    'POST /proposals/:proposalId/submit',
    (f) => `/proposals/${f.draft}/submit`,
    () => ({ expectedRevision: '99' }),
  ),
];
const rebaseStale = [
  grpc(`${P}RebaseProposal`, (f) => ({ proposalId: f.draft, expectedRevision: 99 })),
  http(
    'POST /api/v1/proposals/:proposalId/rebase',
    (f) => `/api/v1/proposals/${f.draft}/rebase`,
    () => ({ expectedRevision: 99 }),
  ),
];
// Public consultation (issue #17). Bodies that change nothing: an empty comment, a rejection without a reason, a
// second opening while one runs (each refused after the authorisation check).
const readConsultation = [
  grpc(`${P}GetConsultation`, (f) => ({ proposalId: f.consultation })),
  http('GET /api/v1/consultations/:proposalId', (f) => `/api/v1/consultations/${f.consultation}`),
  page('GET /consultations/:proposalId', (f) => `/consultations/${f.consultation}`),
];
const listConsultations = [grpc(`${P}ListConsultations`, () => ({ includeClosed: false })), http('GET /api/v1/consultations'), page('GET /consultations')];
const emptyComment = [
  grpc(`${P}SubmitConsultationComment`, (f) => ({ proposalId: f.consultation, text: ' ', commenterName: '', commenterOrganisation: '', clientHash: '' })),
  http(
    'POST /api/v1/consultations/:proposalId/comments',
    (f) => `/api/v1/consultations/${f.consultation}/comments`,
    () => ({ text: ' ' }),
  ),
  page(
    'POST /consultations/:proposalId/comments',
    (f) => `/consultations/${f.consultation}/comments`,
    () => ({ text: ' ' }),
  ),
];
const moderateNoReason = [
  grpc(`${P}ModerateConsultationComment`, (f) => ({ proposalId: f.consultation, commentId: 'C-1', publish: false, reason: '' })),
  http(
    'POST /api/v1/proposals/:proposalId/consultation/comments/:commentId/moderation',
    (f) => `/api/v1/proposals/${f.consultation}/consultation/comments/C-1/moderation`,
    () => ({ decision: 'REJECT' }),
  ),
  page(
    'POST /proposals/:proposalId/consultation/comments/:commentId',
    (f) => `/proposals/${f.consultation}/consultation/comments/C-1`,
    () => ({ decision: 'REJECT', reason: '' }),
  ),
];
const openAgain = [
  grpc(`${P}OpenConsultation`, (f) => ({ proposalId: f.consultation, opensOn: '2026-01-01', closesOn: '2026-01-02', summary: '矩阵' })),
  http(
    'POST /api/v1/proposals/:proposalId/consultation',
    (f) => `/api/v1/proposals/${f.consultation}/consultation`,
    () => ({ opensOn: '2026-01-01', closesOn: '2026-01-02', summary: '矩阵' }),
  ),
  page(
    'POST /proposals/:proposalId/consultation',
    (f) => `/proposals/${f.consultation}/consultation`,
    () => ({ opensOn: '2026-01-01', closesOn: '2026-01-02', summary: '矩阵' }),
  ),
];
const editionBody = (f: Fixtures) => ({ format: 'csv', content: f.edition, documentNumber: '（测试）矩阵第1号', documentDate: '2026-11-01' });
const validateEdition = [http('POST /api/v1/editions/validate', undefined, editionBody)];
const importEdition = [http('POST /api/v1/editions/import', undefined, editionBody)];
// The console's edition import: the form, a post without a file (400, nothing stored), and the submission of a preview.
const editionPages = [
  page('GET /editions/import'),
  page('POST /editions/import', undefined, () => ({ documentNumber: '（测试）矩阵第2号', documentDate: '2026-11-01' })),
];
const editionSubmit = [
  page('POST /editions/import/submit', undefined, (f) => ({
    format: 'csv',
    content: Buffer.from(f.edition).toString('base64'),
    digest: createHash('sha256').update(f.edition).digest('hex'),
    documentNumber: '（测试）矩阵第3号',
    documentDate: '2026-11-01',
    leadUnit: '',
  })),
];
const consultationConsole = [page('GET /proposals/:proposalId/consultation', (f) => `/proposals/${f.consultation}/consultation`)];

const withdraw = (id: (f: Fixtures) => string, via: 'grpc' | 'http' | 'both' = 'both') => [
  ...(via !== 'http' ? [grpc(`${P}WithdrawProposal`, (f) => ({ proposalId: id(f), reason: '矩阵测试撤回' }))] : []),
  ...(via !== 'grpc'
    ? [
        http(
          'POST /api/v1/proposals/:proposalId/withdraw',
          (f) => `/api/v1/proposals/${id(f)}/withdraw`,
          () => ({ reason: '矩阵测试撤回' }),
        ),
      ]
    : []),
];
const consoleWithdraw = (id: (f: Fixtures) => string) =>
  page(
    'POST /proposals/:proposalId/withdraw',
    (f) => `/proposals/${id(f)}/withdraw`,
    () => ({ reason: '矩阵测试撤回' }),
  );

type StepAction = 'sign' | 'claim' | 'release' | 'delegate' | 'take-back' | 'overrule';
const grpcAction: Record<StepAction, string> = {
  sign: 'SignOff',
  claim: 'ClaimStep',
  release: 'ReleaseStep',
  delegate: 'DelegateStep',
  'take-back': 'TakeBackStep',
  overrule: 'OverruleObjection',
};
/** A step action over gRPC, the JSON API and (where the console has it) the console form. */
function step(
  action: StepAction,
  id: (f: Fixtures) => string,
  stepId: string,
  extra: { position?: Position; comment?: string; delegate?: string } = {},
  via: readonly ('grpc' | 'http' | 'page')[] = ['grpc', 'http', 'page'],
): Call[] {
  const positionName =
    extra.position === Position.POSITION_APPROVE ? 'POSITION_APPROVE' : extra.position === Position.POSITION_OBJECT ? 'POSITION_OBJECT' : 'POSITION_APPROVE';
  const body =
    action === 'sign'
      ? { position: positionName, comment: extra.comment ?? '' }
      : action === 'delegate'
        ? { delegate: extra.delegate ?? '' }
        : action === 'overrule'
          ? { comment: extra.comment ?? '驳回异议（矩阵）' }
          : undefined;
  const grpcRequest = (f: Fixtures) => ({
    proposalId: id(f),
    stepId,
    ...(action === 'sign' ? { position: extra.position ?? Position.POSITION_APPROVE, comment: extra.comment ?? '' } : {}),
    ...(action === 'delegate' ? { delegate: extra.delegate ?? '' } : {}),
    ...(action === 'overrule' ? { comment: extra.comment ?? '驳回异议（矩阵）' } : {}),
  });
  const calls: Call[] = [];
  if (via.includes('grpc')) calls.push(grpc(`${A}${grpcAction[action]}`, grpcRequest));
  if (via.includes('http'))
    calls.push(
      http(
        `POST /api/v1/approvals/:proposalId/steps/:stepId/${action}`,
        (f) => `/api/v1/approvals/${id(f)}/steps/${stepId}/${action}`,
        body ? () => body : undefined,
      ),
    );
  if (via.includes('page') && action !== 'take-back') {
    calls.push(
      page(
        `POST /inbox/:proposalId/steps/:stepId/${action}`,
        (f) => `/inbox/${id(f)}/steps/${stepId}/${action}`,
        () => ({
          ...(action === 'sign' ? { position: positionName, comment: extra.comment ?? '' } : {}),
          ...(action === 'delegate' ? { delegate: extra.delegate ?? '' } : {}),
          ...(action === 'overrule' ? { comment: extra.comment ?? '驳回异议（矩阵）' } : {}),
        }),
      ),
    );
  }
  return calls;
}

/** The revision cycle the matrix opens (the setup's and each OpenCycle call's). */
export const cycleBody = (cycleId: string) => ({
  cycleId,
  planPeriod: '2026-2030',
  title: '国家基本公共服务标准（矩阵测试）',
  effectiveFrom: { year: 2027, month: 7, day: 1 },
  fields: [
    { fieldCode: 'F17-HEA', leadMinistry: 'NHC' },
    { fieldCode: 'F17-EDU', leadMinistry: 'MOE' },
  ],
  fiscalCeiling: { centralFen: '100000', localFen: '100000' },
  evaluationSeconds: '3600',
  proposalWindowSeconds: '3600',
});
const openCycle = (label: string) => [
  grpc(`${C}OpenCycle`, (f) => ({ ...OpenCycleRequest.fromJSON(cycleBody(f.newId(`${label}-g`))) })),
  http('POST /api/v1/cycles', undefined, (f) => cycleBody(f.newId(`${label}-h`))),
  page('POST /cycles', undefined, (f) => ({
    cycleId: f.newId(`${label}-p`),
    planPeriod: '2026-2030',
    title: '矩阵测试',
    effectiveFrom: '2027-07-01',
    fields: 'F17-HEA:NHC',
    centralCeilingFen: '100000',
    localCeilingFen: '100000',
    evaluationSeconds: '3600',
    proposalWindowSeconds: '3600',
  })),
];
const cycleAction = (
  name: 'evaluate' | 'close-window' | 'resolve' | 'approve' | 'close',
  id: (f: Fixtures) => string,
  body: Record<string, string>,
): Call[] => {
  const grpcName = {
    evaluate: 'FileEvaluation',
    'close-window': 'CloseProposalWindow',
    resolve: 'ResolveConflict',
    approve: 'ApprovePackage',
    close: 'CloseCycle',
  }[name];
  const apiRoute = {
    evaluate: ['POST /api/v1/cycles/:cycleId/evaluations', (c: string) => `/api/v1/cycles/${c}/evaluations`],
    'close-window': ['POST /api/v1/cycles/:cycleId/windows/:fieldCode/close', (c: string) => `/api/v1/cycles/${c}/windows/${body['fieldCode'] ?? ''}/close`],
    resolve: ['POST /api/v1/cycles/:cycleId/conflicts/:itemCode/resolve', (c: string) => `/api/v1/cycles/${c}/conflicts/${body['itemCode'] ?? ''}/resolve`],
    approve: ['POST /api/v1/cycles/:cycleId/approve', (c: string) => `/api/v1/cycles/${c}/approve`],
    close: ['POST /api/v1/cycles/:cycleId/close', (c: string) => `/api/v1/cycles/${c}/close`],
  }[name] as [string, (c: string) => string];
  const apiBody =
    name === 'evaluate'
      ? { fieldCode: body['fieldCode'], summary: body['summary'] }
      : name === 'resolve'
        ? { keepProposalId: body['keepProposalId'], reason: body['reason'] }
        : name === 'approve'
          ? { comment: body['comment'] ?? '' }
          : undefined;
  return [
    grpc(`${C}${grpcName}`, (f) => ({ cycleId: id(f), ...body })),
    http(apiRoute[0], (f) => apiRoute[1](id(f)), apiBody ? () => apiBody : undefined),
    page(
      `POST /cycles/:cycleId/${name}`,
      (f) => `/cycles/${id(f)}/${name}`,
      () => body,
    ),
  ];
};
const trim = (
  changeSet: (f: Fixtures) => unknown,
  totals = { totalFen: '400', centralFen: '300', localFen: '100' },
  reason = '压减至财政承受能力以内（矩阵）',
): Call[] => [
  grpc(`${C}TrimProposal`, (f) => ({
    cycleId: f.trimCycle,
    proposalId: f.cycleProposal,
    fiscalTotals: totals,
    changeSet: changeSet(f) ? ChangeSet.fromJSON(changeSet(f)) : undefined,
    reason,
  })),
  http(
    'POST /api/v1/cycles/:cycleId/proposals/:proposalId/trim',
    (f) => `/api/v1/cycles/${f.trimCycle}/proposals/${f.cycleProposal}/trim`,
    (f) => ({ fiscalTotals: totals, reason, ...(changeSet(f) ? { changeSet: changeSet(f) } : {}) }),
  ),
];
/** A change set other than the one approved: EDU-01 retired and another ministry's HEA-01 retired too. */
const swappedChangeSet = (f: Fixtures) => ({
  changeSetId: `${f.cycleProposal}-swapped`,
  kind: 'RELEASE_KIND_EDITION',
  title: '换过的变更集',
  changes: [
    { changeId: 'c1', retireItem: { base: { itemCode: 'EDU-01', version: 1 }, reason: '矩阵' } },
    { changeId: 'c2', retireItem: { base: { itemCode: 'HEA-01', version: 1 }, reason: '矩阵' } },
  ],
  fieldCodes: ['F17-EDU'],
});

const correction = (itemCode: string, item: (f: Fixtures) => unknown, reason = '更正措辞（矩阵）'): Call[] => [
  grpc(`${R}CorrectItemVersion`, (f) => ({ itemCode, version: 1, item: ServiceItem.fromJSON(item(f)), reason })),
  http(
    'POST /api/v1/standards/items/:itemCode/versions/:version/corrections',
    () => `/api/v1/standards/items/${itemCode}/versions/1/corrections`,
    (f) => ({ item: item(f), reason }),
  ),
];

const approveErratum = (itemCode: string): Call[] => [
  grpc(`${R}ApproveErratum`, (f) => ({ itemCode, version: 1, erratumId: f.erratum })),
  http(
    'POST /api/v1/standards/items/:itemCode/versions/:version/corrections/:erratumId/approve',
    (f) => `/api/v1/standards/items/${itemCode}/versions/1/corrections/${f.erratum}/approve`,
    () => ({}),
  ),
];
const listErrata = (itemCode: string): Call[] => [
  grpc(`${R}ListErrata`, () => ({ itemCode })),
  http('GET /api/v1/standards/items/:itemCode/errata', () => `/api/v1/standards/items/${itemCode}/errata`),
];

const filing = (province: string) => ({
  provinceCode: province,
  itemCode: 'INS-05',
  effectiveFrom: { year: 2018, month: 1, day: 1 },
  metrics: [{ metric: 'government_subsidy_per_capita', value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
});
const fileLocal = (province: string) => [
  grpc(`${R}FileLocalStandard`, () => ({ ...FileLocalStandardRequest.fromJSON(filing(province)) })),
  http('POST /api/v1/standards/filings', undefined, () => filing(province)),
];

const publications = ['bps.standard.version.published', 'bps.standard.local.filed'];
const deliberations = ['bps.approval.step.signed', 'bps.approval.objection.raised', 'bps.approval.changeset.approved'];
const createSubscription = (eventTypes: readonly string[], provinceCodes: readonly string[] = []) => [
  grpc(`${N}CreateSubscription`, (f) => ({
    ...CreateSubscriptionRequest.fromPartial({
      endpointUrl: f.receiverUrl,
      description: '矩阵测试',
      filter: { eventTypes: [...eventTypes], provinceCodes: [...provinceCodes] },
    }),
  })),
  http('POST /api/v1/subscriptions', undefined, (f) => ({
    endpointUrl: f.receiverUrl,
    description: '矩阵测试',
    filter: { eventTypes: [...eventTypes], provinceCodes: [...provinceCodes] },
  })),
];
const consoleSubscribe = (eventTypes: readonly string[]) =>
  page('POST /subscriptions', undefined, (f) => ({ endpointUrl: f.receiverUrl, description: '矩阵测试', eventType: eventTypes }));
const subscribeStream = (eventTypes: readonly string[]) =>
  grpc(`${N}Subscribe`, () => ({ ...SubscribeRequest.fromPartial({ filter: { eventTypes: [...eventTypes] } }) }));
const subscriptionCalls = (id: (f: Fixtures) => string) => ({
  get: [
    grpc(`${N}GetSubscription`, (f) => ({ subscriptionId: id(f) })),
    http('GET /api/v1/subscriptions/:subscriptionId', (f) => `/api/v1/subscriptions/${id(f)}`),
    page('GET /subscriptions/:subscriptionId', (f) => `/subscriptions/${id(f)}`),
  ],
  pause: [
    grpc(`${N}PauseSubscription`, (f) => ({ subscriptionId: id(f) })),
    http('POST /api/v1/subscriptions/:subscriptionId/pause', (f) => `/api/v1/subscriptions/${id(f)}/pause`),
    page(
      'POST /subscriptions/:subscriptionId/pause',
      (f) => `/subscriptions/${id(f)}/pause`,
      () => ({}),
    ),
  ],
  resume: [
    grpc(`${N}ResumeSubscription`, (f) => ({ subscriptionId: id(f) })),
    http('POST /api/v1/subscriptions/:subscriptionId/resume', (f) => `/api/v1/subscriptions/${id(f)}/resume`),
    page(
      'POST /subscriptions/:subscriptionId/resume',
      (f) => `/subscriptions/${id(f)}/resume`,
      () => ({}),
    ),
  ],
  rotate: [
    grpc(`${N}RotateSecret`, (f) => ({ subscriptionId: id(f), gracePeriodSeconds: 60 })),
    http(
      'POST /api/v1/subscriptions/:subscriptionId/rotate-secret',
      (f) => `/api/v1/subscriptions/${id(f)}/rotate-secret`,
      () => ({ gracePeriodSeconds: 60 }),
    ),
  ],
  deliveries: [
    grpc(`${N}ListDeliveries`, (f) => ({ subscriptionId: id(f), eventId: '', status: 0, pageSize: 0, pageToken: '' })),
    http('GET /api/v1/subscriptions/:subscriptionId/deliveries', (f) => `/api/v1/subscriptions/${id(f)}/deliveries`),
  ],
  attempts: [
    grpc(`${N}ListDeliveryAttempts`, (f) => ({ subscriptionId: id(f), eventId: '', pageSize: 0, pageToken: '' })),
    http('GET /api/v1/subscriptions/:subscriptionId/attempts', (f) => `/api/v1/subscriptions/${id(f)}/attempts`),
  ],
  redeliver: [
    grpc(`${N}Redeliver`, (f) => ({ subscriptionId: id(f), eventIds: [] })),
    http(
      'POST /api/v1/subscriptions/:subscriptionId/redeliver',
      (f) => `/api/v1/subscriptions/${id(f)}/redeliver`,
      () => ({}),
    ),
    page(
      'POST /subscriptions/:subscriptionId/redeliver',
      (f) => `/subscriptions/${id(f)}/redeliver`,
      () => ({}),
    ),
  ],
  replay: [
    grpc(`${N}Replay`, (f) => ({ subscriptionId: id(f), from: { $case: 'sinceTime', sinceTime: new Date(Date.now() + 3600_000) } })),
    http(
      'POST /api/v1/subscriptions/:subscriptionId/replay',
      (f) => `/api/v1/subscriptions/${id(f)}/replay`,
      () => ({ sinceTime: new Date(Date.now() + 3600_000).toISOString() }),
    ),
  ],
  delete: [
    grpc(`${N}DeleteSubscription`, (f) => ({ subscriptionId: id(f) })),
    http('DELETE /api/v1/subscriptions/:subscriptionId', (f) => `/api/v1/subscriptions/${id(f)}`),
  ],
});
const sub = subscriptionCalls((f) => f.subscription);
const eventDeliveries = [
  grpc(`${N}ListDeliveries`, () => ({ subscriptionId: '', eventId: 'matrix-event', status: 0, pageSize: 0, pageToken: '' })),
  http('GET /api/v1/events/:eventId/deliveries', () => '/api/v1/events/matrix-event/deliveries'),
];
const listSubscriptions = [grpc(`${N}ListSubscriptions`), http('GET /api/v1/subscriptions'), page('GET /subscriptions')];

const auditReads = (f0: { proposal: (f: Fixtures) => string; cycle: (f: Fixtures) => string }): Call[] => [
  grpc(`${AU}TraceItemVersion`, () => ({ itemCode: 'HEA-01', version: 1 })),
  http('GET /api/v1/audit/items/:itemCode/versions/:version/trace', () => '/api/v1/audit/items/HEA-01/versions/1/trace'),
  http('GET /api/v1/audit/items/:itemCode/versions/:version/export', () => '/api/v1/audit/items/HEA-01/versions/1/export'),
  grpc(`${AU}TraceProposal`, (f) => ({ proposalId: f0.proposal(f) })),
  http('GET /api/v1/audit/proposals/:proposalId/trace', (f) => `/api/v1/audit/proposals/${f0.proposal(f)}/trace`),
  http('GET /api/v1/audit/proposals/:proposalId/export', (f) => `/api/v1/audit/proposals/${f0.proposal(f)}/export`),
  grpc(`${AU}TraceCycle`, (f) => ({ cycleId: f0.cycle(f) })),
  http('GET /api/v1/audit/cycles/:cycleId/trace', (f) => `/api/v1/audit/cycles/${f0.cycle(f)}/trace`),
  http('GET /api/v1/audit/cycles/:cycleId/export', (f) => `/api/v1/audit/cycles/${f0.cycle(f)}/export`),
  grpc(`${AU}TraceActor`, () => ({ subject: extraIdentities['moe-approver'].subject, from: undefined, to: undefined })),
  http('GET /api/v1/audit/actors/:subject/trace', () => `/api/v1/audit/actors/${extraIdentities['moe-approver'].subject}/trace`),
  http('GET /api/v1/audit/actors/:subject/export', () => `/api/v1/audit/actors/${extraIdentities['moe-approver'].subject}/export`),
  grpc(`${AU}Verify`, (f) => ({ log: `proposal:${f0.proposal(f)}`, checkpoints: [] })),
  http('POST /api/v1/audit/verify', undefined, (f) => ({ log: `proposal:${f0.proposal(f)}` })),
  grpc(`${AU}ExportTrace`, (f) => ({ target: { $case: 'proposal', proposal: { proposalId: f0.proposal(f) } } })),
  page('GET /audit', (f) => `/audit?proposal=${encodeURIComponent(f0.proposal(f))}`),
  page('GET /audit/export', (f) => `/audit/export?proposal=${encodeURIComponent(f0.proposal(f))}`),
];
const auditOf = auditReads({ proposal: (f) => f.review, cycle: (f) => f.cycle });

const registryReads: Call[] = [
  grpc(`${R}GetItem`, () => ({ itemCode: 'HEA-01', asOf: undefined, provinceCode: '' })),
  http('GET /api/v1/standards/items/:itemCode', () => '/api/v1/standards/items/HEA-01'),
  page('GET /standards/items/:itemCode', () => '/standards/items/HEA-01'),
  grpc(`${R}ListItems`, () => ({ asOf: undefined, fieldCode: '', categoryCode: '', provinceCode: '' })),
  http('GET /api/v1/standards/items'),
  page('GET /standards'),
  grpc(`${R}GetItemHistory`, () => ({ itemCode: 'HEA-01', includeCorrections: true })),
  http('GET /api/v1/standards/items/:itemCode/history', () => '/api/v1/standards/items/HEA-01/history'),
  grpc(`${R}GetItemLineage`, () => ({ itemCode: 'HEA-01' })),
  http('GET /api/v1/standards/items/:itemCode/lineage', () => '/api/v1/standards/items/HEA-01/lineage'),
  grpc(`${R}DiffStandards`, () => ({ from: { $case: 'fromDate', fromDate: iso('2018-01-01') }, to: { $case: 'toDate', toDate: today }, fieldCode: '' })),
  http('GET /api/v1/standards/diff', () => '/api/v1/standards/diff?from=2018-01-01&to=2026-01-01'),
  page('GET /standards/diff', () => '/standards/diff?from=2018-01-01&to=2026-01-01'),
  grpc(`${R}ListReleases`),
  http('GET /api/v1/standards/releases'),
  grpc(`${R}GetTaxonomy`, () => ({ asOf: undefined })),
  http('GET /api/v1/standards/taxonomy'),
  grpc(`${R}ListMetricLabels`),
  http('GET /api/v1/standards/units'),
  grpc(`${R}ListPackageLevels`, () => ({ asOf: undefined, itemCode: '' })),
  http('GET /api/v1/standards/packages'),
  grpc(`${R}GetPackageLevel`, () => ({ packageCode: 'BPHS', asOf: undefined })),
  http('GET /api/v1/standards/packages/:packageCode', () => '/api/v1/standards/packages/BPHS'),
  page('GET /standards/packages/:packageCode', () => '/standards/packages/BPHS'),
  http('GET /api/v1/standards/edition.csv', () => '/api/v1/standards/edition.csv?date=2026-01-01'),
  http('GET /api/v1/standards/monitoring'),
  http('GET /api/v1/standards/monitoring.csv'),
  http('GET /api/v1/standards/monitoring/history'),
  http('GET /api/v1/standards/monitoring/history.csv'),
  page('GET /standards/monitoring'),
];
const nationalCompliance: Call = grpc(`${R}GetNationalCompliance`, () => ({ asOf: undefined }));
const complianceHistory: Call = grpc(`${R}GetComplianceHistory`, () => ({
  from: iso('2025-01-01'),
  to: iso('2025-03-01'),
  interval: 'month',
  marginPercent: undefined,
  fieldCode: '',
  knownAt: undefined,
}));
const compliance = (province: string): Call[] => [
  grpc(`${R}GetComplianceReport`, () => ({ provinceCode: province, asOf: undefined })),
  http('GET /api/v1/standards/compliance/:provinceCode', () => `/api/v1/standards/compliance/${province}`),
  page('GET /standards/compliance', () => `/standards/compliance?province=${province}`),
];
const cycleReads = (id: (f: Fixtures) => string): Call[] => [
  grpc(`${C}GetCycle`, (f) => ({ cycleId: id(f) })),
  http('GET /api/v1/cycles/:cycleId', (f) => `/api/v1/cycles/${id(f)}`),
  page('GET /cycles/:cycleId', (f) => `/cycles/${id(f)}`),
  grpc(`${C}ListCycles`),
  http('GET /api/v1/cycles'),
  page('GET /cycles'),
];
const inboxReads: Call[] = [
  grpc(`${A}ListMyOpenSteps`, () => ({ fieldCode: '', kind: '', cycleId: '', dueBefore: undefined, overdueOnly: false })),
  http('GET /api/v1/inbox'),
  page('GET /inbox'),
];
const mySignOffs = (id: (f: Fixtures) => string): Call[] => [
  grpc(`${A}ListMySignOffs`, (f) => ({ proposalId: id(f) })),
  http('GET /api/v1/approvals/:proposalId/my-sign-offs', (f) => `/api/v1/approvals/${id(f)}/my-sign-offs`),
];

// ---- the standardisation programme (issue #18) -------------------------------------------------------------------
const programmeReads: Call[] = [
  grpc(`${PG}ListStandards`),
  http('GET /api/v1/programme/standards'),
  page('GET /programme/standards'),
  grpc(`${PG}GetStandard`, (f) => ({ standardId: f.programme.publishedStandard })),
  http('GET /api/v1/programme/standards/:standardId', (f) => `/api/v1/programme/standards/${f.programme.publishedStandard}`),
  page('GET /programme/standards/:standardId', (f) => `/programme/standards/${f.programme.publishedStandard}`),
  grpc(`${PG}GetCoverage`),
  http('GET /api/v1/programme/coverage'),
  grpc(`${PG}GetProgrammeProgress`),
  http('GET /api/v1/programme/progress'),
  page('GET /programme'),
  grpc(`${PG}ListPilotBatches`),
  http('GET /api/v1/programme/pilot-batches'),
  grpc(`${PG}ListPilots`),
  http('GET /api/v1/programme/pilots'),
  page('GET /programme/pilots'),
  grpc(`${PG}GetPilot`, (f) => ({ pilotId: f.programme.publishedPilot })),
  http('GET /api/v1/programme/pilots/:pilotId', (f) => `/api/v1/programme/pilots/${f.programme.publishedPilot}`),
  page('GET /programme/pilots/:pilotId', (f) => `/programme/pilots/${f.programme.publishedPilot}`),
  grpc(`${PG}ListEvaluations`),
  http('GET /api/v1/programme/evaluations'),
  page('GET /programme/evaluations'),
  grpc(`${PG}GetEvaluation`, (f) => ({ evaluationId: f.programme.evaluation })),
  http('GET /api/v1/programme/evaluations/:evaluationId', (f) => `/api/v1/programme/evaluations/${f.programme.evaluation}`),
  grpc(`${PG}ListExperts`),
  http('GET /api/v1/programme/experts'),
];
const standardJson = (itemCode: string) => ({
  title: `基本公共卫生服务 ${itemCode} 服务规范（矩阵立项）`,
  level: 'STANDARD_LEVEL_NATIONAL',
  kind: 'STANDARD_KIND_SERVICE_PROCESS_QUALITY',
  itemCodes: [itemCode],
  supportingMeasures: [programmeDoc('配套措施')],
});
const proposeStandard: Call[] = [
  grpc(`${PG}ProposeStandard`, () => ({ ...ProposeStandardRequest.fromJSON(standardJson('HEA-03')) })),
  http('POST /api/v1/programme/standards', undefined, () => standardJson('HEA-03')),
  page('POST /programme/standards', undefined, () => ({
    ...standardJson('HEA-03'),
    itemCodes: 'HEA-03',
    supportingMeasures: `配套措施 | https://example.gov.cn/m.pdf | ${'cd'.repeat(32)}`,
  })),
];
const advanceStandard: Call[] = [
  grpc(`${PG}AdvanceStandard`, (f) => ({ ...AdvanceStandardRequest.fromJSON({ standardId: f.programme.standard, to: 'STANDARD_STAGE_DRAFTING' }) })),
  http(
    'POST /api/v1/programme/standards/:standardId/advance',
    (f) => `/api/v1/programme/standards/${f.programme.standard}/advance`,
    () => ({ to: 'STANDARD_STAGE_DRAFTING' }),
  ),
  page(
    'POST /programme/standards/:standardId/advance',
    (f) => `/programme/standards/${f.programme.standard}/advance`,
    () => ({ to: 'STANDARD_STAGE_DRAFTING' }),
  ),
];
const registerExpert: Call[] = [
  grpc(`${PG}RegisterExpert`, () => ({ ...RegisterExpertRequest.fromJSON({ name: '专家（矩阵）', affiliation: 'CNIS', nationalCommittee: true }) })),
  http('POST /api/v1/programme/experts', undefined, () => ({ name: '专家（矩阵）', affiliation: 'CNIS', nationalCommittee: true })),
];
const batchJson = (batchId: string) => ({ batchId, title: '试点批次（矩阵）', applicationsClose: { year: 2099, month: 12, day: 31 } });
const openBatch = (label: string): Call[] => [
  grpc(`${PG}OpenPilotBatch`, (f) => ({ ...OpenPilotBatchRequest.fromJSON(batchJson(f.newId(`${label}-g`))) })),
  http('POST /api/v1/programme/pilot-batches', undefined, (f) => batchJson(f.newId(`${label}-h`))),
  page('POST /programme/batches', undefined, (f) => ({ batchId: f.newId(`${label}-p`), title: '试点批次（矩阵）', applicationsClose: '2099-12-31' })),
];
const applyJson = (f: Fixtures, label: string) => ({
  batchId: f.programme.batch,
  application: pilotApplication('110112', '北京市通州区', `${f.newId(label)}基本公共服务标准化试点`),
});
const applyForPilot = (label: string): Call[] => [
  grpc(`${PG}ApplyForPilot`, (f) => ({ ...ApplyForPilotRequest.fromJSON(applyJson(f, `${label}-g`)) })),
  http('POST /api/v1/programme/pilots', undefined, (f) => applyJson(f, `${label}-h`)),
  page('POST /programme/pilots', undefined, (f) => {
    const { batchId, application } = applyJson(f, `${label}-p`);
    const { majorIncidentInThreeYears: _none, ...texts } = application;
    return { batchId, ...texts };
  }),
];
const screenPilot: Call[] = [
  grpc(`${PG}ActOnPilot`, (f) => ({
    ...ActOnPilotRequest.fromJSON({ pilotId: f.programme.pilot, screen: { recommend: true, opinion: '同意推荐（矩阵）' } }),
  })),
  http(
    'POST /api/v1/programme/pilots/:pilotId/actions',
    (f) => `/api/v1/programme/pilots/${f.programme.pilot}/actions`,
    () => ({ screen: { recommend: true, opinion: '同意推荐（矩阵）' } }),
  ),
  page(
    'POST /programme/pilots/:pilotId/act/:action',
    (f) => `/programme/pilots/${f.programme.pilot}/act/screen`,
    () => ({ recommend: 'yes', opinion: '同意推荐（矩阵）' }),
  ),
];
const recordEvaluation: Call[] = [
  grpc(`${PG}RecordEvaluation`, () => ({ ...RecordEvaluationRequest.fromJSON(satisfactionSurvey) })),
  http('POST /api/v1/programme/evaluations', undefined, () => satisfactionSurvey),
  page('POST /programme/evaluations', undefined, () => ({
    ...satisfactionSurvey,
    sampleSize: '800',
    documents: `满意度调查报告 | https://example.gov.cn/s.pdf | ${'cd'.repeat(32)}`,
  })),
];

// ---- answers the list rows look into ----------------------------------------------------------------------------
const ids = (answer: any, key: string, id: string): string[] =>
  ((answer?.[key] ?? []) as any[]).map((x) => (key === 'items' ? x?.proposal?.proposalId : x?.[id]) as string);
/** The list must (or must not) include the object. HTML answers (console) are searched as text. */
const lists =
  (key: string, idField: string, which: (f: Fixtures) => string, present: boolean) =>
  (answer: any, f: Fixtures): string | undefined => {
    const target = which(f);
    const has = typeof answer === 'string' ? answer.includes(target) : ids(answer, key, idField).includes(target);
    return has === present ? undefined : `${present ? 'missing' : 'lists'} ${target}`;
  };
const seesProposal = (which: (f: Fixtures) => string, present: boolean) => lists('proposals', 'proposalId', which, present);
const seesSubscription = (present: boolean) => lists('subscriptions', 'subscriptionId', (f) => f.subscription, present);
const seesInboxItem = (which: (f: Fixtures) => string, present: boolean) => lists('items', 'proposalId', which, present);

const everyone: readonly PersonaName[] = [
  'nhc-staff',
  'moe-staff',
  'nhc-approver',
  'ndrc-approver',
  'mof-approver',
  'final-approver',
  'beijing-officer',
  'guangdong-officer',
  'statistics-subscriber',
  'auditor',
  'operator',
];
const proposalParties: readonly PersonaName[] = ['nhc-staff', 'nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver', 'auditor', 'operator'];
const outsiders: readonly PersonaName[] = ['moe-staff', 'beijing-officer', 'guangdong-officer', 'statistics-subscriber'];

// ---- the programme, step by step (issue #18): who may take each step, and every other organisation and role refused,
// over gRPC, the JSON API and the console alike; what a visitor of the portal sees and does not --------------------
const PAPI = '/api/v1/programme';
/** A document as the console's forms take it: "title | uri | digest". */
const docLine = (title: string): string => {
  const d = programmeDoc(title);
  return `${d.title} | ${d.uri} | ${d.digest}`;
};
/** 立项 of a standard supporting `itemCodes` (a local one names its province), with or without supporting measures. */
const pgPropose = (level: 'NATIONAL' | 'LOCAL', itemCodes: readonly string[], provinceCode = '', measures = true): Call[] => {
  const json = {
    title: '基本公共服务 服务规范（矩阵）',
    level: `STANDARD_LEVEL_${level}`,
    kind: 'STANDARD_KIND_SERVICE_PROCESS_QUALITY',
    itemCodes: [...itemCodes],
    ...(provinceCode ? { provinceCode } : {}),
    supportingMeasures: measures ? [programmeDoc('配套措施（矩阵）')] : [],
  };
  return [
    grpc(`${PG}ProposeStandard`, () => ({ ...ProposeStandardRequest.fromJSON(json) })),
    http(`POST ${PAPI}/standards`, undefined, () => json),
    page('POST /programme/standards', undefined, () => ({
      title: json.title,
      level: json.level,
      kind: json.kind,
      itemCodes: itemCodes.join(','),
      provinceCode,
      supportingMeasures: measures ? docLine('配套措施（矩阵）') : '',
    })),
  ];
};
/** Moving a standard to `to` (any revision). */
const pgAdvance = (id: (f: Fixtures) => string, to: string): Call[] => [
  grpc(`${PG}AdvanceStandard`, (f) => ({ ...AdvanceStandardRequest.fromJSON({ standardId: id(f), to }) })),
  http(
    `POST ${PAPI}/standards/:standardId/advance`,
    (f) => `${PAPI}/standards/${id(f)}/advance`,
    () => ({ to }),
  ),
  page(
    'POST /programme/standards/:standardId/advance',
    (f) => `/programme/standards/${id(f)}/advance`,
    () => ({ to }),
  ),
];
const pgExpert = (nationalCommittee: boolean): Call[] => {
  const json = { name: '评估专家（矩阵）', affiliation: nationalCommittee ? 'CNIS' : '110101', nationalCommittee };
  return [grpc(`${PG}RegisterExpert`, () => ({ ...RegisterExpertRequest.fromJSON(json) })), http(`POST ${PAPI}/experts`, undefined, () => json)];
};
/** A step of 通州's submitted pilot: gRPC and the API take the oneof member as JSON; the console its form. */
const pgStep = (action: string, json: (f: Fixtures) => Record<string, unknown>, form: (f: Fixtures) => Record<string, string | readonly string[]>): Call[] => [
  grpc(`${PG}ActOnPilot`, (f) => ({ ...ActOnPilotRequest.fromJSON({ pilotId: f.programme.pilot, [action]: json(f) }) })),
  http(
    `POST ${PAPI}/pilots/:pilotId/actions`,
    (f) => `${PAPI}/pilots/${f.programme.pilot}/actions`,
    (f) => ({ [action]: json(f) }),
  ),
  page('POST /programme/pilots/:pilotId/act/:action', (f) => `/programme/pilots/${f.programme.pilot}/act/${action}`, form),
];
const pgSteps = {
  screen: pgStep(
    'screen',
    () => ({ recommend: true, opinion: '同意推荐（矩阵）' }),
    () => ({ recommend: 'yes', opinion: '同意推荐（矩阵）' }),
  ),
  select: pgStep(
    'decideSelection',
    () => ({ select: true, opinion: '同意（矩阵）', termStart: iso('2026-01-01'), termEnd: iso('2027-12-31') }),
    () => ({ select: 'yes', opinion: '同意（矩阵）', termStart: '2026-01-01', termEnd: '2027-12-31' }),
  ),
  reportProgress: pgStep(
    'reportProgress',
    () => ({ tasks: [{ task: 'PILOT_TASK_COORDINATION_MECHANISM', status: 'TASK_STATUS_DONE', note: '协调机制已建立（矩阵）' }] }),
    () => ({
      [`task-${PilotTask.PILOT_TASK_COORDINATION_MECHANISM}-status`]: 'TASK_STATUS_DONE',
      [`task-${PilotTask.PILOT_TASK_COORDINATION_MECHANISM}-note`]: '协调机制已建立（矩阵）',
    }),
  ),
  reportIncident: pgStep(
    'reportIncident',
    () => ({ description: '服务安全事故（矩阵）', occurredOn: iso('2026-03-02') }),
    () => ({ description: '服务安全事故（矩阵）', occurredOn: '2026-03-02' }),
  ),
  decideIncident: pgStep(
    'decideIncident',
    () => ({ cancel: false, extendedTo: iso('2028-06-30'), note: '延期整改（矩阵）' }),
    () => ({ decision: 'extend', extendedTo: '2028-06-30', note: '延期整改（矩阵）' }),
  ),
  requestEvaluation: pgStep(
    'requestEvaluation',
    () => ({ note: '试点期满，申请评估（矩阵）' }),
    () => ({ note: '试点期满，申请评估（矩阵）' }),
  ),
  formExpertGroup: pgStep(
    'formExpertGroup',
    (f) => ({ expertIds: [...f.programme.experts] }),
    (f) => ({ expertIds: [...f.programme.experts] }),
  ),
  recordEvaluation: pgStep(
    'recordEvaluation',
    () => ({ conclusion: 'PASS', score: '90', summary: '五项任务完成（矩阵）', report: [programmeDoc('试点评估报告（矩阵）')] }),
    () => ({ conclusion: 'PASS', score: '90', summary: '五项任务完成（矩阵）', report: docLine('试点评估报告（矩阵）') }),
  ),
  recheck: pgStep(
    'recheck',
    () => ({ outcome: 'CONFIRMED', note: '抽查复核无异议（矩阵）' }),
    () => ({ outcome: 'CONFIRMED', note: '抽查复核无异议（矩阵）' }),
  ),
  publishResults: pgStep(
    'publishResults',
    () => ({ note: '向社会公布（矩阵）' }),
    () => ({ note: '向社会公布（矩阵）' }),
  ),
};
/** A satisfaction survey of HEA-01 in `provinceCode` (000000: a national one). */
const pgSurvey = (provinceCode: string): Call[] => {
  const json = {
    kind: 'EVALUATION_KIND_SATISFACTION_SURVEY',
    itemCode: 'HEA-01',
    provinceCode,
    period: '2025',
    method: '入户抽样调查（矩阵）',
    sampleSize: 1200,
    satisfactionPercent: '88.5',
    summary: '居民总体满意（矩阵）',
    documents: [programmeDoc('满意度调查报告（矩阵）')],
  };
  return [
    grpc(`${PG}RecordEvaluation`, () => ({ ...RecordEvaluationRequest.fromJSON(json) })),
    http(`POST ${PAPI}/evaluations`, undefined, () => json),
    page('POST /programme/evaluations', undefined, () => ({ ...json, sampleSize: '1200', documents: docLine('满意度调查报告（矩阵）') })),
  ];
};
/** The answer (JSON, or a page's HTML) shows the object. */
const pgShows =
  (key: string, idField: string, which: (f: Fixtures) => string) =>
  (answer: any, f: Fixtures): string | undefined =>
    (typeof answer === 'string' ? answer.includes(which(f)) : answer?.[key]?.[idField] === which(f)) ? undefined : `no ${key} ${which(f)}`;
/** Everything the programme records, the pipeline included, as signed-in people read it (each read must show it). */
const pgSignedInReads: { call: Call; check: NonNullable<Row['check']> }[] = [
  ...[
    grpc(`${PG}GetStandard`, (f) => ({ standardId: f.programme.standard })),
    http(`GET ${PAPI}/standards/:standardId`, (f) => `${PAPI}/standards/${f.programme.standard}`),
    page('GET /programme/standards/:standardId', (f) => `/programme/standards/${f.programme.standard}`),
  ].map((call) => ({ call, check: pgShows('standard', 'standardId', (f) => f.programme.standard) })),
  ...[
    grpc(`${PG}ListStandards`, () => ({ itemCode: 'HEA-01' })),
    http(`GET ${PAPI}/standards`, () => `${PAPI}/standards?item=HEA-01`),
    page('GET /programme/standards', () => '/programme/standards?item=HEA-01'),
  ].map((call) => ({ call, check: lists('standards', 'standardId', (f) => f.programme.standard, true) })),
  ...[
    grpc(`${PG}GetPilot`, (f) => ({ pilotId: f.programme.pilot })),
    http(`GET ${PAPI}/pilots/:pilotId`, (f) => `${PAPI}/pilots/${f.programme.pilot}`),
    page('GET /programme/pilots/:pilotId', (f) => `/programme/pilots/${f.programme.pilot}`),
  ].map((call) => ({ call, check: pgShows('pilot', 'pilotId', (f) => f.programme.pilot) })),
  ...[
    grpc(`${PG}ListPilots`, (f) => ({ batchId: f.programme.batch })),
    http(`GET ${PAPI}/pilots`, (f) => `${PAPI}/pilots?batch=${f.programme.batch}`),
    page('GET /programme/pilots', (f) => `/programme/pilots?batch=${f.programme.batch}`),
  ].map((call) => ({ call, check: lists('pilots', 'pilotId', (f) => f.programme.pilot, true) })),
  ...[grpc(`${PG}ListPilotBatches`), http(`GET ${PAPI}/pilot-batches`)].map((call) => ({
    call,
    check: lists('batches', 'batchId', (f) => f.programme.batch, true),
  })),
  ...[grpc(`${PG}ListExperts`), http(`GET ${PAPI}/experts`)].map((call) => ({
    call,
    check: lists('experts', 'expertId', (f) => f.programme.experts[0] ?? '', true),
  })),
  ...[
    grpc(`${PG}ListEvaluations`, () => ({ itemCode: 'HEA-01' })),
    http(`GET ${PAPI}/evaluations`, () => `${PAPI}/evaluations?item=HEA-01`),
    page('GET /programme/evaluations', () => '/programme/evaluations?item=HEA-01'),
  ].map((call) => ({ call, check: lists('evaluations', 'evaluationId', (f) => f.programme.evaluation, true) })),
  ...[
    grpc(`${PG}GetEvaluation`, (f) => ({ evaluationId: f.programme.evaluation })),
    http(`GET ${PAPI}/evaluations/:evaluationId`, (f) => `${PAPI}/evaluations/${f.programme.evaluation}`),
  ].map((call) => ({ call, check: pgShows('evaluation', 'evaluationId', (f) => f.programme.evaluation) })),
  ...[grpc(`${PG}GetCoverage`), http(`GET ${PAPI}/coverage`)].map((call) => ({
    call,
    check: (a: any) => ((a?.categories?.length ?? 0) > 0 ? undefined : 'no categories'),
  })),
  ...[grpc(`${PG}GetProgrammeProgress`), http(`GET ${PAPI}/progress`)].map((call) => ({
    call,
    check: (a: any) => ((a?.targets?.length ?? 0) > 0 ? undefined : 'no targets'),
  })),
];
/** Signed-in readers of every kind: ministries, provinces, a subscriber, the auditor, SAMR, a province's and a city's officers. */
const pgReaders: readonly PersonaName[] = [
  'nhc-staff',
  'guangdong-officer',
  'statistics-subscriber',
  'auditor',
  'samr-officer',
  'beijing-programme-officer',
  'langfang-officer',
];
/** The published pilot's expert group: names shown to people signed in, never to a visitor. */
const pgExpertNames =
  (shown: boolean) =>
  (answer: unknown): string | undefined => {
    const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
    const seen = expertNames.filter((n) => text.includes(n));
    if (shown) return seen.length === expertNames.length ? undefined : `expert names missing (${seen.length} of ${expertNames.length} shown)`;
    return seen.length === 0 ? undefined : `a visitor sees expert names: ${seen.join('、')}`;
  };
/** A visitor's list: the published object, and nothing in the pipeline. */
const pgVisitorList =
  (key: string, idField: string, published: (f: Fixtures) => string, pipeline: (f: Fixtures) => string) =>
  (answer: any, f: Fixtures): string | undefined =>
    lists(key, idField, published, true)(answer, f) ?? lists(key, idField, pipeline, false)(answer, f);

// ---- THE TABLE ----------------------------------------------------------------------------------------------------
export const matrix: readonly Row[] = [
  // -- identity and documents --
  ...everyone.flatMap((p) => rows(p, 'any', 'allowed', [grpc('/bps.identity.v1.IdentityService/WhoAmI'), http('GET /api/v1/whoami')])),
  ...rows('anonymous', 'any', 'allowed', [
    http('GET /openapi.json'),
    http('GET /healthz'),
    http('GET /readyz'),
    http('GET /.well-known/jwks.json'),
    http('GET /.well-known/bps-decision-keys.json'),
    http('GET /api/v1/auth/personas'),
  ]),
  row(
    'anonymous',
    'any',
    'allowed',
    http('POST /api/v1/auth/token', undefined, () => ({ persona: 'nhc-staff' })),
    { note: 'development/test only: the persona issuer does not exist in production' },
  ),
  // -- console: public pages and redirects --
  ...rows('anonymous', 'any', 'allowed', [
    page('GET /assets/:file', () => '/assets/console.css'),
    page('GET /'),
    page('GET /signin', () => '/signin?next=/standards'),
    page('GET /lang', () => '/lang?to=en&next=/standards'),
  ]),
  row(
    'anonymous',
    'any',
    'allowed',
    page('POST /signin', undefined, () => ({ persona: 'nhc-staff', next: '/standards' })),
  ),
  row(
    'nhc-staff',
    'any',
    'allowed',
    page('POST /signout', undefined, () => ({})),
  ),
  row(
    'anonymous',
    'any',
    'SAME_ORIGIN',
    page('GET /lang', () => '/lang?to=en&next=/%09/evil.example'),
    { issue: 'console redirect /%09/evil.example' },
  ),
  row(
    'anonymous',
    'any',
    'SAME_ORIGIN',
    page('GET /lang', () => '/lang?to=en&next=/%0d%0a/x'),
    { issue: 'console redirect /%0d%0a/x' },
  ),
  row(
    'anonymous',
    'any',
    'SAME_ORIGIN',
    page('GET /lang', () => '/lang?to=en&next=//evil.example/x'),
    { issue: 'console redirect' },
  ),
  row(
    'anonymous',
    'any',
    'SAME_ORIGIN',
    page('POST /signin', undefined, () => ({ persona: 'nhc-staff', next: '/\t/evil.example' })),
    { issue: 'console redirect /%09/evil.example' },
  ),
  row(
    'anonymous',
    'any',
    'SAME_ORIGIN',
    page('POST /signin', undefined, () => ({ persona: 'nhc-staff', next: '/\r\n/x' })),
    { issue: 'console redirect /%0d%0a/x' },
  ),

  // -- registry: published standards are readable by every signed-in persona --
  ...(['nhc-staff', 'beijing-officer', 'statistics-subscriber', 'auditor'] as const).flatMap((p) => rows(p, 'any', 'allowed', registryReads)),
  ...rows('beijing-officer', 'own', 'allowed', compliance('110000')),
  ...(['nhc-staff', 'beijing-officer', 'auditor'] as const).flatMap((p) =>
    rows(p, 'any', 'allowed', [nationalCompliance, complianceHistory], { note: 'national monitoring is public' }),
  ),
  ...rows('guangdong-officer', 'other', 'allowed', compliance('110000'), { note: 'compliance reports are public (national oversight)' }),
  ...rows('nhc-staff', 'any', 'allowed', compliance('440000')),
  ...rows('beijing-officer', 'own', 'allowed', fileLocal('110000')),
  ...rows('guangdong-officer', 'other', 'PERMISSION_DENIED', fileLocal('110000'), { reason: 'NOT_PROVINCE_OFFICER' }),
  ...(['nhc-staff', 'statistics-subscriber', 'operator'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', fileLocal('110000'), { reason: 'NOT_PROVINCE_OFFICER' }),
  ),
  // Corrections: errata only (wording), never a floor; the issue's case is MOE staff adding a floor to EDU-05.
  ...rows(
    'moe-staff',
    'own',
    'INVALID_ARGUMENT',
    correction('EDU-05', (f) => f.flooredItem),
    { late: true, issue: 'corrections by ministry staff changing a floor', note: 'field violation NOT_WORDING: a level changes only by proposal' },
  ),
  ...rows(
    'nhc-staff',
    'other',
    'PERMISSION_DENIED',
    correction('EDU-05', (f) => f.flooredItem),
    { reason: 'NOT_LEAD_UNIT' },
  ),
  ...(['beijing-officer', 'statistics-subscriber', 'auditor'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      correction('EDU-05', (f) => f.flooredItem),
    ),
  ),
  // An erratum takes effect only when a second person approves it: an approver of the lead unit or the final approver.
  ...rows('moe-staff', 'own', 'PERMISSION_DENIED', approveErratum('EDU-05'), { reason: 'NOT_ERRATUM_APPROVER', issue: 'corrections need a second approver' }),
  ...(['nhc-approver', 'beijing-officer', 'statistics-subscriber', 'auditor', 'operator'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', approveErratum('EDU-05'), { reason: 'NOT_ERRATUM_APPROVER' }),
  ),
  ...rows('final-approver', 'other', 'allowed', approveErratum('EDU-05').slice(0, 1), { late: true, note: 'the second person: the erratum takes effect' }),
  row('final-approver', 'other', 'allowed', approveErratum('EDU-05')[1]!, {
    late: true,
    note: 'approving again: FAILED_PRECONDITION ALREADY_APPROVED, after the checks of who',
  }),
  ...everyone.flatMap((p) => rows(p, 'any', 'allowed', listErrata('EDU-05'))),

  // -- proposals: object-level reads --
  ...proposalParties.flatMap((p) =>
    rows(
      p,
      p.startsWith('nhc') ? 'own' : 'other',
      'allowed',
      [...getProposal((f) => f.draft), ...estimateStored((f) => f.draft), ...validate((f) => f.draft)],
      { issue: 'others reading drafts' },
    ),
  ),
  ...outsiders.flatMap((p) =>
    rows(p, 'other', 'NOT_FOUND', [...getProposal((f) => f.draft), ...estimateStored((f) => f.draft), ...validate((f) => f.draft)], {
      issue: 'others reading drafts',
    }),
  ),
  ...outsiders.flatMap((p) =>
    rows(
      p,
      'other',
      'NOT_FOUND',
      getProposal((f) => f.review),
      { issue: 'others reading drafts' },
    ),
  ),
  ...proposalParties.flatMap((p) => rows(p, p.startsWith('nhc') ? 'own' : 'other', 'allowed', listProposals, { check: seesProposal((f) => f.draft, true) })),
  ...outsiders.flatMap((p) =>
    rows(p, 'other', 'allowed', listProposals, { check: seesProposal((f) => f.draft, false), issue: 'others reading drafts (lists)' }),
  ),
  ...everyone.flatMap((p) =>
    rows(
      p,
      'any',
      'allowed',
      [
        grpc(`${P}ComputeFiscalEstimate`, () => ({ source: { $case: 'content', content: draftContent('HEA-03') } })),
        http('POST /api/v1/fiscal-estimates', undefined, () => ({ content: draftJson('HEA-03') })),
      ],
      { note: 'estimating given content reveals nothing stored' },
    ),
  ),
  // -- proposals: drafting and the proposer's actions --
  ...rows('nhc-staff', 'own', 'allowed', [
    grpc(`${P}CreateProposal`, () => ({ content: draftContent('HEA-07'), requestId: '' })),
    http('POST /api/v1/proposals', undefined, () => ({ content: draftJson('HEA-07') })),
    page('GET /proposals/new', () => '/proposals/new?item=HEA-07'),
    page('POST /proposals/new', undefined, () => ({ action: 'estimate', item: 'HEA-07' })),
  ]),
  ...(['moe-staff', 'nhc-approver', 'beijing-officer', 'statistics-subscriber', 'auditor', 'operator'] as const).flatMap((p) =>
    rows(p, p === 'nhc-approver' ? 'own' : 'other', 'PERMISSION_DENIED', [
      grpc(`${P}CreateProposal`, () => ({ content: draftContent('HEA-07'), requestId: '' })),
      http('POST /api/v1/proposals', undefined, () => ({ content: draftJson('HEA-07') })),
    ]),
  ),
  ...rows('nhc-staff', 'own', 'allowed', [...updateStale, ...submitStale, ...rebaseStale], {
    note: 'a stale revision (ABORTED) proves the proposer check passed',
  }),
  ...(['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver', 'auditor', 'operator'] as const).flatMap((p) =>
    rows(
      p,
      p === 'nhc-approver' ? 'own' : 'other',
      'PERMISSION_DENIED',
      [...updateStale.filter((c) => c.kind !== 'http' || !c.route.startsWith('GET')), ...submitStale, ...rebaseStale, ...withdraw((f) => f.draft)],
      { note: "parties read the proposal but only its ministry's staff act on it" },
    ),
  ),
  ...outsiders.flatMap((p) =>
    rows(p, 'other', 'NOT_FOUND', [...updateStale, ...submitStale, ...rebaseStale, ...withdraw((f) => f.draft), consoleWithdraw((f) => f.draft)], {
      issue: 'others reading drafts',
      note: 'an action on an invisible proposal does not reveal it either',
    }),
  ),
  ...rows(
    'nhc-staff',
    'own',
    'allowed',
    withdraw((f) => f.withdrawGrpc, 'grpc'),
    { late: true },
  ),
  ...rows(
    'nhc-staff',
    'own',
    'allowed',
    withdraw((f) => f.withdrawHttp, 'http'),
    { late: true },
  ),
  row(
    'nhc-staff',
    'own',
    'allowed',
    consoleWithdraw((f) => f.withdrawGrpc),
    { late: true, note: 'withdrawing again answers the withdrawn proposal' },
  ),

  // -- public consultation (issue #17): everyone reads and comments; only the lead ministry's staff open and moderate --
  ...(['nhc-staff', 'moe-staff', 'beijing-officer', 'statistics-subscriber'] as const).flatMap((p) =>
    rows(p, p === 'nhc-staff' ? 'own' : 'other', 'allowed', [...readConsultation, ...listConsultations, ...emptyComment], {
      note: 'an empty comment (INVALID_ARGUMENT) proves the caller got past authorisation',
    }),
  ),
  ...rows('nhc-staff', 'own', 'allowed', [...moderateNoReason, ...openAgain, ...consultationConsole], {
    note: 'a rejection without a reason (INVALID_ARGUMENT) and a second opening (CONSULTATION_RUNNING) change nothing',
  }),
  ...rows('moe-staff', 'other', 'PERMISSION_DENIED', moderateNoReason, { reason: 'NOT_LEAD_UNIT', note: 'the consultation is public: refused, not hidden' }),
  ...rows('beijing-officer', 'other', 'PERMISSION_DENIED', moderateNoReason, { reason: 'MISSING_ROLE' }),
  ...rows('nhc-approver', 'own', 'PERMISSION_DENIED', [...moderateNoReason, ...openAgain], { reason: 'MISSING_ROLE' }),
  ...rows('moe-staff', 'other', 'NOT_FOUND', openAgain, { note: "opening needs to read the proposal: another ministry's draft stays hidden" }),

  // -- edition import (issue #17): anyone signed in may check a file; a draft only by the lead unit's drafters --
  ...(['nhc-staff', 'moe-staff', 'operator', 'auditor'] as const).flatMap((p) =>
    rows(p, 'other', 'allowed', validateEdition, { note: 'a report on the file sent; nothing is stored' }),
  ),
  ...rows('operator', 'other', 'PERMISSION_DENIED', importEdition, { reason: 'MISSING_ROLE', note: 'the draft is made by CreateProposal, as any draft' }),
  ...rows('moe-staff', 'other', 'PERMISSION_DENIED', importEdition, { reason: 'NOT_LEAD_UNIT', note: "HEA-06 is NHC's item" }),
  ...rows('statistics-subscriber', 'other', 'PERMISSION_DENIED', importEdition, { reason: 'MISSING_ROLE' }),
  ...(['nhc-staff', 'moe-staff', 'operator', 'auditor'] as const).flatMap((p) =>
    rows(p, 'other', 'allowed', editionPages, { note: 'the upload form, and a post without a file: nothing is stored' }),
  ),
  ...rows('operator', 'other', 'PERMISSION_DENIED', editionSubmit, { reason: 'MISSING_ROLE', note: 'the console drafts through CreateProposal too' }),
  ...rows('moe-staff', 'other', 'PERMISSION_DENIED', editionSubmit, { reason: 'NOT_LEAD_UNIT', note: "HEA-06 is NHC's item" }),

  // -- approvals: the approval (steps, comments) is visible to the route's parties only --
  ...proposalParties.flatMap((p) =>
    rows(
      p,
      p.startsWith('nhc') ? 'own' : 'other',
      'allowed',
      getApproval((f) => f.review),
      { issue: 'others reading steps and comments' },
    ),
  ),
  ...outsiders.flatMap((p) =>
    rows(
      p,
      'other',
      'NOT_FOUND',
      getApproval((f) => f.review),
      { issue: 'others reading steps and comments' },
    ),
  ),
  ...everyone.flatMap((p) =>
    rows(
      p,
      'any',
      'allowed',
      mySignOffs((f) => f.review),
    ),
  ),
  ...(['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as const).flatMap((p) =>
    rows(p, 'own', 'allowed', inboxReads, p === 'final-approver' ? {} : { check: seesInboxItem((f) => f.review, true) }),
  ),
  ...(['nhc-staff', ...outsiders, 'auditor', 'operator'] as const).flatMap((p) =>
    rows(p, 'other', 'allowed', inboxReads, { check: seesInboxItem((f) => f.review, false) }),
  ),
  // Step actions: only a holder of the step's role in its organisation, never an author, within the caps.
  ...rows(
    'nhc-approver',
    'own',
    'allowed',
    step('claim', (f) => f.review, 'countersign.lead'),
    { late: true },
  ),
  ...rows(
    'nhc-approver',
    'own',
    'allowed',
    step('release', (f) => f.review, 'countersign.lead', {}, ['grpc']),
    { late: true },
  ),
  ...rows(
    'ndrc-approver',
    'other',
    'PERMISSION_DENIED',
    step('claim', (f) => f.review, 'countersign.lead'),
    { reason: 'WRONG_ORGANISATION' },
  ),
  ...rows(
    'nhc-staff',
    'own',
    'PERMISSION_DENIED',
    step('claim', (f) => f.review, 'countersign.lead'),
    { reason: 'MISSING_ROLE' },
  ),
  ...rows(
    'auditor',
    'other',
    'PERMISSION_DENIED',
    step('claim', (f) => f.review, 'countersign.lead'),
    { reason: 'WRONG_ORGANISATION' },
  ),
  // Release and take-back belong to whoever claimed or delegated the step: anyone else — a party — is refused so.
  ...(['nhc-staff', 'auditor', 'ndrc-approver'] as const).flatMap((p) => [
    ...rows(
      p,
      'other',
      'FAILED_PRECONDITION',
      step('release', (f) => f.review, 'countersign.lead'),
      { reason: 'NOT_CLAIMED_BY_YOU' },
    ),
    ...rows(
      p,
      'other',
      'FAILED_PRECONDITION',
      step('take-back', (f) => f.review, 'countersign.lead'),
      { reason: 'NOT_YOUR_DELEGATION' },
    ),
  ]),
  // Outsiders are told the approval does not exist, whatever they try (and the attempt is audited: NOT_A_PARTY).
  ...outsiders.flatMap((p) =>
    rows(
      p,
      'other',
      'NOT_FOUND',
      [
        ...step('claim', (f) => f.review, 'countersign.lead'),
        ...step('release', (f) => f.review, 'countersign.lead'),
        ...step('take-back', (f) => f.review, 'countersign.lead'),
        ...step('sign', (f) => f.review, 'countersign.lead', { position: Position.POSITION_APPROVE }),
        ...step('delegate', (f) => f.review, 'countersign.lead', { delegate: 'nhc.approver.zhao' }),
        ...step('overrule', (f) => f.objected, 'countersign.ndrc'),
      ],
      { issue: 'others reading steps and comments' },
    ),
  ),
  ...rows(
    'ndrc-approver',
    'own',
    'FAILED_PRECONDITION',
    step('claim', (f) => f.capped, 'countersign.ndrc'),
    { reason: 'STEP_ACTION_LIMIT', issue: 'repeated claim/release beyond the cap' },
  ),
  ...rows(
    'ndrc-approver',
    'own',
    'FAILED_PRECONDITION',
    step('delegate', (f) => f.capped, 'countersign.ndrc', { delegate: 'ndrc.approver.matrix' }),
    { reason: 'STEP_ACTION_LIMIT', issue: 'repeated claim/release beyond the cap (delegation counts too)' },
  ),
  ...rows(
    'mof-approver',
    'own',
    'PERMISSION_DENIED',
    step('delegate', (f) => f.review, 'countersign.mof', { delegate: 'bj.officer.liu' }),
    { reason: 'DELEGATE_WRONG_ORGANISATION', issue: 'delegation to a provincial officer' },
  ),
  ...rows(
    'ndrc-approver',
    'own',
    'PERMISSION_DENIED',
    step('delegate', (f) => f.review, 'countersign.ndrc', { delegate: 'nbs.system' }),
    { reason: 'DELEGATE_WRONG_ORGANISATION', issue: 'delegation to a subscriber system' },
  ),
  ...rows(
    'ndrc-approver',
    'own',
    'NOT_FOUND',
    step('delegate', (f) => f.review, 'countersign.ndrc', { delegate: 'nobody.matrix.unknown' }),
    { issue: 'delegation to a nonexistent subject' },
  ),
  ...rows(
    'nhc-approver',
    'own',
    'PERMISSION_DENIED',
    step('delegate', (f) => f.authored, 'countersign.lead', { delegate: extraIdentities['nhc-coeditor'].subject }),
    { reason: 'SELF_APPROVAL', issue: 'co-editor approving (as a delegate)' },
  ),
  ...rows(
    'mof-approver',
    'own',
    'allowed',
    [
      ...step('delegate', (f) => f.review, 'countersign.mof', { delegate: extraIdentities['mof-colleague'].subject }, ['grpc']),
      ...step('take-back', (f) => f.review, 'countersign.mof', {}, ['grpc']),
      ...step('delegate', (f) => f.review, 'countersign.mof', { delegate: extraIdentities['mof-colleague'].subject }, ['http']),
      ...step('take-back', (f) => f.review, 'countersign.mof', {}, ['http']),
    ],
    { late: true },
  ),
  ...rows(
    'ndrc-approver',
    'own',
    'allowed',
    step('sign', (f) => f.signGrpc, 'countersign.ndrc', { position: Position.POSITION_APPROVE }, ['grpc']),
    { late: true },
  ),
  ...rows(
    'ndrc-approver',
    'own',
    'allowed',
    step('sign', (f) => f.signHttp, 'countersign.ndrc', { position: Position.POSITION_APPROVE }, ['http']),
    { late: true },
  ),
  ...rows(
    'nhc-coeditor',
    'own',
    'PERMISSION_DENIED',
    step('sign', (f) => f.authored, 'countersign.lead', { position: Position.POSITION_APPROVE }),
    { reason: 'SELF_APPROVAL', issue: 'co-editor approving' },
  ),
  ...rows(
    'nhc-submitter',
    'own',
    'PERMISSION_DENIED',
    step('sign', (f) => f.authored, 'countersign.lead', { position: Position.POSITION_APPROVE }),
    { reason: 'SELF_APPROVAL', issue: 'submitter approving' },
  ),
  ...rows(
    'mof-approver',
    'other',
    'PERMISSION_DENIED',
    step('sign', (f) => f.review, 'countersign.ndrc', { position: Position.POSITION_APPROVE }),
    { reason: 'WRONG_ORGANISATION' },
  ),
  ...(['nhc-staff', 'auditor', 'operator'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      step('sign', (f) => f.review, 'countersign.lead', { position: Position.POSITION_APPROVE }),
    ),
  ),
  ...(['nhc-approver', 'mof-approver'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      step('overrule', (f) => f.objected, 'countersign.ndrc'),
      { reason: 'NOT_FINAL_APPROVER' },
    ),
  ),
  ...rows(
    'final-approver',
    'own',
    'allowed',
    step('overrule', (f) => f.objected, 'countersign.ndrc'),
    { late: true, note: 'after the first overrule the objection no longer stands: FAILED_PRECONDITION, after the checks of who' },
  ),

  // -- revision cycles --
  ...(['ndrc-approver', 'final-approver'] as const).flatMap((p) => rows(p, 'own', 'allowed', openCycle(p))),
  ...(['nhc-staff', 'nhc-approver', 'beijing-officer', 'statistics-subscriber', 'auditor'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', openCycle(p), { reason: 'NOT_CYCLE_ORGANISER' }),
  ),
  ...everyone.flatMap((p) =>
    rows(
      p,
      'any',
      'allowed',
      cycleReads((f) => f.cycle),
    ),
  ),
  ...rows(
    'nhc-staff',
    'own',
    'allowed',
    cycleAction('evaluate', (f) => f.cycle, { fieldCode: 'F17-HEA', summary: '经费标准需提高（矩阵）' }),
    { late: true },
  ),
  ...(['moe-staff', 'beijing-officer', 'statistics-subscriber'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      cycleAction('evaluate', (f) => f.cycle, { fieldCode: 'F17-HEA', summary: '代评（矩阵）' }),
      { reason: 'NOT_LEAD_MINISTRY' },
    ),
  ),
  ...rows(
    'moe-staff',
    'own',
    'allowed',
    cycleAction('close-window', (f) => f.cycle, { fieldCode: 'F17-EDU' }),
    { late: true, note: 'in evaluation: refused for the phase, after the role check' },
  ),
  ...rows(
    'nhc-staff',
    'other',
    'FAILED_PRECONDITION',
    cycleAction('close-window', (f) => f.cycle, { fieldCode: 'F17-EDU' }),
    { note: 'a ministry: the window is looked at first (no window open in evaluation); NOT_LEAD_MINISTRY once it is' },
  ),
  ...(['beijing-officer', 'statistics-subscriber', 'auditor'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      cycleAction('close-window', (f) => f.cycle, { fieldCode: 'F17-EDU' }),
      { reason: 'NOT_LEAD_MINISTRY' },
    ),
  ),
  ...rows(
    'final-approver',
    'own',
    'allowed',
    cycleAction('resolve', (f) => f.cycle, { itemCode: 'HEA-01', keepProposalId: 'P-none', reason: '矩阵' }),
  ),
  ...(['nhc-staff', 'ndrc-approver', 'beijing-officer'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      cycleAction('resolve', (f) => f.cycle, { itemCode: 'HEA-01', keepProposalId: 'P-none', reason: '矩阵' }),
      { reason: 'NOT_FINAL_APPROVER' },
    ),
  ),
  ...rows(
    'final-approver',
    'own',
    'allowed',
    cycleAction('approve', (f) => f.cycle, { comment: '' }),
    { note: 'in evaluation: FAILED_PRECONDITION after the role check' },
  ),
  ...(['nhc-staff', 'ndrc-approver', 'beijing-officer'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      cycleAction('approve', (f) => f.cycle, { comment: '' }),
      { reason: 'NOT_FINAL_APPROVER' },
    ),
  ),
  ...rows(
    'final-approver',
    'own',
    'allowed',
    cycleAction('close', (f) => f.cycle, {}),
    { note: 'not released yet: FAILED_PRECONDITION after the role check' },
  ),
  ...(['nhc-staff', 'beijing-officer', 'statistics-subscriber'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      cycleAction('close', (f) => f.cycle, {}),
      { reason: 'NOT_FINAL_APPROVER' },
    ),
  ),
  // Trim: lowers money only, by the consolidation approvers (NDRC's approver, the final approver); the change set is fixed.
  ...rows(
    'moe-staff',
    'own',
    'PERMISSION_DENIED',
    [
      ...trim(() => undefined),
      page(
        'POST /cycles/:cycleId/trim',
        (f) => `/cycles/${f.trimCycle}/trim`,
        (f) => ({ proposalId: f.cycleProposal, centralFen: '300', localFen: '100', reason: '矩阵' }),
      ),
    ],
    { reason: 'NOT_CONSOLIDATION_APPROVER', issue: 'trim by ministry staff' },
  ),
  ...rows('ndrc-approver', 'other', 'FAILED_PRECONDITION', trim(swappedChangeSet), {
    reason: 'CHANGE_SET_FIXED',
    late: true,
    issue: 'trim with a changed change set',
  }),
  ...rows(
    'ndrc-approver',
    'other',
    'allowed',
    trim(() => undefined),
    { late: true, note: 'lowering money only, by the consolidation approver' },
  ),
  ...(['moe-approver', 'nhc-staff', 'mof-approver', 'beijing-officer', 'statistics-subscriber'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      trim(() => undefined),
      { reason: 'NOT_CONSOLIDATION_APPROVER' },
    ),
  ),

  // -- subscriptions: own organisation only; downstream systems receive publications only --
  ...rows('statistics-subscriber', 'own', 'allowed', [...createSubscription(publications), consoleSubscribe(publications)]),
  ...rows(
    'statistics-subscriber',
    'own',
    'PERMISSION_DENIED',
    [...createSubscription(deliberations), consoleSubscribe(deliberations), subscribeStream(deliberations)],
    { reason: 'INTERNAL_EVENT_TYPE', issue: 'a subscriber subscribing to internal event types' },
  ),
  ...rows('beijing-officer', 'own', 'allowed', createSubscription(publications, ['110000'])),
  ...rows('beijing-officer', 'other', 'INVALID_ARGUMENT', createSubscription(publications, ['440000']), {
    note: 'field violation OTHER_PROVINCE: asking for another province is refused, not narrowed',
  }),
  ...rows('beijing-officer', 'own', 'PERMISSION_DENIED', createSubscription(deliberations, ['110000']), {
    reason: 'INTERNAL_EVENT_TYPE',
    issue: 'a subscriber subscribing to internal event types',
  }),
  ...(['nhc-staff', 'ndrc-approver', 'auditor', 'operator'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', createSubscription(publications), { reason: 'MISSING_ROLE' }),
  ),
  ...rows('statistics-subscriber', 'own', 'allowed', [subscribeStream(publications)]),
  row('operator', 'any', 'allowed', subscribeStream(deliberations)),
  ...(['nhc-staff', 'auditor'] as const).flatMap((p) => rows(p, 'other', 'PERMISSION_DENIED', [subscribeStream(publications)])),
  ...rows('statistics-subscriber', 'own', 'allowed', listSubscriptions, { check: seesSubscription(true) }),
  ...(['auditor', 'operator'] as const).flatMap((p) => rows(p, 'any', 'allowed', listSubscriptions, { check: seesSubscription(true) })),
  ...(['guangdong-officer', 'nhc-staff'] as const).flatMap((p) => rows(p, 'other', 'allowed', listSubscriptions, { check: seesSubscription(false) })),
  ...rows('statistics-subscriber', 'own', 'allowed', [...sub.get, ...sub.deliveries, ...sub.attempts, ...sub.redeliver, ...sub.replay, ...eventDeliveries]),
  ...rows('statistics-subscriber', 'own', 'allowed', [...sub.pause, ...sub.resume, ...sub.rotate], { late: true }),
  ...rows('statistics-subscriber', 'own', 'allowed', subscriptionCalls((f) => f.deleteGrpc).delete.slice(0, 1), { late: true }),
  ...rows('statistics-subscriber', 'own', 'allowed', subscriptionCalls((f) => f.deleteHttp).delete.slice(1), { late: true }),
  ...(['auditor', 'operator'] as const).flatMap((p) => rows(p, 'any', 'allowed', [...sub.get, ...sub.deliveries, ...sub.attempts, ...eventDeliveries])),
  ...rows('operator', 'any', 'allowed', [...sub.redeliver, ...sub.replay]),
  ...(['auditor', 'operator'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', [...sub.pause, ...sub.resume, ...sub.rotate, ...sub.delete], { reason: 'NOT_OWNER' }),
  ),
  ...rows('auditor', 'other', 'PERMISSION_DENIED', [...sub.redeliver, ...sub.replay], { reason: 'NOT_OWNER' }),
  ...(['guangdong-officer', 'nhc-staff', 'beijing-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'NOT_FOUND', [
      ...sub.get,
      ...sub.pause,
      ...sub.resume,
      ...sub.rotate,
      ...sub.delete,
      ...sub.deliveries,
      ...sub.attempts,
      ...sub.redeliver,
      ...sub.replay,
    ]),
  ),
  ...(['guangdong-officer', 'nhc-staff'] as const).flatMap((p) =>
    rows(p, 'other', 'allowed', eventDeliveries, { note: "only the caller's own deliveries of the event are listed" }),
  ),
  ...rows('statistics-subscriber', 'own', 'allowed', [page('GET /subscriptions')]),

  // -- audit: auditors and operators only --
  // Allowed audit reads run first, one at a time: the audit service rehashes logs, slow while the other rows load it.
  ...rows('auditor', 'any', 'allowed', auditOf, { first: true }),
  ...rows(
    'operator',
    'any',
    'allowed',
    auditOf.filter((c) => c.kind === 'grpc'),
    { first: true },
  ),
  ...(['nhc-staff', 'final-approver', 'beijing-officer', 'statistics-subscriber'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', auditOf, { reason: 'MISSING_ROLE' }),
  ),

  // -- the standardisation programme (issue #18): reads for everyone signed in; each step for whoever takes it --
  ...[...everyone, 'samr-officer' as const, 'tongzhou-officer' as const].flatMap((p) => rows(p, 'any', 'allowed', programmeReads)),
  ...rows('nhc-staff', 'own', 'allowed', proposeStandard, { note: 'the lead unit of HEA-03' }),
  ...rows('moe-staff', 'other', 'PERMISSION_DENIED', proposeStandard, { reason: 'NOT_THE_PROPOSING_DEPARTMENT' }),
  ...rows('moe-staff', 'other', 'PERMISSION_DENIED', advanceStandard, { reason: 'NOT_THE_RESPONSIBLE_DEPARTMENT' }),
  ...rows('nhc-staff', 'own', 'allowed', advanceStandard, { late: true, note: 'the first moves it to 起草; the next are STAGE_NOT_NEXT' }),
  ...rows('samr-officer', 'own', 'allowed', registerExpert),
  ...rows('tongzhou-officer', 'other', 'PERMISSION_DENIED', registerExpert, { reason: 'NOT_AN_EXPERT_REGISTRAR' }),
  ...rows('samr-officer', 'own', 'allowed', openBatch('samr')),
  ...(['beijing-programme-officer', 'tongzhou-officer'] as const).flatMap((p) => rows(p, 'other', 'PERMISSION_DENIED', openBatch(p), { reason: 'NOT_SAMR' })),
  ...rows('tongzhou-officer', 'own', 'allowed', applyForPilot('tongzhou')),
  ...(['samr-officer', 'wuqing-officer'] as const).flatMap((p) => rows(p, 'other', 'PERMISSION_DENIED', applyForPilot(p), { reason: 'NOT_THE_LOCALITY' })),
  ...(['tongzhou-officer', 'tianjin-programme-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', screenPilot, { reason: 'NOT_A_SCREENING_PROVINCE' }),
  ),
  ...rows('beijing-programme-officer', 'own', 'allowed', screenPilot, { late: true, note: 'the first screens; the next are ALREADY_SCREENED' }),
  ...rows('beijing-programme-officer', 'own', 'allowed', recordEvaluation),
  ...rows('samr-officer', 'other', 'PERMISSION_DENIED', recordEvaluation, { reason: 'NOT_THE_EVALUATING_DEPARTMENT' }),
  // -- the programme, step by step (issue #18): each step by the department the seeds name, for its own province or
  // locality only; everyone else refused with the service's reason, over gRPC, the JSON API and the console alike --
  ...pgReaders.flatMap((p) => pgSignedInReads.map(({ call, check }) => row(p, 'any', 'allowed', call, { check }))),
  ...(['auditor', 'tongzhou-officer'] as const).flatMap((p) =>
    rows(
      p,
      'any',
      'allowed',
      [
        grpc(`${PG}GetPilot`, (f) => ({ pilotId: f.programme.publishedPilot })),
        http(`GET ${PAPI}/pilots/:pilotId`, (f) => `${PAPI}/pilots/${f.programme.publishedPilot}`),
        page('GET /programme/pilots/:pilotId', (f) => `/programme/pilots/${f.programme.publishedPilot}`),
      ],
      { check: pgExpertNames(true) },
    ),
  ),
  // The public portal: published standards and pilots only, without the experts' names; nothing in the pipeline.
  ...rows(
    'anonymous',
    'any',
    'allowed',
    [
      http(`GET ${PAPI}/pilots/:pilotId`, (f) => `${PAPI}/pilots/${f.programme.publishedPilot}`),
      page('GET /programme/pilots/:pilotId', (f) => `/programme/pilots/${f.programme.publishedPilot}`),
      http(`GET ${PAPI}/pilots`, (f) => `${PAPI}/pilots?batch=${f.programme.batch}`),
    ],
    { check: pgExpertNames(false), note: 'a visitor sees the expert group’s affiliations, not the experts’ names' },
  ),
  ...rows(
    'anonymous',
    'any',
    'NOT_FOUND',
    [
      http(`GET ${PAPI}/standards/:standardId`, (f) => `${PAPI}/standards/${f.programme.standard}`),
      page('GET /programme/standards/:standardId', (f) => `/programme/standards/${f.programme.standard}`),
      http(`GET ${PAPI}/pilots/:pilotId`, (f) => `${PAPI}/pilots/${f.programme.pilot}`),
      page('GET /programme/pilots/:pilotId', (f) => `/programme/pilots/${f.programme.pilot}`),
    ],
    { note: 'nothing in the pipeline is public: a standard at 立项, a pilot under screening' },
  ),
  ...rows('anonymous', 'any', 'allowed', [http(`GET ${PAPI}/standards`), page('GET /programme/standards')], {
    check: pgVisitorList(
      'standards',
      'standardId',
      (f) => f.programme.publishedStandard,
      (f) => f.programme.standard,
    ),
    note: 'published standards only',
  }),
  ...rows(
    'anonymous',
    'any',
    'allowed',
    [
      http(`GET ${PAPI}/pilots`, (f) => `${PAPI}/pilots?batch=${f.programme.batch}`),
      page('GET /programme/pilots', (f) => `/programme/pilots?batch=${f.programme.batch}`),
    ],
    {
      check: pgVisitorList(
        'pilots',
        'pilotId',
        (f) => f.programme.publishedPilot,
        (f) => f.programme.pilot,
      ),
      note: 'pilots with published results only',
    },
  ),
  // 立项: the lead unit of every item (or SAMR) for national standards; the province itself for local ones.
  ...rows('samr-officer', 'any', 'allowed', pgPropose('NATIONAL', ['HEA-01', 'EDU-01'], '', false), {
    note: 'no supporting measures: FAILED_PRECONDITION SUPPORTING_MEASURES_REQUIRED, after the check of who',
  }),
  ...rows('beijing-programme-officer', 'own', 'allowed', pgPropose('LOCAL', ['HEA-01'], '110000'), { note: "Beijing's local standard (DB11)" }),
  ...rows('beijing-officer', 'own', 'allowed', pgPropose('LOCAL', ['HEA-01'], '110000', false), {
    note: "the province's own officer: refused for the missing supporting measures only",
  }),
  ...rows('moe-staff', 'other', 'PERMISSION_DENIED', pgPropose('NATIONAL', ['HEA-01', 'HEA-02']), {
    reason: 'NOT_THE_PROPOSING_DEPARTMENT',
    note: "a ministry proposing a standard for another ministry's items",
  }),
  ...rows('nhc-staff', 'other', 'PERMISSION_DENIED', pgPropose('NATIONAL', ['HEA-01', 'EDU-01']), {
    reason: 'NOT_THE_PROPOSING_DEPARTMENT',
    note: 'a standard spanning an item another ministry leads',
  }),
  ...(['nhc-approver', 'beijing-programme-officer', 'tongzhou-officer', 'auditor'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgPropose('NATIONAL', ['HEA-01']), { reason: 'NOT_THE_PROPOSING_DEPARTMENT' }),
  ),
  ...(['guangdong-officer', 'tianjin-programme-officer', 'tongzhou-officer', 'nhc-staff'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgPropose('LOCAL', ['HEA-01'], '110000'), {
      reason: 'NOT_THE_PROPOSING_DEPARTMENT',
      note: "Beijing's local standard, proposed by someone other than Beijing",
    }),
  ),
  // Moving a standard on: its proposer (or SAMR) while it is drafted; from 批准发布 on, its issuer (SAMR for GB/T).
  ...(['nhc-approver', 'ndrc-approver', 'beijing-programme-officer', 'tongzhou-officer', 'statistics-subscriber'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      pgAdvance((f) => f.programme.standard, 'STANDARD_STAGE_DRAFTING'),
      { reason: 'NOT_THE_RESPONSIBLE_DEPARTMENT' },
    ),
  ),
  ...rows(
    'moe-staff',
    'other',
    'PERMISSION_DENIED',
    pgAdvance((f) => f.programme.standard, 'STANDARD_STAGE_WITHDRAWN'),
    { reason: 'NOT_THE_RESPONSIBLE_DEPARTMENT', note: "dropping another ministry's project" },
  ),
  ...rows(
    'samr-officer',
    'own',
    'allowed',
    pgAdvance((f) => f.programme.publishedStandard, 'STANDARD_STAGE_IN_FORCE'),
    { note: 'no implementation date: INVALID_ARGUMENT, after the check of who' },
  ),
  ...(['nhc-staff', 'moe-staff', 'beijing-programme-officer'] as const).flatMap((p) =>
    rows(
      p,
      'other',
      'PERMISSION_DENIED',
      pgAdvance((f) => f.programme.publishedStandard, 'STANDARD_STAGE_IN_FORCE'),
      {
        reason: 'NOT_THE_RESPONSIBLE_DEPARTMENT',
        ...(p === 'nhc-staff' ? { note: 'a published national standard is moved by SAMR (its issuer), not by its proposer' } : {}),
      },
    ),
  ),
  ...rows(
    'samr-officer',
    'any',
    'allowed',
    pgAdvance((f) => f.programme.standard, 'STANDARD_STAGE_CONSULTATION'),
    { late: true, note: 'after 起草 (the rows above): FAILED_PRECONDITION DRAFTING_CHECKS_INCOMPLETE, after the check of who' },
  ),
  // Experts: SAMR keeps the national committee; a province's programme officers register its own experts.
  ...rows('beijing-programme-officer', 'own', 'allowed', pgExpert(false)),
  ...rows('beijing-programme-officer', 'other', 'PERMISSION_DENIED', pgExpert(true), {
    reason: 'NOT_AN_EXPERT_REGISTRAR',
    note: 'a province appointing to the national committee',
  }),
  ...(['nhc-staff', 'beijing-officer', 'auditor', 'operator'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgExpert(false), { reason: 'NOT_AN_EXPERT_REGISTRAR' }),
  ),
  // Pilot batches: SAMR records the call; applications: a city or county files its own.
  ...(['ndrc-approver', 'mof-approver', 'nhc-staff', 'final-approver'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', openBatch(p), {
      reason: 'NOT_SAMR',
      ...(p === 'ndrc-approver' ? { note: 'a ministry opening a pilot batch' } : {}),
    }),
  ),
  ...(['langfang-officer', 'beijing-programme-officer', 'beijing-officer', 'nhc-staff'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', applyForPilot(p), { reason: 'NOT_THE_LOCALITY', note: 'filing for another locality (通州)' }),
  ),
  // Every later step of 通州's submitted pilot: refused for who first; by the right department, refused only for the
  // phase (these rows change nothing) — the late screening above then makes it a candidate, and NDRC concurs.
  ...(['guangdong-programme-officer', 'guangdong-officer', 'hebei-programme-officer', 'beijing-officer', 'samr-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSteps.screen, {
      reason: 'NOT_A_SCREENING_PROVINCE',
      note: p === 'beijing-officer' ? "the province's officer without the programme role" : 'screening a Beijing pilot',
    }),
  ),
  ...(['samr-officer', 'ndrc-approver', 'mof-approver'] as const).flatMap((p) =>
    rows(p, 'own', 'allowed', pgSteps.select, { note: 'not a candidate yet: FAILED_PRECONDITION NOT_A_CANDIDATE' }),
  ),
  ...(['tongzhou-officer', 'beijing-programme-officer', 'nhc-approver', 'nhc-staff', 'final-approver'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSteps.select, {
      reason: 'NOT_A_SELECTING_DEPARTMENT',
      ...(p === 'tongzhou-officer' ? { note: 'a locality acting as SAMR' } : {}),
    }),
  ),
  ...rows('tongzhou-officer', 'own', 'allowed', pgSteps.reportProgress, { note: 'not piloting yet: FAILED_PRECONDITION NOT_PILOTING' }),
  ...(['wuqing-officer', 'beijing-programme-officer', 'samr-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSteps.reportProgress, { reason: 'NOT_A_PILOT_LOCALITY' }),
  ),
  ...(['tongzhou-officer', 'beijing-programme-officer'] as const).flatMap((p) =>
    rows(p, 'own', 'allowed', pgSteps.reportIncident, { note: 'not piloting yet: FAILED_PRECONDITION NOT_PILOTING' }),
  ),
  ...(['wuqing-officer', 'hebei-programme-officer', 'guangdong-programme-officer', 'beijing-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSteps.reportIncident, { reason: 'NOT_A_PILOT_PARTY' }),
  ),
  ...rows('samr-officer', 'own', 'allowed', pgSteps.decideIncident, { note: 'no incident: FAILED_PRECONDITION NO_OPEN_INCIDENT' }),
  ...(['tongzhou-officer', 'beijing-programme-officer', 'ndrc-approver'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSteps.decideIncident, {
      reason: 'NOT_SAMR',
      ...(p === 'tongzhou-officer' ? { note: 'a locality acting as SAMR' } : {}),
    }),
  ),
  ...rows('tongzhou-officer', 'own', 'allowed', pgSteps.requestEvaluation, { note: 'not piloting yet: FAILED_PRECONDITION NOT_PILOTING' }),
  ...(['langfang-officer', 'beijing-programme-officer', 'samr-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSteps.requestEvaluation, { reason: 'NOT_A_PILOT_LOCALITY' }),
  ),
  ...rows('beijing-programme-officer', 'own', 'allowed', pgSteps.formExpertGroup, {
    note: 'no evaluation requested: FAILED_PRECONDITION EVALUATION_NOT_REQUESTED',
  }),
  ...(['hebei-programme-officer', 'guangdong-programme-officer', 'samr-officer', 'tongzhou-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSteps.formExpertGroup, { reason: 'NOT_A_SCREENING_PROVINCE' }),
  ),
  ...rows('beijing-programme-officer', 'own', 'allowed', pgSteps.recordEvaluation, { note: 'no expert group: FAILED_PRECONDITION NO_EXPERT_GROUP' }),
  ...(['tianjin-programme-officer', 'tongzhou-officer', 'samr-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSteps.recordEvaluation, { reason: 'NOT_A_SCREENING_PROVINCE' }),
  ),
  ...rows('samr-officer', 'own', 'allowed', [...pgSteps.recheck, ...pgSteps.publishResults], {
    note: 'not evaluated: FAILED_PRECONDITION NOT_EVALUATED',
  }),
  ...(['beijing-programme-officer', 'tongzhou-officer', 'ndrc-approver', 'mof-approver'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', [...pgSteps.recheck, ...pgSteps.publishResults], {
      reason: 'NOT_SAMR',
      ...(p === 'tongzhou-officer' ? { note: 'a locality acting as SAMR' } : {}),
    }),
  ),
  ...rows('ndrc-approver', 'own', 'allowed', pgSteps.select, {
    late: true,
    note: 'after Beijing’s screening (above) the pilot is a candidate: NDRC concurs; the next are ALREADY_DECIDED',
  }),
  // Implementation evaluations: a province for its own services; national ones by the item's lead unit or SAMR.
  ...rows('beijing-officer', 'own', 'allowed', pgSurvey('110000')),
  ...(['nhc-staff', 'samr-officer'] as const).flatMap((p) => rows(p, 'own', 'allowed', pgSurvey('000000'), { note: 'a national survey' })),
  ...(['tianjin-programme-officer', 'guangdong-officer', 'tongzhou-officer', 'nhc-staff'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSurvey('110000'), {
      reason: 'NOT_THE_EVALUATING_DEPARTMENT',
      note: "recording an evaluation of another province's services",
    }),
  ),
  ...(['moe-staff', 'nhc-approver', 'beijing-programme-officer'] as const).flatMap((p) =>
    rows(p, 'other', 'PERMISSION_DENIED', pgSurvey('000000'), { reason: 'NOT_THE_EVALUATING_DEPARTMENT' }),
  ),
];

/** Who needs no derived UNAUTHENTICATED rows: operations anyone may call. */
export const opOf = (call: Call): string => (call.kind === 'grpc' ? call.method : call.route);

/** For every operation that needs a token: anonymous, expired and foreign-signed callers, with its first row's request. */
export function unauthenticatedRows(table: readonly Row[]): Row[] {
  const first = new Map<string, Row>();
  for (const r of table) if (!first.has(opOf(r.call)) && !publicRoutes.includes(opOf(r.call))) first.set(opOf(r.call), r);
  return [...first.values()].flatMap((r) =>
    (['anonymous', 'expired', 'foreign'] as const).map((who): Row => {
      const isPage = r.call.kind === 'http' && !r.call.route.includes(' /api/');
      const publicRead = publicReadRoutes.includes(opOf(r.call)) && (who === 'anonymous' || isPage);
      return { who, scope: 'any', expect: publicRead ? 'allowed' : 'UNAUTHENTICATED', call: r.call, ...(publicRead ? { note: 'the public portal' } : {}) };
    }),
  );
}

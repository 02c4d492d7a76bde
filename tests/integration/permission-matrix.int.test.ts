// Runs the permission matrix (tests/integration/permission-matrix.ts — read its header: what a row asserts, how to
// run it, how to add a row) against the real services: every row directly over gRPC or through the gateway (HTTP
// API and console). A gRPC method of any ServiceDefinition in proto/gen, or a route the gateway registers, without a
// row for a signed-in persona fails the coverage check.
//
//   npx vitest run tests/integration/permission-matrix.int.test.ts
import { todayInChina } from '../../services/shared/standards/china-date';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpcJs from '@grpc/grpc-js';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { editionColumns, editionRowOf } from '../../services/shared/standards/edition';
import { templateHeader } from '../../services/shared/standards/edition-file';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { callMetadata, unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { maxStepActions } from '../../workflows/approval/domain';
import { submitCycleProposalUpdate } from '../../workflows/contracts';
import { testTemporal } from '../support/temporal';
import { actorOf, proposalInput } from './approvals-harness';
import { healthProposal } from '../unit/proposals-fixtures';
import { generatedIssuer, issuerOf, registerIdentity, tokenFor, tokenIssuer } from '../support/identity';
import { uniqueName } from '../support/names';
import { apiAs, startTestPlatform, startWebhookReceiver, type TestPlatform, type WebhookReceiver } from './gateway-platform';
import { waitUntil } from '../support/wait';
import { makeProgrammeFixtures } from './permission-matrix-programme';
import {
  cycleBody,
  extraIdentities,
  matrix,
  opOf,
  publicRoutes,
  unauthenticatedRows,
  type Call,
  type ExtraName,
  type Fixtures,
  type Row,
  type Who,
} from './permission-matrix';

type MethodDefinition = {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize: (v: any) => Buffer;
  requestDeserialize: (b: Buffer) => any;
  responseDeserialize: (b: Buffer) => any;
};

/** Every method of every grpc-js ServiceDefinition generated into proto/gen. */
async function generatedMethods(): Promise<Map<string, MethodDefinition>> {
  const root = fileURLToPath(new URL('../../proto/gen/', import.meta.url));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      // proto/gen/grpc: the standard health and reflection services, served without a token on every port by design
      // (tests/integration/grpc-reflection.int.test.ts, health-readiness.int.test.ts); not the platform's API.
      if (statSync(path).isDirectory()) {
        if (path !== join(root, 'grpc')) walk(path);
      } else if (name.endsWith('.ts')) files.push(path);
    }
  };
  walk(root);
  const methods = new Map<string, MethodDefinition>();
  for (const file of files) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (!value || typeof value !== 'object') continue;
      for (const m of Object.values(value as Record<string, unknown>)) {
        const def = m as Partial<MethodDefinition> | null;
        if (def && typeof def === 'object' && typeof def.path === 'string' && typeof def.requestSerialize === 'function')
          methods.set(def.path, def as MethodDefinition);
      }
    }
  }
  return methods;
}

type Result = {
  readonly outcome: string;
  readonly code: string;
  readonly reason: string;
  readonly text: string;
  readonly location?: string;
  readonly answer?: unknown;
};

const refusedOutcomes = new Set(['UNAUTHENTICATED', 'PERMISSION_DENIED', 'NOT_FOUND', 'ERROR', 'RATE_LIMITED']);
const grpcName = (code: number): string => grpcJs.status[code] ?? String(code);

function httpOutcome(status: number, location: string | undefined, isPublic: boolean): string {
  if (status >= 300 && status < 400) return !isPublic && (location ?? '').startsWith('/signin') ? 'UNAUTHENTICATED' : 'OK';
  if (status < 300) return 'OK';
  const named: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    412: 'FAILED_PRECONDITION',
    422: 'FAILED_PRECONDITION',
    429: 'RATE_LIMITED',
  };
  return named[status] ?? (status >= 500 ? 'ERROR' : `HTTP_${status}`);
}

/** A redirect target browsers resolve to this origin (no scheme-relative, backslash or control-character tricks). */
function sameOrigin(location: string): boolean {
  if (/[\u0000-\u001f\u007f\\]/.test(location) || !location.startsWith('/') || location.startsWith('//')) return false;
  return new URL(location, 'http://gateway.invalid').origin === 'http://gateway.invalid';
}

/** Why the row's expectation does not hold (undefined: it holds). */
export function mismatch(row: Row, r: Result, f: Fixtures): string | undefined {
  const seen = `${r.outcome} (${r.code}${r.reason ? ` ${r.reason}` : ''}): ${r.text.slice(0, 200)}`;
  switch (row.expect) {
    case 'allowed': {
      if (refusedOutcomes.has(r.outcome)) return `expected allowed, got ${seen}`;
      if (row.check && r.outcome === 'OK') {
        const problem = row.check(r.answer, f);
        if (problem) return `allowed, but ${problem}`;
      }
      return undefined;
    }
    case 'SAME_ORIGIN':
      if (r.code === '400') return undefined;
      if (r.location !== undefined && sameOrigin(r.location)) return undefined;
      return `expected 400 or a same-origin redirect, got ${r.code} Location ${JSON.stringify(r.location)}`;
    default:
      if (r.outcome !== row.expect) return `expected ${row.expect}${row.reason ? ` ${row.reason}` : ''}, got ${seen}`;
      if (row.reason && r.reason !== row.reason && !r.text.includes(row.reason)) return `expected reason ${row.reason}, got ${seen}`;
      return undefined;
  }
}

const describeRow = (row: Row): string =>
  `${row.who} ${row.scope} ${row.call.kind === 'grpc' ? row.call.method : row.call.route} → ${row.expect}${row.reason ? ` ${row.reason}` : ''}${row.issue ? ` [#14: ${row.issue}]` : ''}`;

/** Waits until `ready` (expect.poll exists only inside a test; fixtures are made in beforeAll). */
const until = (what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => waitUntil(ready, what, timeoutMs, 300);

const allRows: readonly Row[] = [...matrix, ...unauthenticatedRows(matrix)];
/** BPS_MATRIX_RUN_PENDING=1 runs the rows marked pendingFix too (to check another branch's fix once merged). */
const runPending = process.env['BPS_MATRIX_RUN_PENDING'] === '1';
const skipped = (r: Row): boolean => r.pendingFix !== undefined && !runPending;

describe('permission matrix (issue #14)', { timeout: 600_000 }, () => {
  let p: TestPlatform;
  let receiver: WebhookReceiver;
  let methods: Map<string, MethodDefinition>;
  let fixtures: Fixtures;
  const results = new Map<Row, Result>();
  const tokens = new Map<Who, string | undefined>();
  const clients = new Map<string, grpcJs.Client>();

  const addressOf = (method: string): string => {
    const service = /^\/bps\.([a-z]+)\.v1\./.exec(method)?.[1] ?? '';
    const key = {
      registry: 'REGISTRY_GRPC_ADDRESS',
      proposals: 'PROPOSALS_GRPC_ADDRESS',
      approvals: 'APPROVALS_GRPC_ADDRESS',
      notifications: 'NOTIFICATIONS_GRPC_ADDRESS',
      audit: 'AUDIT_GRPC_ADDRESS',
      programme: 'PROGRAMME_GRPC_ADDRESS',
      identity: 'REGISTRY_GRPC_ADDRESS',
    }[service];
    const address = key ? p.addresses[key] : undefined;
    if (!address) throw new Error(`no server for ${method}`);
    return address;
  };
  const clientFor = (address: string): grpcJs.Client => {
    let c = clients.get(address);
    if (!c) clients.set(address, (c = new grpcJs.Client(address, grpcJs.credentials.createInsecure())));
    return c;
  };

  async function runGrpc(call: Extract<Call, { kind: 'grpc' }>, token: string | undefined): Promise<Result> {
    const def = methods.get(call.method);
    if (!def) return { outcome: 'ERROR', code: 'UNKNOWN_METHOD', reason: '', text: `no method ${call.method} in proto/gen` };
    const request = { ...def.requestDeserialize(Buffer.alloc(0)), ...call.request(fixtures) };
    const client = clientFor(addressOf(call.method));
    const fromError = (error: grpcJs.ServiceError): Result => {
      const decoded = decodeStatus(error);
      const name = grpcName(error.code);
      return {
        outcome: error.code === grpcJs.status.INTERNAL || error.code === grpcJs.status.UNAVAILABLE ? 'ERROR' : name,
        code: name,
        reason: decoded.reason ?? '',
        text: error.details ?? error.message,
      };
    };
    if (def.responseStream) {
      // A feed: refused at once, or it stays open (allowed) — wait briefly, then hang up.
      return new Promise((resolve) => {
        const stream = client.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, request, callMetadata(token), {});
        const timer = setTimeout(() => {
          resolve({ outcome: 'OK', code: 'OK', reason: '', text: 'stream open' });
          stream.cancel();
        }, 1_500);
        stream.on('data', () => {
          clearTimeout(timer);
          resolve({ outcome: 'OK', code: 'OK', reason: '', text: 'stream data' });
          stream.cancel();
        });
        stream.on('error', (error: grpcJs.ServiceError) => {
          clearTimeout(timer);
          resolve(error.code === grpcJs.status.CANCELLED ? { outcome: 'OK', code: 'OK', reason: '', text: 'cancelled by the test' } : fromError(error));
        });
      });
    }
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        callMetadata(token),
        { deadline: Date.now() + 30_000 },
        (error, response) => {
          resolve(error ? fromError(error) : { outcome: 'OK', code: 'OK', reason: '', text: '', answer: response });
        },
      );
    });
  }

  async function runHttp(call: Extract<Call, { kind: 'http' }>, token: string | undefined): Promise<Result> {
    const [method = 'GET'] = call.route.split(' ');
    const path = call.path(fixtures);
    const api = path.startsWith('/api/') || path.startsWith('/openapi.json');
    const headers: Record<string, string> = {};
    if (token) {
      if (api) headers['authorization'] = `Bearer ${token}`;
      else headers['cookie'] = `bps_token=${token}`;
    }
    let body: string | undefined;
    const value = call.body?.(fixtures);
    if (value !== undefined) {
      if (call.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(value as Record<string, string | string[]>)) for (const one of [v].flat()) form.append(k, one);
        body = form.toString();
      } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(value);
      }
    }
    const res = await fetch(p.gateway.url + path, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    const location = res.headers.get('location') ?? undefined;
    let answer: unknown = text;
    let reason = '';
    if ((res.headers.get('content-type') ?? '').includes('json')) {
      try {
        answer = JSON.parse(text);
        reason = (answer as { error?: { reason?: string } }).error?.reason ?? '';
      } catch {
        answer = text;
      }
    }
    return {
      outcome: httpOutcome(res.status, location, publicRoutes.includes(call.route)),
      code: String(res.status),
      reason,
      text,
      ...(location !== undefined ? { location } : {}),
      answer,
    };
  }

  const durations = new Map<string, number[]>();
  const run = async (row: Row): Promise<void> => {
    const token = tokens.get(row.who);
    const began = Date.now();
    try {
      results.set(row, row.call.kind === 'grpc' ? await runGrpc(row.call, token) : await runHttp(row.call, token));
    } catch (error) {
      results.set(row, { outcome: 'ERROR', code: 'THROWN', reason: '', text: String(error) });
    }
    const op = opOf(row.call);
    durations.set(op, [...(durations.get(op) ?? []), Date.now() - began]);
  };

  async function makeFixtures(): Promise<Fixtures> {
    const must = (r: { status: number; json: any }, what: string) => {
      if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    };
    const as = async (who: Who, method: string, path: string, body?: unknown) => {
      const res = await fetch(p.gateway.url + path, {
        method,
        headers: { authorization: `Bearer ${tokens.get(who)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    const draft = async (itemCode: string): Promise<string> =>
      must(await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', { content: ProposalContent.toJSON(healthProposal({ itemCode })) }), `draft ${itemCode}`)
        .proposal.proposalId;
    const inbox = new ApprovalInboxClient(p.addresses['APPROVALS_GRPC_ADDRESS']!, grpcJs.credentials.createInsecure());
    const auditorToken = tokens.get('auditor');
    const inReview = async (proposalId: string): Promise<void> => {
      await until(`${proposalId} in review`, async () => {
        try {
          const { approval } = await unary(inbox.getApproval.bind(inbox), { proposalId }, auditorToken);
          return (approval?.rounds[0]?.steps.length ?? 0) > 0;
        } catch {
          return false;
        }
      });
    };
    const submitted = async (itemCode: string): Promise<string> => {
      const id = await draft(itemCode);
      must(await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${id}/submit`, { expectedRevision: 1 }), `submit ${itemCode}`);
      await inReview(id);
      return id;
    };
    const subscription = async (): Promise<string> =>
      must(
        await apiAs(p, 'statistics-subscriber', 'POST', '/api/v1/subscriptions', {
          endpointUrl: receiver.url,
          description: '矩阵测试',
          filter: { eventTypes: ['bps.standard.version.published'] },
        }),
        'subscription',
      ).subscription.subscriptionId;

    const consolidated = consolidation(); // in parallel with the rest: it waits out a proposal window
    const cycle = uniqueName('C-matrix').replace(/[^A-Za-z0-9._-]/g, '-');
    must(await apiAs(p, 'ndrc-approver', 'POST', '/api/v1/cycles', cycleBody(cycle)), 'cycle');

    // Co-edited and submitted by two NHC people who also approve: neither may approve it.
    const authored = await draft('HEA-05');
    must(
      await as('nhc-coeditor', 'PUT', `/api/v1/proposals/${authored}/draft`, {
        expectedRevision: 1,
        content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-05', level: '95' })),
      }),
      'co-edit',
    );
    must(await as('nhc-submitter', 'POST', `/api/v1/proposals/${authored}/submit`, { expectedRevision: 2 }), 'submit by another author');

    const [draftId, review, capped, signGrpc, signHttp, objected, withdrawGrpc, withdrawHttp, sub, deleteGrpc, deleteHttp] = await Promise.all([
      draft('HEA-02'),
      submitted('HEA-04'),
      submitted('HEA-06'),
      submitted('HEA-08'),
      submitted('HEA-09'),
      submitted('HEA-13'),
      draft('HEA-10'),
      draft('HEA-11'),
      subscription(),
      subscription(),
      subscription(),
    ]);
    await inReview(authored);
    // The cap: the holder claimed and released the step as often as a round allows.
    const ndrc = tokens.get('ndrc-approver');
    for (let i = 0; i < maxStepActions; i++) {
      const action = i % 2 === 0 ? inbox.claimStep.bind(inbox) : inbox.releaseStep.bind(inbox);
      await unary(action, { proposalId: capped, stepId: 'countersign.ndrc' }, ndrc);
    }
    await unary(
      inbox.signOff.bind(inbox),
      { proposalId: objected, stepId: 'countersign.ndrc', position: Position.POSITION_OBJECT, comment: '财政承受能力论证不足（矩阵）' },
      ndrc,
    );
    // The inbox lists from Temporal's visibility store, which trails the workflow start.
    await until(
      'the inbox lists the proposal in review',
      async () => (await apiAs(p, 'nhc-approver', 'GET', '/api/v1/inbox')).json.items?.some((i: any) => i.proposal?.proposalId === review) ?? false,
    );
    inbox.close();
    const { trimCycle, cycleProposal } = await consolidated;
    const edu05 = must(await apiAs(p, 'moe-staff', 'GET', '/api/v1/standards/items/EDU-05'), 'EDU-05').national.item;
    const flooredItem = {
      ...edu05,
      qualityStandard: {
        ...edu05.qualityStandard,
        stated: true,
        metrics: [
          ...(edu05.qualityStandard?.metrics ?? []),
          {
            metric: 'funding_per_capita',
            label: '生均补助（矩阵）',
            comparator: 'COMPARATOR_GTE',
            value: '500',
            unit: 'CNY',
            basis: 'per_student_per_year',
          },
        ],
      },
    };
    const erratum = must(
      await apiAs(p, 'moe-staff', 'POST', '/api/v1/standards/items/EDU-05/versions/1/corrections', {
        item: { ...edu05, name: `${edu05.name}（勘误）` },
        reason: '措辞勘误（矩阵）',
      }),
      'erratum',
    ).erratum.erratumId as string;
    let n = 0;
    const newId = (label: string) => `${cycle}-${label}-${++n}`.replace(/[^A-Za-z0-9._-]/g, '-');
    // NHC's draft under public consultation (issue #17), with one held comment C-1 from a visitor.
    const consultation = await draft('HEA-03');
    must(
      await as('nhc-staff', 'POST', `/api/v1/proposals/${consultation}/consultation`, {
        opensOn: todayInChina(),
        closesOn: todayInChina(new Date(Date.now() + 30 * 86_400_000)),
        summary: '矩阵测试征求意见',
      }),
      'open consultation',
    );
    const commented = await fetch(`${p.gateway.url}/api/v1/consultations/${consultation}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '矩阵测试意见' }),
    });
    if (commented.status !== 201) throw new Error(`comment: HTTP ${commented.status} ${await commented.text()}`);
    const programme = await makeProgrammeFixtures(as as never, newId);
    // An edition file changing the service content of HEA-06 (NHC's item; test data, not an official revision).
    const hea06 = must(await as('nhc-staff', 'GET', '/api/v1/standards/items/HEA-06'), 'HEA-06').national;
    const hea06Row = editionRowOf(ServiceItem.fromJSON(hea06.item), hea06.placement.fieldCode, hea06.placement.categoryCode);
    const edition = [templateHeader(), editionColumns.map((c) => (c.key === 'service_content' ? '矩阵测试数据（非官方修订）' : hea06Row[c.key]))]
      .map((r) => r.map((c) => `"${(c ?? '').replace(/"/g, '""')}"`).join(','))
      .join('\n');
    return {
      consultation,
      edition,
      draft: draftId,
      review,
      authored,
      capped,
      objected,
      signGrpc,
      signHttp,
      withdrawGrpc,
      withdrawHttp,
      subscription: sub,
      deleteGrpc,
      deleteHttp,
      receiverUrl: receiver.url,
      cycle,
      trimCycle,
      cycleProposal,
      flooredItem,
      erratum,
      programme,
      newId,
    };
  }

  /**
   * A unified revision cycle in consolidation whose package holds one approved MOE proposal (EDU-01), entered as the
   * proposals service does (the cycle's submit update) and countersigned through the inbox: what trim works on.
   */
  async function consolidation(): Promise<{ trimCycle: string; cycleProposal: string }> {
    const trimCycle = uniqueName('C-trim').replace(/[^A-Za-z0-9._-]/g, '-');
    const must = (r: { status: number; json: any }, what: string) => {
      if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    };
    const phaseIs = async (phase: string): Promise<boolean> => (await apiAs(p, 'auditor', 'GET', `/api/v1/cycles/${trimCycle}`)).json.cycle?.phase === phase;
    must(
      await apiAs(p, 'ndrc-approver', 'POST', '/api/v1/cycles', {
        cycleId: trimCycle,
        planPeriod: '2026-2030',
        title: '矩阵测试（压减）',
        effectiveFrom: { year: 2027, month: 7, day: 1 },
        fields: [{ fieldCode: 'F17-EDU', leadMinistry: 'MOE' }],
        fiscalCeiling: { centralFen: '100000', localFen: '100000' },
        evaluationSeconds: '600',
        proposalWindowSeconds: '8',
      }),
      'trim cycle',
    );
    must(
      await apiAs(p, 'moe-staff', 'POST', `/api/v1/cycles/${trimCycle}/evaluations`, { fieldCode: 'F17-EDU', summary: '学前教育资助需扩大（矩阵）' }),
      'evaluation',
    );
    await until('the trim cycle takes proposals', () => phaseIs('proposals'));
    const cycleProposal = `${trimCycle}-EDU`;
    const moeStaff = actorOf(personas['moe-staff']);
    const temporal = await testTemporal();
    try {
      await temporal.client.workflow.getHandle(trimCycle).executeUpdate(submitCycleProposalUpdate, {
        args: [
          {
            actor: moeStaff,
            proposal: proposalInput({
              proposalId: cycleProposal,
              kind: 'UNIFIED',
              cycleId: trimCycle,
              leadMinistry: 'MOE',
              proposer: moeStaff,
              authors: [moeStaff.subject],
              fieldCodes: ['F17-EDU'],
              itemCodes: ['EDU-01'],
              fiscalTotals: { totalFen: '600', centralFen: '500', localFen: '100' },
              changeSet: {
                changeSetId: `${cycleProposal}-cs`,
                kind: 'RELEASE_KIND_EDITION',
                title: '学前教育',
                changes: [{ changeId: 'c1', retireItem: { base: { itemCode: 'EDU-01', version: 1 }, reason: '矩阵' } }],
                fieldCodes: ['F17-EDU'],
              },
            }),
          },
        ],
      });
    } finally {
      await temporal.close();
    }
    const inbox = new ApprovalInboxClient(p.addresses['APPROVALS_GRPC_ADDRESS']!, grpcJs.credentials.createInsecure());
    for (const [who, stepId] of [
      ['moe-approver', 'countersign.lead'],
      ['ndrc-approver', 'countersign.ndrc'],
      ['mof-approver', 'countersign.mof'],
      ['final-approver', 'final.sco'],
    ] as const) {
      await until(`${who} signs ${stepId} of ${cycleProposal}`, () =>
        unary(inbox.signOff.bind(inbox), { proposalId: cycleProposal, stepId, position: Position.POSITION_APPROVE, comment: '' }, tokens.get(who)).then(
          () => true,
          () => false,
        ),
      );
    }
    inbox.close();
    await until('the trim cycle consolidates', async () => {
      const c = (await apiAs(p, 'auditor', 'GET', `/api/v1/cycles/${trimCycle}`)).json.cycle;
      return c?.phase === 'consolidation' && c.package?.[0]?.status === 'approved';
    });
    return { trimCycle, cycleProposal };
  }

  beforeAll(async () => {
    const started = Date.now();
    [p, receiver, methods] = await Promise.all([
      // A long backend deadline: rows test authorisation, and audit traces are slow on a loaded 2-core machine.
      startTestPlatform('perm-matrix', { backendTimeoutMs: 30_000 }, { full: true, notifications: true, audit: true, programme: true }),
      startWebhookReceiver(),
      generatedMethods(),
    ]);
    for (const identity of Object.values(extraIdentities)) registerIdentity(identity);
    for (const name of Object.keys(personas) as PersonaName[]) tokens.set(name, await tokenFor(name));
    for (const name of Object.keys(extraIdentities) as ExtraName[]) tokens.set(name, await tokenFor(extraIdentities[name]));
    tokens.set('anonymous', undefined);
    const key = await importJWK(tokenIssuer.privateJwk as never, 'EdDSA');
    const staff = personas['nhc-staff'];
    tokens.set(
      'expired',
      await new SignJWT({ org: staff.organisation, roles: [...staff.roles], name: staff.name })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: tokenIssuer.keyId })
        .setSubject(staff.subject)
        .setIssuer(tokenIssuer.issuer)
        .setAudience(tokenIssuer.audience)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(key),
    );
    tokens.set('foreign', await issuerOf(generatedIssuer(tokenIssuer.issuer, tokenIssuer.audience)).mint(staff));
    fixtures = await makeFixtures();
    const ready = Date.now();

    // Rows that only read (or are refused) run concurrently; rows that change shared fixtures run after, in order.
    const runnable = allRows.filter((r) => !skipped(r));
    const first = runnable.filter((r) => r.first);
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        for (let row = first.shift(); row; row = first.shift()) await run(row);
      }),
    );
    const firstDone = Date.now();
    const queue = runnable.filter((r) => !r.late && !r.first);
    const workers = Array.from({ length: 8 }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) await run(row);
    });
    await Promise.all(workers);
    const concurrentDone = Date.now();
    for (const row of runnable.filter((r) => r.late)) await run(row);
    const seconds = (from: number, to: number): string => ((to - from) / 1000).toFixed(1);
    console.log(
      `permission matrix: fixtures ${seconds(started, ready)} s, ${runnable.length} rows run in ${seconds(ready, Date.now())} s (first ${seconds(ready, firstDone)} s, concurrent ${seconds(firstDone, concurrentDone)} s, late ${seconds(concurrentDone, Date.now())} s)`,
    );
    const slowest = [...durations]
      .map(([op, ms]) => [op, Math.max(...ms), ms.reduce((a, b) => a + b, 0)] as const)
      .sort((a, b) => b[2] - a[2])
      .slice(0, 8);
    console.log(`slowest operations (max ms, total ms): ${slowest.map(([op, max, total]) => `${op} ${max}/${total}`).join('; ')}`);
    const failing = runnable.map((r) => [r, mismatch(r, results.get(r)!, fixtures)] as const).filter(([, m]) => m !== undefined);
    if (failing.length > 0) console.log(`rows that do not hold (${failing.length}):\n${failing.map(([r, m]) => `  ${describeRow(r)}: ${m}`).join('\n')}`);
  }, 600_000);

  afterAll(async () => {
    for (const c of clients.values()) c.close();
    await receiver?.close();
    await p?.stop();
  });

  it('has a row for every gRPC method and every gateway route (coverage)', () => {
    const persona = (r: Row) => !['anonymous', 'expired', 'foreign'].includes(r.who) || publicRoutes.includes(opOf(r.call));
    const covered = new Set(matrix.filter(persona).map((r) => opOf(r.call)));
    const grpcMethods = [...methods.keys()].sort();
    const routes = p.gateway.routes.map((r) => `${r.method} ${r.url}`).sort();
    expect(
      grpcMethods.filter((m) => !covered.has(m)),
      'gRPC methods without a row',
    ).toEqual([]);
    expect(
      routes.filter((r) => !covered.has(r)),
      'gateway routes without a row',
    ).toEqual([]);
    // And no row names an operation that does not exist.
    const known = new Set([...grpcMethods, ...routes]);
    expect(
      [...new Set(matrix.map((r) => opOf(r.call)))].filter((op) => !known.has(op)),
      'rows for unknown operations',
    ).toEqual([]);

    const run = allRows.filter((r) => !skipped(r));
    const allowed = run.filter((r) => r.expect === 'allowed').length;
    console.log(
      [
        'permission matrix (issue #14):',
        `  rows: ${allRows.length} (${matrix.length} written + ${allRows.length - matrix.length} derived UNAUTHENTICATED rows); run: ${run.length}, pending another branch's fix: ${allRows.length - run.length}`,
        `  allowed: ${allowed}, refused: ${run.length - allowed}`,
        `  covered: ${grpcMethods.length} gRPC methods (${new Set(grpcMethods.map((m) => m.split('/')[1])).size} services), ${routes.length} gateway routes`,
        `  issue #14 case rows: ${allRows.filter((r) => r.issue).length}`,
      ].join('\n'),
    );
  });

  for (const row of allRows) {
    if (skipped(row)) {
      it.todo(`[pending ${row.pendingFix}] ${describeRow(row)}`); // reported, not run, until the marker is removed
      continue;
    }
    it(describeRow(row), () => {
      const result = results.get(row);
      expect(result, 'the row did not run').toBeDefined();
      const problem = mismatch(row, result!, fixtures);
      expect(problem, problem).toBeUndefined();
    });
  }
});

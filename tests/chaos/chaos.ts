// The chaos suite's engine (issue #19). A steady flow of ad-hoc revisions — drafted, submitted, signed by every
// step, published, delivered to several verifying webhook receivers — runs through the platform's real processes
// (tests/support/processes.ts) while faults are injected one after the other: kill -9 of service instances (the
// approvals worker right after a final sign-off, while its activities run; notifications while a delivery is in
// flight), restarts of Kafka, Temporal and the database, and a receiver that is down for a while. Then it waits for
// the platform to settle and reports, per fault, what was acknowledged, what was delivered, what was lost, what was
// done twice, and how long recovery took.
//
// What counts:
// - acknowledged: publications the platform acknowledged to the client (the new version served) while the fault
//   was the latest one injected; delivered: those every receiver got, verified; lost = acknowledged − delivered.
// - redelivered: a webhook-id received again. Standard Webhooks is at least once: a sender killed while awaiting
//   the answer sends again under the same id, and a receiver that keys on webhook-id applies it once. Reported, not
//   a failure.
// - duplicate side effects: one publication delivered under two webhook-ids (a receiver could not tell), and one
//   item version published twice (by the registry's history and on Kafka). Must be 0.
// - recovery: from the fault until the faulted part is back (process listening, component healthy) and the flow
//   has acknowledged a publication since.
import * as grpc from '@grpc/grpc-js';
import { AuditClient, VerifyRequest, VerifyResponse } from '../../proto/gen/bps/audit/v1/audit';
import type { PersonaName } from '../../services/shared/auth/personas';
import { unary } from '../../services/shared/grpc/client';
import { flowClient, publishRevision, type FlowClient } from '../support/flow';
import { readTopics, type ProcessPlatform } from '../support/processes';
import { unchanged, waitUntil } from '../support/wait';
import type { WebhookReceiver } from '../support/webhooks';

export type InfraComponent = 'kafka' | 'temporal' | 'database';

export type Fault =
  | { readonly kind: 'kill'; readonly instance: string; readonly moment?: 'mid-activity' | 'mid-delivery' }
  | { readonly kind: 'restart'; readonly component: InfraComponent }
  | { readonly kind: 'receiver-down'; readonly receiver: number; readonly ms: number };

export type ChaosOptions = {
  readonly platform: ProcessPlatform;
  readonly receivers: readonly WebhookReceiver[];
  readonly faults: readonly Fault[];
  /** Items the flow revises, round robin; each worker owns its own items (no two open proposals on one item). */
  readonly items: readonly string[];
  readonly concurrency: number;
  /** Stops and starts an infrastructure component (only where the suite owns the stack: `npm run chaos`). */
  readonly restart?: (component: InfraComponent) => Promise<void>;
  readonly log?: (line: string) => void;
  /** How long the platform may take to deliver everything after the last fault (default 300 s). */
  readonly settleTimeoutMs?: number;
};

export type FaultRow = {
  readonly fault: string;
  readonly acknowledged: number;
  readonly delivered: number;
  readonly lost: number;
  readonly redelivered: number;
  readonly duplicateSideEffects: number;
  readonly duplicateVersions: number;
  /** The faulted part back (ms after the fault); null when it never came back. */
  readonly backMs: number | null;
  /** Back, and a publication acknowledged since (ms after the fault); null when the flow never resumed. */
  readonly recoverMs: number | null;
};

export type ChaosReport = {
  readonly rows: readonly FaultRow[];
  readonly totals: Omit<FaultRow, 'fault' | 'backMs' | 'recoverMs'> & { readonly maxRecoverMs: number | null };
  /** Events written to Kafka more than once (same ce_id), over every topic of the flow. */
  readonly duplicateEvents: number;
  /** Drafts the platform holds against drafts the client created: a retried create must not make a second. */
  readonly drafts: { readonly created: number; readonly stored: number };
  /** Client calls answered only after retries (lost answers during faults), and the retries in all. */
  readonly retried: { readonly calls: number; readonly attempts: number };
  readonly flowErrors: readonly string[];
  readonly auditVerified: boolean;
  /** What the full verification of the global audit log answered. */
  readonly auditVerification: string;
  readonly restarts: Readonly<Record<string, number>>;
  readonly durationMs: number;
};

type Acknowledged = { readonly key: string; readonly proposalId: string; readonly at: number; readonly fault: number };

const versionKey = (itemCode: string, version: number): string => `${itemCode}@${version}`;

function describe(fault: Fault): string {
  switch (fault.kind) {
    case 'kill':
      return `kill -9 ${fault.instance}${fault.moment ? ` (${fault.moment})` : ''}`;
    case 'restart':
      return `restart ${fault.component}`;
    case 'receiver-down':
      return `receiver ${fault.receiver + 1} down ${(fault.ms / 1000).toFixed(0)} s`;
  }
}

/** Whether `condition` came to hold within `timeoutMs` (a report records what never did, instead of failing). */
function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  return waitUntil(condition, what, timeoutMs, intervalMs).then(
    () => true,
    () => false,
  );
}

function must(answer: { status: number; json: any }, what: string): any {
  if (answer.status >= 300) throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json;
}

/** The item versions a delivered webhook announces. */
function announced(receiver: WebhookReceiver): Map<string, Set<string>> {
  const byVersion = new Map<string, Set<string>>(); // item@version → webhook-ids
  for (const r of receiver.received) {
    if (r.status !== 200 || r.verifiedWith.length === 0 || r.type !== 'bps.standard.version.published') continue;
    for (const v of (r.event.data?.itemVersions ?? []) as { itemCode: string; version: number }[]) {
      const key = versionKey(v.itemCode, v.version);
      const ids = byVersion.get(key) ?? new Set<string>();
      ids.add(r.webhookId);
      byVersion.set(key, ids);
    }
  }
  return byVersion;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const log = options.log ?? (() => undefined);
  const p = options.platform;
  const client: FlowClient = flowClient({ gatewayUrls: p.gatewayUrls, token: (persona: PersonaName) => p.token(persona), callDeadlineMs: 180_000 });

  // Every receiver subscribes to publications, verifying with its subscription's secret.
  for (const [i, receiver] of options.receivers.entries()) {
    const sub = must(
      await client.call(
        'statistics-subscriber',
        'POST',
        '/api/v1/subscriptions',
        { endpointUrl: receiver.url, description: `混沌测试接收端 ${i + 1}`, filter: { eventTypes: ['bps.standard.version.published'] } },
        `chaos-sub-${p.names.namespace}-${i}`,
      ),
      'subscribe',
    );
    receiver.secrets.push(sub.secret);
  }

  // The flow: `concurrency` workers, each revising its own items in turn, each publication raising the level.
  let currentFault = -1;
  let flowing = true;
  const acknowledged: Acknowledged[] = [];
  const flowErrors: string[] = [];
  let created = 0;
  const stepListeners = new Set<(step: string) => void>();
  const versions = new Map(options.items.map((item) => [item, 1]));
  const workers = Array.from({ length: options.concurrency }, async (_, w) => {
    const mine = options.items.filter((_, i) => i % options.concurrency === w);
    for (let turn = 0; flowing && mine.length > 0; turn++) {
      const itemCode = mine[turn % mine.length]!;
      const baseVersion = versions.get(itemCode)!;
      try {
        const published = await publishRevision(client, { itemCode, baseVersion, level: String(88 + baseVersion), timeoutMs: 240_000 }, (step) => {
          if (step === 'created') created += 1;
          for (const listener of stepListeners) listener(step);
        });
        versions.set(itemCode, published.version);
        acknowledged.push({ key: versionKey(itemCode, published.version), proposalId: published.proposalId, at: Date.now(), fault: currentFault });
      } catch (error) {
        flowErrors.push(`${itemCode} v${baseVersion + 1}: ${error instanceof Error ? error.message : String(error)}`);
        mine.splice(mine.indexOf(itemCode), 1); // a proposal may still be open on it: leave the item alone
      }
    }
  });
  const nextStep = (step: string): Promise<void> =>
    new Promise((resolve) => {
      const listener = (s: string): void => {
        if (s !== step) return;
        stepListeners.delete(listener);
        resolve();
      };
      stepListeners.add(listener);
    });

  await until('the first publication', () => acknowledged.length > 0, 180_000);
  log(`flow running: first publication acknowledged after ${((Date.now() - began) / 1000).toFixed(1)} s`);

  const rows: { fault: string; backMs: number | null; recoverMs: number | null }[] = [];
  for (const [index, fault] of options.faults.entries()) {
    const t0 = Date.now();
    currentFault = index;
    let backAt: number | undefined;
    switch (fault.kind) {
      case 'kill': {
        if (fault.moment === 'mid-activity') await nextStep('signed:final-approver'); // its change set is being announced
        if (fault.moment === 'mid-delivery') {
          // Killed while a delivery awaits the receiver's answer: the answer goes to a dead socket.
          const receiver = options.receivers[0]!;
          const reply = receiver.reply;
          await new Promise<void>((resolve) => {
            receiver.reply = () => {
              receiver.reply = reply;
              resolve();
              return { status: 200, delayMs: 500 };
            };
          });
        }
        const at = Date.now();
        const pid = p.kill(fault.instance);
        try {
          await p.waitBack(fault.instance, pid, 120_000);
          backAt = Date.now();
        } catch {
          backAt = undefined;
        }
        rows.push({ fault: describe(fault), backMs: backAt === undefined ? null : backAt - at, recoverMs: null });
        break;
      }
      case 'restart': {
        if (!options.restart) throw new Error(`${describe(fault)}: this run cannot restart infrastructure`);
        await options.restart(fault.component);
        backAt = Date.now();
        rows.push({ fault: describe(fault), backMs: backAt - t0, recoverMs: null });
        break;
      }
      case 'receiver-down': {
        const receiver = options.receivers[fault.receiver]!;
        const reply = receiver.reply;
        receiver.reply = () => ({ status: 503, destroy: true });
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        receiver.reply = reply;
        backAt = Date.now();
        rows.push({ fault: describe(fault), backMs: backAt - t0, recoverMs: null });
        break;
      }
    }
    const row = rows[rows.length - 1]!;
    if (backAt !== undefined) {
      const since = backAt;
      const resumed = await until('a publication after the fault', () => acknowledged.some((a) => a.at >= since), 240_000);
      if (resumed) row.recoverMs = Math.min(...acknowledged.filter((a) => a.at >= since).map((a) => a.at)) - t0;
    }
    log(`${row.fault}: back after ${row.backMs ?? '—'} ms, flow resumed after ${row.recoverMs ?? '—'} ms`);
  }

  // Settle: stop starting publications, let the open ones finish, then wait for every delivery.
  flowing = false;
  await Promise.all(workers);
  log(`flow stopped: ${acknowledged.length} publications acknowledged; waiting for deliveries`);
  const keys = acknowledged.map((a) => a.key);
  await until(
    'every publication delivered to every receiver',
    () => options.receivers.every((r) => keys.every((k) => announced(r).has(k))),
    options.settleTimeoutMs ?? 300_000,
    500,
  );
  // A quiet moment, so that a late duplicate has the time to show.
  await until(
    'deliveries to stop',
    unchanged(() => options.receivers.reduce((n, r) => n + r.received.length, 0)),
    60_000,
    3_000,
  );

  // What Kafka holds, duplicates included.
  const events = await readTopics(p.names.namespace, ['standards', 'proposals', 'approvals', 'notifications']);
  const perId = new Map<string, number>();
  for (const e of events) perId.set(e.id, (perId.get(e.id) ?? 0) + 1);
  const duplicateEvents = [...perId.values()].filter((n) => n > 1).length;
  const publishedOnKafka = new Map<string, number>();
  const seenIds = new Set<string>();
  for (const e of events) {
    if (e.type !== 'bps.standard.version.published' || seenIds.has(e.id)) continue;
    seenIds.add(e.id);
    for (const v of JSON.parse(e.data.toString('utf8')).itemVersions ?? []) {
      const key = versionKey(v.itemCode, v.version);
      publishedOnKafka.set(key, (publishedOnKafka.get(key) ?? 0) + 1);
    }
  }
  // The registry's history of every item the flow revised: each version once, none missing.
  const historyTwice = new Set<string>();
  for (const item of options.items) {
    const history = must(await client.call('nhc-staff', 'GET', `/api/v1/standards/items/${item}/history`), `history ${item}`);
    const counts = new Map<number, number>();
    for (const v of history.versions ?? []) counts.set(v.version, (counts.get(v.version) ?? 0) + 1);
    for (const [version, n] of counts) if (n > 1) historyTwice.add(versionKey(item, version));
  }
  let stored = 0;
  for (let token = ''; ;) {
    const page = must(
      await client.call('nhc-staff', 'GET', `/api/v1/proposals?pageSize=200${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`),
      'proposals',
    );
    stored += (page.proposals ?? []).length;
    token = page.nextPageToken ?? '';
    if (!token) break;
  }
  // Straight to an audit instance, with room for a long log: a full verification re-hashes every entry, which can
  // take longer than the gateway's backend deadline.
  const auditInstance = p.instances.find((i) => i.spec.name === 'audit');
  let verify: { status: number; json: any } = { status: 0, json: { error: 'no audit instance' } };
  if (auditInstance) {
    const audit = new AuditClient(`127.0.0.1:${auditInstance.port}`, grpc.credentials.createInsecure());
    try {
      const answer = await unary(audit.verify.bind(audit), VerifyRequest.fromPartial({ full: true }), await p.token('auditor'), 600_000);
      verify = { status: 200, json: VerifyResponse.toJSON(answer) };
    } catch (error) {
      verify = { status: 500, json: { error: error instanceof Error ? error.message : String(error) } };
    } finally {
      audit.close();
    }
  }

  const perReceiver = options.receivers.map((r) => announced(r));
  const redeliveries = (keysOf: Set<string>): number =>
    options.receivers.reduce((n, r) => {
      const counts = new Map<string, number>();
      for (const x of r.received)
        if (x.status === 200 && (x.event.data?.itemVersions ?? []).some((v: any) => keysOf.has(versionKey(v.itemCode, v.version))))
          counts.set(x.webhookId, (counts.get(x.webhookId) ?? 0) + 1);
      return n + [...counts.values()].reduce((m, c) => m + (c - 1), 0);
    }, 0);
  const rowFor = (fault: string, of: Acknowledged[], backMs: number | null, recoverMs: number | null): FaultRow => {
    const keysOf = new Set(of.map((a) => a.key));
    const delivered = of.filter((a) => perReceiver.every((m) => m.has(a.key))).length;
    return {
      fault,
      acknowledged: of.length,
      delivered,
      lost: of.length - delivered,
      redelivered: redeliveries(keysOf),
      duplicateSideEffects: of.filter((a) => perReceiver.some((m) => (m.get(a.key)?.size ?? 0) > 1)).length,
      duplicateVersions: of.filter((a) => (publishedOnKafka.get(a.key) ?? 0) > 1 || historyTwice.has(a.key)).length,
      backMs,
      recoverMs,
    };
  };
  const reportRows = [
    rowFor(
      '(before the first fault)',
      acknowledged.filter((a) => a.fault === -1),
      null,
      null,
    ),
    ...rows.map((r, i) =>
      rowFor(
        r.fault,
        acknowledged.filter((a) => a.fault === i),
        r.backMs,
        r.recoverMs,
      ),
    ),
  ];
  const sum = (k: keyof Omit<FaultRow, 'fault' | 'backMs' | 'recoverMs'>): number => reportRows.reduce((n, r) => n + r[k], 0);
  const recoveries = rows.map((r) => r.recoverMs);
  return {
    rows: reportRows,
    totals: {
      acknowledged: sum('acknowledged'),
      delivered: sum('delivered'),
      lost: sum('lost'),
      redelivered: sum('redelivered'),
      duplicateSideEffects: sum('duplicateSideEffects'),
      duplicateVersions: sum('duplicateVersions'),
      maxRecoverMs: recoveries.some((r) => r === null) ? null : Math.max(0, ...(recoveries as number[])),
    },
    duplicateEvents,
    drafts: { created, stored },
    retried: { ...client.retried },
    flowErrors,
    auditVerified: verify.status === 200 && verify.json.ok === true,
    auditVerification:
      verify.status === 200
        ? `${verify.json.ok ? 'intact' : 'BROKEN'}: ${verify.json.size} entries${verify.json.firstMismatch ? `, first mismatch ${JSON.stringify(verify.json.firstMismatch)}` : ''}, ${(verify.json.checkpoints ?? []).length} checkpoints`
        : `failed: ${JSON.stringify(verify.json)}`,
    restarts: Object.fromEntries(p.instances.map((i) => [i.name, p.supervisor.restarts(i.name)])),
    durationMs: Date.now() - began,
  };
}

/** The report as a Markdown table and a summary, as the closing note and tests/chaos/results show it. */
export function formatReport(report: ChaosReport): string {
  const s = (ms: number | null): string => (ms === null ? 'never' : (ms / 1000).toFixed(1));
  const lines = [
    '| fault | acknowledged | delivered | lost | redelivered (same webhook-id) | duplicate side effects | duplicate versions | back (s) | flow resumed (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...report.rows.map(
      (r) =>
        `| ${r.fault} | ${r.acknowledged} | ${r.delivered} | ${r.lost} | ${r.redelivered} | ${r.duplicateSideEffects} | ${r.duplicateVersions} | ${r.backMs === null ? '—' : s(r.backMs)} | ${r.recoverMs === null ? '—' : s(r.recoverMs)} |`,
    ),
    `| **total** | ${report.totals.acknowledged} | ${report.totals.delivered} | ${report.totals.lost} | ${report.totals.redelivered} | ${report.totals.duplicateSideEffects} | ${report.totals.duplicateVersions} | | max ${s(report.totals.maxRecoverMs)} |`,
    '',
    `- events written to Kafka twice (same ce_id): ${report.duplicateEvents}`,
    `- drafts stored / created by the client: ${report.drafts.stored} / ${report.drafts.created} (retried client calls: ${report.retried.calls}, retries: ${report.retried.attempts})`,
    `- audit chain verifies (full): ${report.auditVerified ? 'yes' : 'NO'} (${report.auditVerification})`,
    `- flow errors: ${report.flowErrors.length === 0 ? 'none' : report.flowErrors.join('; ')}`,
    `- supervisor restarts: ${Object.entries(report.restarts)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}`,
    `- duration: ${(report.durationMs / 1000).toFixed(0)} s`,
  ];
  return lines.join('\n');
}

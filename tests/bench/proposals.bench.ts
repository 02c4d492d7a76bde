// Proposals through gRPC on the real stack (in-process registry and proposals service, Temporal without a worker):
// drafting (registry lookups + permission + id + event append + projection + conflict check), the fiscal
// estimate of unsaved content, reading an old revision (event-log fold), submission (registry checks + estimate +
// Temporal start), and the optimistic-concurrency race of N simultaneous edits of one draft (exactly one wins).
//
// Growth (issue #16, proposals row): CreateProposal and ValidateProposal at 10 and at 1,000 open drafts in the same
// run, on a second environment; the drafts are spread over all 81 seeded items with two hot items (see seedDrafts).
//
// Size: BENCH_PROPOSALS_SAMPLES (default 30), BENCH_PROPOSALS_DRAFTS (default 1000), BENCH_PROPOSALS_GROWTH_SAMPLES
// (default 40). `npm run bench -- proposals`.
import * as grpc from '@grpc/grpc-js';
import { type ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { unary } from '../../services/shared/grpc/client';
import { healthProposal } from '../unit/proposals-fixtures';
import { startProposalsTestEnv } from '../integration/proposals-helpers';
import { seedDrafts, waitForRelay } from './proposals-seed';
import type { Bench, BenchRow } from './run';

const SAMPLES = Number(process.env['BENCH_PROPOSALS_SAMPLES'] ?? 30);
const DRAFTS = Number(process.env['BENCH_PROPOSALS_DRAFTS'] ?? 1000);
const GROWTH_SAMPLES = Number(process.env['BENCH_PROPOSALS_GROWTH_SAMPLES'] ?? 40);
/** The goal: p99 at 1,000 open drafts at most this many times the p99 at 10. */
const GROWTH_LIMIT = 1.2;
const RACERS = 10;
// Items drafted round-robin over the 19 health items NHC leads (HEA-12 is NATCM's): with more samples than items,
// later drafts overlap earlier ones, so conflict flagging (one extra append on each side per overlap) is part of the cost.
const ITEMS = Array.from({ length: 20 }, (_, i) => `HEA-${String(i + 1).padStart(2, '0')}`).filter((code) => code !== 'HEA-12');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(operation: string, samples: number, op: (i: number) => Promise<unknown>): Promise<BenchRow> {
  await op(-1); // warm-up
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await op(i);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    operation,
    samples,
    p50_ms: +percentile(latencies, 50).toFixed(1),
    p95_ms: +percentile(latencies, 95).toFixed(1),
    max_ms: +(latencies[latencies.length - 1] ?? NaN).toFixed(1),
    ops_per_s: +(samples / seconds).toFixed(1),
  };
}

const bench: Bench = {
  title: 'Proposals: draft, estimate, read a revision, submit, concurrent edits (gRPC, real stack)',
  async run() {
    const env = await startProposalsTestEnv('bench-prop', { collect: false });
    try {
      const token = await env.token('nhc-staff');
      const c = env.client;
      const ids: string[] = [];
      const content = (i: number): ProposalContent => healthProposal({ itemCode: ITEMS[Math.abs(i) % ITEMS.length], level: String(80 + (Math.abs(i) % 20)) });
      const rows: BenchRow[] = [];

      rows.push(
        await measure('CreateProposal', SAMPLES, async (i) => {
          const { proposal } = await unary(c.createProposal.bind(c), { content: content(i) }, token);
          ids.push(proposal!.proposalId);
        }),
      );
      rows.push(
        await measure('ComputeFiscalEstimate (content)', SAMPLES, (i) =>
          unary(c.computeFiscalEstimate.bind(c), { source: { $case: 'content', content: content(i) }, revision: 0 }, token),
        ),
      );
      for (const id of ids.slice(0, 5)) await unary(c.updateDraft.bind(c), { proposalId: id, expectedRevision: 1, content: content(7) }, token);
      rows.push(
        await measure('GetProposal (revision 1 of 2)', SAMPLES, (i) => unary(c.getProposal.bind(c), { proposalId: ids[Math.abs(i) % 5]!, revision: 1 }, token)),
      );
      rows.push(
        await measure('ListProposals (NHC, page 50)', SAMPLES, () =>
          unary(c.listProposals.bind(c), { leadMinistry: 'NHC', fieldCode: '', kind: 0, state: 0, cycleId: '', pageSize: 50, pageToken: '' }, token),
        ),
      );
      const toSubmit = ids.slice(5);
      rows.push(
        await measure('SubmitProposal (checks + Temporal start)', Math.min(SAMPLES, toSubmit.length - 1), async (i) => {
          const id = toSubmit[i + 1]!;
          await unary(c.submitProposal.bind(c), { proposalId: id, expectedRevision: 1 }, token);
          await env.workflowCount(id); // registers the workflow for clean-up
        }),
      );

      // RACERS simultaneous edits of the same revision: exactly one may win, the rest get ABORTED.
      const { proposal } = await unary(c.createProposal.bind(c), { content: healthProposal({ itemCode: 'HEA-13' }) }, token);
      const t = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          unary(
            c.updateDraft.bind(c),
            { proposalId: proposal!.proposalId, expectedRevision: 1, content: healthProposal({ itemCode: 'HEA-13', level: String(90 + i) }) },
            token,
          ).then(
            () => 'ok',
            (e: grpc.ServiceError) => (e.code === grpc.status.ABORTED ? 'aborted' : `error ${e.code}`),
          ),
        ),
      );
      const final = await unary(c.getProposal.bind(c), { proposalId: proposal!.proposalId, revision: 0 }, token);
      rows.push({
        operation: `UpdateDraft x${RACERS} concurrent (same revision)`,
        samples: RACERS,
        p50_ms: NaN,
        p95_ms: NaN,
        max_ms: +(performance.now() - t).toFixed(1),
        ops_per_s: NaN,
        won: outcomes.filter((o) => o === 'ok').length,
        aborted: outcomes.filter((o) => o === 'aborted').length,
        final_revision: final.proposal!.currentRevision,
      });
      rows.push(...(await growthRows()));
      return rows;
    } finally {
      await env.stop();
    }
  },
};

/**
 * CreateProposal and ValidateProposal with 10 open drafts (anchor) and with DRAFTS open drafts (service), on two
 * environments side by side in one run, sampled alternately (one call on each, in turn), so both see the same load
 * on a machine shared with other work. Each call's background work (conflict events, relay) is waited for, untimed,
 * before the next, and reported as its own row. Each timed create is withdrawn right after (untimed), so the number
 * of open drafts stays what the row says; creates touch one of the 19 NHC health items (HEA-01 is hot), validations
 * read seeded health drafts.
 */
async function growthRows(): Promise<BenchRow[]> {
  const small = await growthEnv('bench-propg10', 10);
  try {
    const large = await growthEnv('bench-propg1k', DRAFTS);
    try {
      await small.warm();
      await large.warm();
      const results = {
        small: { create: [] as number[], validate: [] as number[], background: [] as number[] },
        large: { create: [] as number[], validate: [] as number[], background: [] as number[] },
      };
      for (let i = 0; i < GROWTH_SAMPLES; i++) {
        for (const [name, env] of [
          ['small', small],
          ['large', large],
        ] as const) {
          const r = results[name];
          const created = await env.create(i);
          r.create.push(created.latency);
          r.background.push(created.settled);
          r.validate.push(await env.validate(i));
        }
      }
      const names = {
        create: 'CreateProposal',
        validate: 'ValidateProposal',
        background: 'after a create: conflict events on both sides + relay (background, no goal)',
      };
      return (['create', 'validate', 'background'] as const).map((op) => {
        const a = results.small[op].sort((x, y) => x - y);
        const b = results.large[op].sort((x, y) => x - y);
        const anchor = percentile(a, 99);
        const service = percentile(b, 99);
        return {
          operation: `${names[op]} growth: 10 → ${DRAFTS} open drafts`,
          samples: GROWTH_SAMPLES,
          anchor_p50_ms: +percentile(a, 50).toFixed(1),
          anchor_p99_ms: +anchor.toFixed(1),
          service_p50_ms: +percentile(b, 50).toFixed(1),
          service_p99_ms: +service.toFixed(1),
          growth_p50: +(percentile(b, 50) / percentile(a, 50)).toFixed(2),
          growth_p99: +(service / anchor).toFixed(2),
          goal: op === 'background' ? '-' : `p99 ≤ ${GROWTH_LIMIT}×: ${service / anchor <= GROWTH_LIMIT ? 'met' : 'NOT met'}`,
        };
      });
    } finally {
      await large.stop();
    }
  } finally {
    await small.stop();
  }
}

/** An environment holding `size` open drafts, with one timed create (then withdrawn) and one timed validation. */
async function growthEnv(prefix: string, size: number) {
  const env = await startProposalsTestEnv(prefix, { collect: false });
  const token = await env.token('nhc-staff');
  const c = env.client;
  const t = performance.now();
  const seeded = await seedDrafts(env.proposals.store, env.namespace, 0, size);
  await waitForRelay(env.proposals.store);
  console.log(`${prefix}: seeded ${size} open drafts in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const health = seeded.filter((id) => id.includes('-NHC-'));
  const settle = () => waitForRelay(env.proposals.store, 100);
  const content = (i: number) => healthProposal({ itemCode: ITEMS[Math.abs(i) % ITEMS.length], level: String(80 + (Math.abs(i) % 20)) });
  const create = async (i: number): Promise<{ latency: number; settled: number }> => {
    const t0 = performance.now();
    const { proposal } = await unary(c.createProposal.bind(c), { content: content(i) }, token);
    const t1 = performance.now();
    await settle();
    const settled = performance.now() - t1;
    await unary(c.withdrawProposal.bind(c), { proposalId: proposal!.proposalId, reason: '基准测试撤回' }, token);
    await settle();
    return { latency: t1 - t0, settled };
  };
  const validate = async (i: number): Promise<number> => {
    const t0 = performance.now();
    await unary(c.validateProposal.bind(c), { proposalId: health[Math.abs(i) % health.length]! }, token);
    return performance.now() - t0;
  };
  return {
    create,
    validate,
    async warm() {
      await create(-1);
      await validate(-1);
    },
    stop: () => env.stop(),
  };
}

export default bench;

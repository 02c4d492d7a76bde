// Proposals through gRPC on the real stack (in-process registry and proposals service, Temporal without a worker):
// drafting (registry lookups + permission + id + event append + projection + conflict check), the fiscal
// estimate of unsaved content, reading an old revision (event-log fold), submission (registry checks + estimate +
// Temporal start), and the optimistic-concurrency race of N simultaneous edits of one draft (exactly one wins).
//
// Size: BENCH_PROPOSALS_SAMPLES (default 40). `npm run bench -- proposals`.
import * as grpc from '@grpc/grpc-js';
import { type ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { unary } from '../../services/shared/grpc/client';
import { healthProposal } from '../unit/proposals-fixtures';
import { startProposalsTestEnv } from '../integration/proposals-helpers';
import type { Bench, BenchRow } from './run';

const SAMPLES = Number(process.env['BENCH_PROPOSALS_SAMPLES'] ?? 30);
const RACERS = 10;
// Items drafted round-robin over the 20 health items: with more samples than items, later drafts overlap earlier
// ones, so conflict flagging (one extra append on each side per overlap) is part of the cost.
const ITEMS = Array.from({ length: 20 }, (_, i) => `HEA-${String(i + 1).padStart(2, '0')}`);

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
      return rows;
    } finally {
      await env.stop();
    }
  },
};

export default bench;

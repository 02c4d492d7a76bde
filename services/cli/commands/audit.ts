// bps audit trace | verify | export: the audit trail of an item version, a proposal, a revision cycle or an actor.
import { writeFileSync } from 'node:fs';
import {
  type ExportTraceRequest,
  type Trace,
  TraceActorResponse,
  TraceCycleResponse,
  TraceItemVersionResponse,
  TraceProposalResponse,
  VerifyResponse,
} from '../../../proto/gen/bps/audit/v1/audit';
import { UsageError, type FlagSpec } from '../args';
import { CliError, type CliContext, type Command } from '../cli';
import { exitCodes } from '../exit-codes';
import { renderRecord, renderTable } from '../table';

type Target = NonNullable<ExportTraceRequest['target']>;

const targetFlags: Record<string, FlagSpec> = {
  item: { type: 'string', placeholder: 'code', description: "a service item (with --version): the published version's trace" },
  version: { type: 'string', placeholder: 'n', description: 'the item version (with --item)' },
  proposal: { type: 'string', placeholder: 'id', description: 'an adjustment proposal' },
  cycle: { type: 'string', placeholder: 'id', description: 'a unified revision cycle' },
  actor: { type: 'string', placeholder: 'subject', description: 'everything one person or system did (with --from/--to)' },
  from: { type: 'string', placeholder: 'time', description: 'with --actor: from this RFC 3339 time (inclusive)' },
  to: { type: 'string', placeholder: 'time', description: 'with --actor: until this RFC 3339 time (exclusive)' },
};

function timeFlag(ctx: CliContext, name: string): Date | undefined {
  const v = ctx.flag(name);
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be an RFC 3339 time, got "${v}"`);
  return d;
}

/** Exactly one of --item/--version, --proposal, --cycle, --actor. */
function targetOf(ctx: CliContext): Target {
  const given = ['item', 'proposal', 'cycle', 'actor'].filter((f) => ctx.flag(f) !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --item <code> --version <n>, --proposal <id>, --cycle <id>, --actor <subject>');
  if (ctx.flag('version') !== undefined && given[0] !== 'item') throw new UsageError('--version goes with --item');
  if ((ctx.flag('from') !== undefined || ctx.flag('to') !== undefined) && given[0] !== 'actor') throw new UsageError('--from and --to go with --actor');
  switch (given[0]) {
    case 'item': {
      const version = Number(ctx.flag('version'));
      if (ctx.flag('version') === undefined || !Number.isInteger(version) || version < 1)
        throw new UsageError('--item needs --version <n> (a positive integer)');
      return { $case: 'itemVersion', itemVersion: { itemCode: ctx.flag('item') ?? '', version } };
    }
    case 'proposal':
      return { $case: 'proposal', proposal: { proposalId: ctx.flag('proposal') ?? '' } };
    case 'cycle':
      return { $case: 'cycle', cycle: { cycleId: ctx.flag('cycle') ?? '' } };
    default:
      return { $case: 'actor', actor: { subject: ctx.flag('actor') ?? '', from: timeFlag(ctx, 'from'), to: timeFlag(ctx, 'to') } };
  }
}

const targetText = (t: Target): string => {
  switch (t.$case) {
    case 'itemVersion':
      return `${t.itemVersion.itemCode} v${t.itemVersion.version}`;
    case 'proposal':
      return `proposal ${t.proposal.proposalId}`;
    case 'cycle':
      return `cycle ${t.cycle.cycleId}`;
    case 'actor':
      return `actor ${t.actor.subject}`;
    default: {
      const unknown: never = t;
      return String(unknown);
    }
  }
};

/** The trace of the target, and its response as JSON. */
async function traceOf(ctx: CliContext, t: Target): Promise<{ trace: Trace | undefined; json: unknown; provenance: [string, string][] }> {
  switch (t.$case) {
    case 'itemVersion': {
      const res = await ctx.call('audit', (c) => c.traceItemVersion.bind(c), t.itemVersion);
      return {
        trace: res.trace,
        json: TraceItemVersionResponse.toJSON(res),
        provenance: [
          ['release', res.releaseId],
          ['change set', res.changeSetId],
          ['proposals', res.proposalIds.join(', ')],
          ['workflow', res.workflowId],
          ['cycle', res.cycleId],
        ].filter(([, v]) => v !== '') as [string, string][],
      };
    }
    case 'proposal': {
      const res = await ctx.call('audit', (c) => c.traceProposal.bind(c), t.proposal);
      return { trace: res.trace, json: TraceProposalResponse.toJSON(res), provenance: [] };
    }
    case 'cycle': {
      const res = await ctx.call('audit', (c) => c.traceCycle.bind(c), t.cycle);
      return { trace: res.trace, json: TraceCycleResponse.toJSON(res), provenance: [] };
    }
    case 'actor': {
      const res = await ctx.call('audit', (c) => c.traceActor.bind(c), t.actor);
      return { trace: res.trace, json: TraceActorResponse.toJSON(res), provenance: [] };
    }
    default: {
      const unknown: never = t;
      throw new UsageError(`unknown target ${String(unknown)}`);
    }
  }
}

/** "bps.approval.step.signed (stepId=…, position=…)" -> "stepId=…, position=…" (the type has its own column). */
const details = (what: string, type: string): string =>
  what.startsWith(`${type} (`) && what.endsWith(')') ? what.slice(type.length + 2, -1) : what === type ? '' : what;

function verifyLine(v: VerifyResponse): string[] {
  const m = v.firstMismatch;
  const bad = v.checkpoints.filter((c) => !c.ok);
  return [
    v.log,
    v.size,
    v.ok ? 'INTACT' : 'BROKEN',
    m
      ? `record ${m.sequence}: ${m.reason} ${m.description}`
      : bad.length > 0
        ? bad.map((c) => `checkpoint at ${c.checkpoint?.size}: ${c.problem}`).join('; ')
        : '-',
    `${v.checkpoints.length - bad.length}/${v.checkpoints.length}`,
  ];
}

export const auditCommands: Command[] = [
  {
    path: ['audit', 'trace'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'Who did what, when and why: the audit trace of an item version, a proposal, a cycle or an actor',
    flags: targetFlags,
    examples: ['bps audit trace --item HEA-01 --version 2 --as auditor', 'bps audit trace --proposal <id> --json --as auditor'],
    async run(ctx) {
      const target = targetOf(ctx);
      const { trace, json, provenance } = await traceOf(ctx, target);
      const steps = trace?.steps ?? [];
      ctx.print(json, () =>
        [
          `${steps.length} records for ${targetText(target)} (logs: ${trace?.logs.join(', ') ?? ''})`,
          ...(provenance.length > 0 ? [renderRecord(provenance)] : []),
          renderTable(
            ['#', 'TIME', 'EVENT', 'ACTOR', 'ORG', 'DETAILS', 'WHY'],
            steps.map((s) => [
              s.globalSequence,
              s.time?.toISOString().slice(0, 19).replace('T', ' ') ?? '',
              s.eventType,
              s.actor?.subject ?? '-',
              s.actor?.organisation ?? '-',
              details(s.what, s.eventType),
              s.why,
            ]),
            50,
          ),
        ].join('\n'),
      );
    },
  },
  {
    path: ['audit', 'verify'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'Recompute hash chains and check signed checkpoints: one log, or every log a trace is built from; exits 7 when broken',
    flags: {
      log: { type: 'string', placeholder: 'name', description: '"global" (default), "<kind>:<id>" or "actor:<subject>"' },
      ...targetFlags,
      full: { type: 'boolean', description: 're-hash every entry from the first (default: only those since the last verified checkpoint)' },
    },
    examples: [
      'bps audit verify --as auditor',
      'bps audit verify --full --as auditor',
      'bps audit verify --item HEA-01 --version 2 --as auditor',
      'bps audit verify --log proposal:<id> --json --as auditor',
    ],
    async run(ctx) {
      const log = ctx.flag('log');
      const wantsTarget = ['item', 'proposal', 'cycle', 'actor'].some((f) => ctx.flag(f) !== undefined);
      if (log !== undefined && wantsTarget) throw new UsageError('give either --log or a trace (--item/--proposal/--cycle/--actor), not both');
      const logs = wantsTarget ? ((await traceOf(ctx, targetOf(ctx))).trace?.logs ?? []) : [log ?? 'global'];
      const results: VerifyResponse[] = [];
      for (const name of logs)
        results.push(await ctx.call('audit', (c) => c.verify.bind(c), { log: name, checkpoints: [], full: wantsTarget || ctx.parsed.flags['full'] === true }));
      const broken = results.filter((r) => !r.ok);
      ctx.print({ ok: broken.length === 0, logs: results.map((r) => VerifyResponse.toJSON(r)) }, () =>
        [
          broken.length === 0
            ? `hash chain intact: ${results.length} ${results.length === 1 ? 'log' : 'logs'} verified`
            : `BROKEN: ${broken.map((b) => b.log).join(', ')}`,
          renderTable(['LOG', 'RECORDS', 'CHAIN', 'FIRST PROBLEM', 'CHECKPOINTS OK'], results.map(verifyLine), 70),
        ].join('\n'),
      );
      if (broken.length > 0) throw new CliError(exitCodes.ruleViolated, `the audit trail does not verify: ${broken.map((b) => b.log).join(', ')}`);
    },
  },
  {
    path: ['audit', 'export'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'A trace as a self-verifying JSON document (check it offline with npm run audit:verify -- <file>)',
    flags: { ...targetFlags, out: { type: 'string', placeholder: 'file|-', description: 'write the document here (default: stdout)' } },
    examples: ['bps audit export --proposal <id> --out trace.json --as auditor', 'bps audit export --item HEA-01 --version 2 --as auditor > trace.json'],
    async run(ctx) {
      const target = targetOf(ctx);
      const out = ctx.flag('out');
      const res = await ctx.call('audit', (c) => c.exportTrace.bind(c), { target });
      if (out === undefined || out === '-') {
        // The document itself is the output (already JSON), with or without --json.
        ctx.out(res.document.replace(/\n$/, ''));
        return;
      }
      try {
        writeFileSync(out, res.document);
      } catch (error) {
        throw new CliError(exitCodes.failure, `cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const bytes = Buffer.byteLength(res.document);
      ctx.print(
        { file: out, bytes, sha256: res.sha256 },
        () => `wrote ${out} (${bytes} bytes, sha256 ${res.sha256}) — check it with: npm run audit:verify -- ${out}`,
      );
    },
  },
];

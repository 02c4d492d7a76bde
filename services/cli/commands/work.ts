// bps proposals create|validate|submit|status and bps inbox list|sign
import { readFileSync } from 'node:fs';
import { positionFromJSON, positionToJSON } from '../../../proto/gen/bps/approvals/v1/events';
import { GetApprovalResponse, ListMyOpenStepsResponse, SignOffResponse } from '../../../proto/gen/bps/approvals/v1/inbox';
import { ProposalContent, proposalStateToJSON, type FiscalEstimate } from '../../../proto/gen/bps/proposals/v1/proposal';
import { CreateProposalResponse, GetProposalResponse, SubmitProposalResponse, ValidateProposalResponse } from '../../../proto/gen/bps/proposals/v1/proposals';
import { UsageError } from '../args';
import { CliError, type Command } from '../cli';
import { exitCodes } from '../exit-codes';
import { enumShort, fmtDate } from '../format';
import { renderRecord, renderTable } from '../table';

const positions: Record<string, string> = {
  approve: 'POSITION_APPROVE',
  'no-objection': 'POSITION_NO_OBJECTION',
  object: 'POSITION_OBJECT',
  abstain: 'POSITION_ABSTAIN',
  reject: 'POSITION_REJECT',
  return: 'POSITION_RETURN_FOR_REVISION',
};

export function fen(f: string | undefined): string {
  if (!f || !/^-?\d+$/.test(f)) return '-';
  const neg = f.startsWith('-');
  const d = (neg ? f.slice(1) : f).padStart(3, '0');
  return `${neg ? '-' : ''}${d
    .slice(0, -2)
    .replace(/^0+(?=\d)/, '')
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${d.slice(-2)}`;
}

const estimateLines = (e: FiscalEstimate | undefined): string[] =>
  e
    ? [
        `fiscal estimate (CNY): total ${fen(e.total?.fen)}, central ${fen(e.centralTotal?.fen)}, local ${fen(e.localTotal?.fen)}`,
        ...e.problems.map((p) => `  problem: ${p}`),
      ]
    : [];

function readContent(path: string): ProposalContent {
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
  // Accept either the content itself or { "content": … } as the HTTP API takes it.
  const obj = json as { content?: unknown };
  return ProposalContent.fromJSON(obj && typeof obj === 'object' && 'content' in obj ? obj.content : json);
}

export const workCommands: Command[] = [
  {
    path: ['proposals', 'create'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'Create a draft proposal from ProposalContent JSON (proto JSON, as the HTTP API takes it)',
    flags: { file: { type: 'string', placeholder: 'path|-', description: 'the content JSON (- for stdin)' } },
    examples: ['bps proposals create --file proposal.json --as nhc-staff'],
    async run(ctx) {
      const file = ctx.flag('file');
      if (!file) throw new UsageError('--file is required');
      const res = await ctx.change('proposals', (c) => c.createProposal.bind(c), { content: readContent(file) });
      ctx.print(
        CreateProposalResponse.toJSON(res),
        () =>
          `created ${res.proposal?.proposalId} (revision ${res.proposal?.revision}, ${enumShort(proposalStateToJSON(res.proposal?.state ?? 0), 'PROPOSAL_STATE_')})`,
      );
    },
  },
  {
    path: ['proposals', 'validate'],
    args: '<proposal-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Everything that would stop submission; exits 7 when there are violations',
    async run(ctx) {
      const res = await ctx.call('proposals', (c) => c.validateProposal.bind(c), { proposalId: ctx.arg(0) });
      ctx.print(ValidateProposalResponse.toJSON(res), () =>
        [
          res.ok ? 'valid: ready to submit' : `${res.violations.length} violation(s):`,
          ...res.violations.map((v) => `  - ${v.subject ? `${v.subject}: ` : ''}${v.description} [${v.type}]`),
          ...res.conflicts.map((c) => `  conflict with ${c.proposalId}: ${c.itemCodes.join(', ')}`),
          ...estimateLines(res.fiscalEstimate),
        ].join('\n'),
      );
      if (!res.ok) throw new CliError(exitCodes.ruleViolated, 'the proposal cannot be submitted yet');
    },
  },
  {
    path: ['proposals', 'submit'],
    args: '<proposal-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Submit a draft for approval (expected revision defaults to the current one)',
    flags: { revision: { type: 'string', placeholder: 'n', description: 'the revision you reviewed (409 / exit 8 when stale)' } },
    async run(ctx) {
      const given = ctx.flag('revision');
      let expectedRevision = given === undefined ? 0 : Number(given);
      if (given !== undefined && (!Number.isInteger(expectedRevision) || expectedRevision < 1)) throw new UsageError('--revision must be a positive integer');
      if (!expectedRevision) {
        const { proposal } = await ctx.call('proposals', (c) => c.getProposal.bind(c), { proposalId: ctx.arg(0), revision: 0 });
        expectedRevision = proposal?.currentRevision || proposal?.revision || 1;
      }
      const res = await ctx.change('proposals', (c) => c.submitProposal.bind(c), { proposalId: ctx.arg(0), expectedRevision });
      ctx.print(
        SubmitProposalResponse.toJSON(res),
        () =>
          `submitted ${res.proposal?.proposalId} revision ${expectedRevision}: ${enumShort(proposalStateToJSON(res.proposal?.state ?? 0), 'PROPOSAL_STATE_')}`,
      );
    },
  },
  {
    path: ['proposals', 'status'],
    args: '<proposal-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: "State of a proposal and every review round with each step's position",
    async run(ctx) {
      const { proposal } = await ctx.call('proposals', (c) => c.getProposal.bind(c), { proposalId: ctx.arg(0), revision: 0 });
      const approval =
        proposal && (proposal.workflowId || proposal.round > 0)
          ? await ctx
              .call('approvals', (c) => c.getApproval.bind(c), { proposalId: ctx.arg(0) })
              .then(
                (r) => r.approval,
                () => undefined,
              )
          : undefined;
      ctx.print({ ...(GetProposalResponse.toJSON({ proposal }) as object), ...(approval ? (GetApprovalResponse.toJSON({ approval }) as object) : {}) }, () =>
        [
          renderRecord([
            ['proposal', `${proposal?.proposalId} ${proposal?.content?.title ?? ''}`],
            [
              'state',
              `${enumShort(proposalStateToJSON(proposal?.state ?? 0), 'PROPOSAL_STATE_')} (revision ${proposal?.currentRevision || proposal?.revision}, round ${proposal?.round ?? 0})`,
            ],
            ['lead ministry', proposal?.leadMinistry ?? ''],
            ['items', proposal?.itemCodes.join(', ') ?? ''],
            ['effective from', fmtDate(proposal?.content?.effectiveFrom)],
            ...(approval
              ? [['approval', `${approval.status}${approval.needs.length ? ` — needs: ${approval.needs.join('; ')}` : ''}`] as [string, string]]
              : []),
          ]),
          ...(approval
            ? approval.rounds.map((r) =>
                [
                  `round ${r.round} (revision ${r.proposalRevision})${r.outcome ? `: ${r.outcome}` : ''}`,
                  renderTable(
                    ['STEP', 'STAGE', 'ORG', 'POSITION', 'SIGNED BY', 'COMMENT'],
                    r.steps.map((s) => [
                      s.stepId,
                      s.stageName,
                      s.organisation,
                      s.position ? enumShort(positionToJSON(s.position), 'POSITION_') : s.open ? 'open' : '-',
                      s.signedBy,
                      s.comment,
                    ]),
                  ),
                ].join('\n'),
              )
            : []),
        ].join('\n\n'),
      );
    },
  },
  {
    path: ['inbox', 'list'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'Your open approval steps, soonest due first',
    flags: {
      field: { type: 'string', placeholder: 'code', description: 'only this field' },
      kind: { type: 'string', placeholder: 'AD_HOC|UNIFIED', description: 'only this kind' },
      cycle: { type: 'string', placeholder: 'id', description: 'only this revision cycle' },
      overdue: { type: 'boolean', description: 'only overdue steps' },
    },
    async run(ctx) {
      const res = await ctx.call('approvals', (c) => c.listMyOpenSteps.bind(c), {
        fieldCode: ctx.flag('field') ?? '',
        kind: ctx.flag('kind') ?? '',
        cycleId: ctx.flag('cycle') ?? '',
        dueBefore: undefined,
        overdueOnly: ctx.parsed.flags['overdue'] === true,
      });
      const items = [...res.items].sort((a, b) => (a.step?.dueAt?.getTime() ?? Infinity) - (b.step?.dueAt?.getTime() ?? Infinity));
      ctx.print(ListMyOpenStepsResponse.toJSON({ items }), () =>
        items.length === 0
          ? 'no open steps'
          : renderTable(
              ['PROPOSAL', 'STEP', 'STAGE', 'DUE', 'FLAGS', 'TITLE'],
              items.map((i) => [
                i.proposal?.proposalId ?? '',
                i.step?.stepId ?? '',
                `${i.step?.stageName} ${i.step?.label}`,
                i.step?.dueAt?.toISOString().slice(0, 16) ?? '',
                [i.overdue ? 'OVERDUE' : '', i.escalation || i.step?.escalated ? 'ESCALATED' : '', i.step?.claimedBy ? `claimed:${i.step.claimedBy}` : '']
                  .filter(Boolean)
                  .join(' '),
                i.proposal?.title ?? '',
              ]),
            ),
      );
    },
  },
  {
    path: ['inbox', 'sign'],
    args: '<proposal-id> <step-id>',
    minArgs: 2,
    maxArgs: 2,
    summary: 'Sign a step: --position approve|no-objection|object|abstain|reject|return (comment required for object, reject, return)',
    flags: {
      position: { type: 'string', placeholder: 'position', description: Object.keys(positions).join('|') },
      comment: { type: 'string', placeholder: 'text', description: 'your comment (the reason, for object/reject/return)' },
    },
    examples: ['bps inbox sign P-123 countersign-mof --position approve --as mof-approver'],
    async run(ctx) {
      const position = positions[ctx.flag('position') ?? ''];
      if (!position) throw new UsageError(`--position must be one of ${Object.keys(positions).join(', ')}`);
      const res = await ctx.change('approvals', (c) => c.signOff.bind(c), {
        proposalId: ctx.arg(0),
        stepId: ctx.arg(1),
        position: positionFromJSON(position),
        comment: ctx.flag('comment') ?? '',
      });
      ctx.print(
        SignOffResponse.toJSON(res),
        () =>
          `signed ${ctx.arg(1)} (${ctx.flag('position')}); approval ${res.approval?.status}${res.approval?.needs.length ? ` — needs: ${res.approval.needs.join('; ')}` : ''}`,
      );
    },
  },
];

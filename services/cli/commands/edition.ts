// bps edition validate | import: an official edition of the standard from a CSV, XLSX or JSON file (issue #17).
// `validate` reads and checks every row offline (no token, no service); with --diff it also asks the registry for the
// standard in force and prints what the edition would add and change. `import` drafts the adjustment proposal that
// carries the edition (a change: it carries the run's idempotency key and is retried as such); it is published only
// when that proposal's approval chain completes.
import { readFileSync } from 'node:fs';
import { Proposal } from '../../../proto/gen/bps/proposals/v1/proposal';
import { FailedPreconditionError, ValidationError } from '../../shared/errors/errors';
import type { RowProblem } from '../../shared/standards/edition';
import { editionFormats, formatOfName, readEdition, type EditionFormat } from '../../shared/standards/edition-file';
import { importEdition, validateEdition, type EditionPorts, type EditionReport } from '../../shared/standards/edition-import';
import { UsageError } from '../args';
import { CliError, type CliContext, type Command } from '../cli';
import { exitCodes } from '../exit-codes';
import { parseDateArg } from '../format';
import { renderTable } from '../table';

const formatFlag = { type: 'string', placeholder: 'csv|xlsx|json', description: 'file format (default: from the file name)' } as const;

function fileOf(ctx: CliContext): { bytes: Uint8Array; format: EditionFormat } {
  const path = ctx.arg(0);
  const named = ctx.flag('format');
  const format = named ? editionFormats.find((f) => f === named) : formatOfName(path);
  if (!format)
    throw new UsageError(named ? `--format must be one of ${editionFormats.join(', ')}` : `cannot tell the format of "${path}": pass --format csv|xlsx|json`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(exitCodes.usage, `cannot read ${path}: ${(error as Error).message}`);
  }
  return { bytes, format };
}

function ports(ctx: CliContext): EditionPorts {
  return {
    listItems: () => ctx.call('registry', (c) => c.listItems.bind(c), { asOf: undefined, fieldCode: '', categoryCode: '', provinceCode: '' }),
    getTaxonomy: () => ctx.call('registry', (c) => c.getTaxonomy.bind(c), { asOf: undefined }),
  };
}

function problemTable(problems: readonly RowProblem[]): string {
  return renderTable(
    ['row', 'column', 'problem'],
    problems.map((p) => [String(p.row), p.column, p.message]),
    200,
  );
}

function diffText(report: Omit<EditionReport, 'problems'>): string[] {
  const d = report.diff;
  if (!d) return [];
  return [
    `added ${d.added.length}, modified ${d.modified.length}, unchanged ${d.unchanged.length}, in force but not in the file ${d.notInEdition.length}`,
    ...d.added.map((a) => `  + ${a.itemCode} ${a.name} (row ${a.row}; lead unit ${a.leadUnit || 'not stated'})`),
    ...d.modified.map(
      (m) => `  ~ ${m.itemCode} ${m.name} v${m.baseVersion}: ${m.attributes.join(', ')} (row ${m.row}; lead unit ${m.leadUnit || 'not stated'})`,
    ),
  ];
}

export const editionCommands: Command[] = [
  {
    path: ['edition', 'validate'],
    args: '<file>',
    minArgs: 1,
    maxArgs: 1,
    auth: false,
    summary: 'Checks every row of an edition file (CSV, XLSX or JSON); with --diff, compares it with the standard in force',
    flags: { format: formatFlag, diff: { type: 'boolean', description: 'also compare with the standard in force (asks the registry; needs a token)' } },
    examples: ['bps edition validate infra/templates/edition-template.csv', 'bps edition validate edition.xlsx --diff --as nhc-staff'],
    async run(ctx) {
      const { bytes, format } = fileOf(ctx);
      const report: EditionReport =
        ctx.parsed.flags['diff'] === true
          ? await validateEdition(bytes, format, ports(ctx)).then(({ changes: _c, ...r }) => r)
          : await readEdition(bytes, format).then((r) => ({ ok: r.problems.length === 0, rows: r.rows.length, problems: r.problems, digest: '' }));
      ctx.print(report, () =>
        [
          report.ok ? `ok: ${report.rows} row(s), no problems` : `${report.problems.length} problem(s) in ${report.rows} row(s):`,
          ...(report.ok ? [] : [problemTable(report.problems)]),
          ...diffText(report),
        ].join('\n'),
      );
      if (!report.ok) throw new CliError(exitCodes.invalidInput, `the edition has ${report.problems.length} problem(s)`);
    },
  },
  {
    path: ['edition', 'import'],
    args: '<file>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Drafts the adjustment proposal that carries an edition (published only when its approval completes)',
    flags: {
      format: formatFlag,
      'document-number': { type: 'string', placeholder: '文号', description: 'document number of the edition (required)' },
      date: { type: 'string', placeholder: 'YYYY-MM-DD', description: 'date of the edition document (required)' },
      'effective-from': { type: 'string', placeholder: 'YYYY-MM-DD', description: 'date the edition takes effect (default: --date)' },
      title: { type: 'string', placeholder: 'text', description: 'title of the edition (default: 国家基本公共服务标准)' },
      uri: { type: 'string', placeholder: 'uri', description: 'where the edition document can be read' },
      cycle: { type: 'string', placeholder: 'cycle-id', description: 'enter this unified revision cycle (default: an ad-hoc revision)' },
      'lead-unit': { type: 'string', placeholder: 'code', description: 'carry only the changes of items this unit leads (e.g. NHC)' },
      field: { type: 'string', placeholder: 'code', description: 'carry only the changes of items in this field (e.g. F21-HEALTH)' },
    },
    examples: [
      'bps edition import edition.csv --document-number "（测试）发改社会〔2099〕1号" --date 2099-01-01 --as nhc-staff',
      'bps edition import edition.xlsx --document-number … --date … --lead-unit NHC --field F21-HEALTH --as nhc-staff',
    ],
    async run(ctx) {
      const { bytes, format } = fileOf(ctx);
      const documentNumber = ctx.flag('document-number')?.trim();
      const date = ctx.flag('date');
      if (!documentNumber) throw new UsageError('--document-number is required');
      if (!date) throw new UsageError('--date is required');
      const effective = ctx.flag('effective-from');
      const title = ctx.flag('title');
      const uri = ctx.flag('uri');
      const cycle = ctx.flag('cycle');
      try {
        const leadUnit = ctx.flag('lead-unit');
        const field = ctx.flag('field');
        const { report, proposal, outOfScope } = await importEdition(
          bytes,
          format,
          {
            documentNumber,
            documentDate: parseDateArg(date, '--date'),
            ...(effective ? { effectiveFrom: parseDateArg(effective, '--effective-from') } : {}),
            ...(title ? { title } : {}),
            ...(uri ? { documentUri: uri } : {}),
            ...(cycle ? { cycleId: cycle } : {}),
          },
          {
            ...ports(ctx),
            createProposal: async (content, requestId) => (await ctx.change('proposals', (c) => c.createProposal.bind(c), { content, requestId })).proposal,
          },
          { ...(leadUnit ? { leadUnit } : {}), ...(field ? { fieldCode: field } : {}) },
        );
        ctx.print({ report, proposal: Proposal.toJSON(proposal), outOfScope }, () =>
          [
            `drafted ${proposal.proposalId} (revision ${proposal.revision}) from ${report.rows} row(s)`,
            ...diffText(report),
            ...(outOfScope.length > 0
              ? [
                  `not carried (other lead units or fields): ${outOfScope.map((e) => `${e.itemCode} (${e.leadUnit || 'no lead unit'}, ${e.fieldCode})`).join(', ')}`,
                ]
              : []),
            'it is published only when its approval completes',
          ].join('\n'),
        );
      } catch (error) {
        if (error instanceof ValidationError)
          throw new CliError(
            exitCodes.invalidInput,
            error.message,
            error.violations.map((v) => `${v.field}: ${v.description}`),
          );
        if (error instanceof FailedPreconditionError) throw new CliError(exitCodes.ruleViolated, error.message);
        throw error;
      }
    },
  },
];

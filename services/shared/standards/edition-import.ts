// Edition import as a use case (issue #17), shared by the gateway's /api/v1/editions routes and the `bps edition`
// commands: read the file, check every row, compare it with the standard in force and — for an import — draft an
// adjustment proposal carrying the edition's item changes, with the edition's document number and date as its basis.
// Nothing is published here: the draft goes through the normal approval chain (countersign, final approval) and the
// registry publishes the new versions only when the final approval is given.
import { createHash } from 'node:crypto';
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';
import type { GetTaxonomyResponse, ListItemsResponse } from '../../../proto/gen/bps/registry/v1/registry';
import { AdHocTrigger, ProposalContent, ProposalKind, type Proposal } from '../../../proto/gen/bps/proposals/v1/proposal';
import { FailedPreconditionError, ValidationError } from '../errors/errors';
import { checkAgainstStandard, editionDiff, sortProblems, type EditionDiff, type RowProblem, type StandardInForce } from './edition';
import { readEdition, type EditionFormat } from './edition-file';

export type EditionPorts = {
  readonly listItems: () => Promise<ListItemsResponse>;
  readonly getTaxonomy: () => Promise<GetTaxonomyResponse>;
};

export type EditionBasis = {
  /** 文号, e.g. "发改社会〔2021〕443号". */
  readonly documentNumber: string;
  /** The edition's date (印发日期). */
  readonly documentDate: DateMessage;
  readonly title?: string;
  /** Where the edition document can be read; default: a URN naming the file's digest. */
  readonly documentUri?: string;
  /** Default: the edition's date. */
  readonly effectiveFrom?: DateMessage;
  /** A unified revision cycle to enter (集中统一调整); without it the import is an ad-hoc revision on a central decision. */
  readonly cycleId?: string;
};

/**
 * The part of an edition one proposal carries. A whole edition spans several fields and lead units, while a proposal
 * is drafted by the lead unit of every item it changes and an ad-hoc revision adjusts one field: each lead unit
 * imports its part (per field), the same file each time; the rest is reported as out of scope, not dropped silently.
 */
export type EditionScope = { readonly leadUnit?: string; readonly fieldCode?: string };

type ChangedEntry = { readonly row: number; readonly itemCode: string; readonly leadUnit: string; readonly fieldCode: string };
const inScope = (scope: EditionScope, e: ChangedEntry): boolean =>
  (!scope.leadUnit || e.leadUnit === scope.leadUnit) && (!scope.fieldCode || e.fieldCode === scope.fieldCode);

export type EditionReport = {
  readonly ok: boolean;
  readonly rows: number;
  readonly problems: readonly RowProblem[];
  readonly digest: string;
  /** Absent when the rows could not be compared (the file's own problems come first). */
  readonly diff?: Omit<EditionDiff, 'changes'>;
};

export function standardInForce(list: ListItemsResponse, taxonomy: GetTaxonomyResponse): StandardInForce {
  return {
    items: list.items.map((v) => ({
      item: v.item!,
      version: v.version,
      retired: v.retired,
      fieldCode: v.placement?.fieldCode || v.item?.fieldCode || '',
      categoryCode: v.placement?.categoryCode || v.item?.categoryCode || '',
    })),
    fields: taxonomy.fields.map((f) => ({ code: f.code, categories: f.categories.map((c) => c.code) })),
  };
}

/** The row report and, when every row reads, the diff against the standard in force. */
export async function validateEdition(
  bytes: Uint8Array,
  format: EditionFormat,
  ports: EditionPorts,
): Promise<EditionReport & { changes: EditionDiff['changes'] }> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  const read = await readEdition(bytes, format);
  if (read.problems.length > 0) return { ok: false, rows: read.rows.length, problems: read.problems, digest, changes: [] };
  const [list, taxonomy] = await Promise.all([ports.listItems(), ports.getTaxonomy()]);
  const current = standardInForce(list, taxonomy);
  const problems = sortProblems(checkAgainstStandard(read.rows, current));
  const { changes, ...diff } = editionDiff(read.rows, current);
  return { ok: problems.length === 0, rows: read.rows.length, problems, digest, diff, changes: problems.length === 0 ? changes : [] };
}

const pad = (n: number) => String(n).padStart(2, '0');
export const dateText = (d: DateMessage): string => `${d.year}-${pad(d.month)}-${pad(d.day)}`;

/** The proposal content an edition becomes (its item changes, its document as the basis). */
export function editionProposal(basis: EditionBasis, digest: string, changes: EditionDiff['changes']): ProposalContent {
  const documentTitle = `${basis.title?.trim() || '国家基本公共服务标准'}（${basis.documentNumber}，${dateText(basis.documentDate)}）`;
  const document = {
    title: documentTitle,
    uri: basis.documentUri?.trim() || `urn:bps:edition:sha256:${digest}`,
    digest,
    digestAlgorithm: 'sha256',
  };
  return ProposalContent.fromPartial({
    title: `导入${documentTitle}`,
    ...(basis.cycleId
      ? { kind: ProposalKind.PROPOSAL_KIND_UNIFIED, cycleId: basis.cycleId }
      : { kind: ProposalKind.PROPOSAL_KIND_AD_HOC, trigger: AdHocTrigger.AD_HOC_TRIGGER_CENTRAL_DECISION, triggerDocument: document }),
    changes: [...changes],
    evidence: [document],
    effectiveFrom: basis.effectiveFrom ?? basis.documentDate,
  });
}

/**
 * Imports an edition: a file with any row problem is INVALID_ARGUMENT (one field violation per problem, named
 * rows[N].column) and creates nothing; an edition that changes nothing is FAILED_PRECONDITION; otherwise the draft
 * proposal is created through `createProposal` (the proposals service's own rules apply: who may draft, for which items).
 */
export async function importEdition(
  bytes: Uint8Array,
  format: EditionFormat,
  basis: EditionBasis,
  ports: EditionPorts & { readonly createProposal: (content: ProposalContent, requestId: string) => Promise<Proposal | undefined> },
  scope: EditionScope = {},
): Promise<{ report: EditionReport; proposal: Proposal; outOfScope: readonly ChangedEntry[] }> {
  const { changes: all, ...report } = await validateEdition(bytes, format, ports);
  if (!report.ok) {
    throw new ValidationError(
      report.problems.map((p) => ({ field: `rows[${p.row}]${p.column ? `.${p.column}` : ''}`, description: p.message })),
      `the edition has ${report.problems.length} problem(s); nothing was imported`,
    );
  }
  const changed: ChangedEntry[] = [...(report.diff?.added ?? []), ...(report.diff?.modified ?? [])];
  const kept = new Set(changed.filter((e) => inScope(scope, e)).map((e) => `r${e.row}`));
  const changes = all.filter((c) => kept.has(c.changeId));
  const outOfScope = changed.filter((e) => !inScope(scope, e)).sort((a, b) => a.row - b.row);
  if (changes.length === 0) {
    const violation =
      all.length === 0
        ? { type: 'NO_CHANGE', subject: basis.documentNumber, description: 'every row equals the item in force' }
        : {
            type: 'NO_CHANGE',
            subject: JSON.stringify(scope),
            description: `the changes are of other lead units or fields: ${outOfScope.map((e) => e.itemCode).join(', ')}`,
          };
    throw new FailedPreconditionError(
      all.length === 0 ? 'the edition states the standard in force as it is: nothing to propose' : 'the edition changes nothing within the scope asked for',
      [violation],
    );
  }
  // The same file with the same basis and scope is one import: a retry returns the draft the first call created.
  const requestId = `edition-${createHash('sha256')
    .update(JSON.stringify([report.digest, basis, scope]))
    .digest('hex')
    .slice(0, 40)}`;
  const proposal = await ports.createProposal(editionProposal(basis, report.digest, changes), requestId);
  if (!proposal) throw new Error('the proposals service returned no proposal');
  return { report, proposal, outOfScope };
}

// bps standards get | as-of | diff | history | releases | errata | correct | approve-erratum
import { expenditureKindToJSON, paymentCategoryToJSON } from '../../../proto/gen/bps/common/v1/common';
import {
  ApproveErratumResponse,
  CorrectItemVersionResponse,
  DiffStandardsResponse,
  GetItemHistoryResponse,
  GetItemResponse,
  ListErrataResponse,
  ListItemsResponse,
  ListReleasesResponse,
  type DiffStandardsRequest,
} from '../../../proto/gen/bps/registry/v1/registry';
import type { Erratum } from '../../../proto/gen/bps/standards/v1/events';
import { UsageError } from '../args';
import { releaseKindToJSON } from '../../../proto/gen/bps/standards/v1/changes';
import { changeTypeToJSON } from '../../../proto/gen/bps/standards/v1/events';
import { metricLevelText } from '../../shared/standards/units';
import type { Command } from '../cli';
import { enumShort, fmtDate, fmtMetric, fmtPlacement, fmtStated, isDate, parseDateArg } from '../format';
import { renderRecord, renderTable } from '../table';

const province = { type: 'string', placeholder: 'code', description: 'GB/T 2260 province code (e.g. 110000): include its filed value' } as const;

export const standardsCommands: Command[] = [
  {
    path: ['standards', 'get'],
    args: '<item-code>',
    minArgs: 1,
    maxArgs: 1,
    summary: "One service item as in force on a date: its six attributes (and a province's filed value)",
    flags: { date: { type: 'string', placeholder: 'YYYY-MM-DD', description: 'date in force (default: today, Asia/Shanghai)' }, province },
    examples: ['bps standards get INS-05', 'bps standards get INS-05 --date 2018-01-01 --province 110000 --json'],
    async run(ctx) {
      const date = ctx.flag('date');
      const res = await ctx.call('registry', (c) => c.getItem.bind(c), {
        itemCode: ctx.arg(0),
        asOf: date ? { date: parseDateArg(date, '--date'), knownAt: undefined } : undefined,
        provinceCode: ctx.flag('province') ?? '',
      });
      ctx.print(GetItemResponse.toJSON(res), () => {
        const v = res.national;
        const it = v?.item;
        if (!v || !it) return '(no version)';
        const er = it.expenditureResponsibility;
        const lines: [string, string][] = [
          ['item', `${it.itemCode} ${it.name}`],
          ['version', `v${v.version} (${fmtDate(v.effectiveFrom)} – ${fmtDate(v.effectiveTo) || 'in force'})${v.retired ? ' RETIRED' : ''}`],
          ['release', v.releaseId],
          ['field / category', fmtPlacement(v)],
          ['service target', fmtStated(it.serviceTarget)],
          ['service content', fmtStated(it.serviceContent)],
          [
            'quality standard',
            it.qualityStandard?.stated ? [it.qualityStandard.text, ...it.qualityStandard.metrics.map(fmtMetric)].filter(Boolean).join(' | ') : '(not stated)',
          ],
          ['payment category', enumShort(paymentCategoryToJSON(it.paymentCategory), 'PAYMENT_CATEGORY_')],
          ['expenditure', er ? `${enumShort(expenditureKindToJSON(er.kind), 'EXPENDITURE_KIND_')}${er.text ? ` ${er.text}` : ''}` : '(not stated)'],
          ['lead unit', it.leadUnit?.name ? `${it.leadUnit.name}${it.leadUnitStated ? '' : ' (attributed)'}` : '(not stated)'],
          ['proposals', v.provenance?.proposalIds.join(', ') || '(baseline)'],
        ];
        if (res.provincial) {
          lines.push([
            'province',
            `${res.provincial.provinceCode} filing ${res.provincial.filingId}: ${res.provincial.compliant ? 'compliant' : 'BELOW NATIONAL FLOOR'}${res.provincial.exceedsNationalLevel ? ' (exceeds national level)' : ''}`,
          ]);
          for (const c of res.provincial.comparisons)
            lines.push([
              '',
              `${c.label || c.metric}: national ${metricLevelText('en', { value: c.nationalValue, unit: c.unit, basis: c.basis })} / local ${metricLevelText('en', { value: c.localValue, unit: c.unit, basis: '' })}`,
            ]);
        } else if (ctx.flag('province')) {
          lines.push(['province', `${ctx.flag('province')}: not filed`]);
        }
        return renderRecord(lines);
      });
    },
  },
  {
    path: ['standards', 'as-of'],
    args: '[<date>]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'The catalogue in force on a date (default today), optionally one field or category',
    flags: {
      field: { type: 'string', placeholder: 'code', description: 'only this field' },
      category: { type: 'string', placeholder: 'code', description: 'only this category' },
    },
    examples: ['bps standards as-of 2018-01-01', 'bps standards as-of 2018-01-01 --field F17-HEA --json', 'bps standards as-of --field F21-HEALTH'],
    async run(ctx) {
      const date = ctx.arg(0);
      const res = await ctx.call('registry', (c) => c.listItems.bind(c), {
        asOf: date ? { date: parseDateArg(date, '<date>'), knownAt: undefined } : undefined,
        fieldCode: ctx.flag('field') ?? '',
        categoryCode: ctx.flag('category') ?? '',
        provinceCode: '',
      });
      ctx.print(ListItemsResponse.toJSON(res), () =>
        [
          `${res.items.length} items in force on ${fmtDate(res.asOfDate)}`,
          renderTable(
            ['CODE', 'NAME', 'FIELD', 'VER', 'FROM', 'QUALITY STANDARD'],
            res.items.map((v) => [
              v.item?.itemCode ?? '',
              v.item?.name ?? '',
              v.placement?.fieldName || (v.item?.fieldCode ?? ''),
              `v${v.version}`,
              fmtDate(v.effectiveFrom),
              v.item?.qualityStandard?.stated ? v.item.qualityStandard.metrics.map(fmtMetric).join('; ') || v.item.qualityStandard.text : '-',
            ]),
          ),
        ].join('\n'),
      );
    },
  },
  {
    path: ['standards', 'diff'],
    args: '<from> <to>',
    minArgs: 2,
    maxArgs: 2,
    summary: 'What changed between two dates (YYYY-MM-DD) or two release ids',
    flags: { field: { type: 'string', placeholder: 'code', description: 'only this field' } },
    examples: ['bps standards diff 2018-01-01 2027-01-01', 'bps standards diff 2017-national-list <release-id> --json'],
    async run(ctx) {
      const side = (v: string, name: string) => (isDate(v) ? { date: parseDateArg(v, name) } : { release: v });
      const from = side(ctx.arg(0), '<from>');
      const to = side(ctx.arg(1), '<to>');
      const request: DiffStandardsRequest = {
        from: from.date ? { $case: 'fromDate', fromDate: from.date } : { $case: 'fromReleaseId', fromReleaseId: from.release ?? '' },
        to: to.date ? { $case: 'toDate', toDate: to.date } : { $case: 'toReleaseId', toReleaseId: to.release ?? '' },
        fieldCode: ctx.flag('field') ?? '',
      };
      const res = await ctx.call('registry', (c) => c.diffStandards.bind(c), request);
      ctx.print(DiffStandardsResponse.toJSON(res), () =>
        [
          `${res.items.length} items changed between ${fmtDate(res.fromDate)} and ${fmtDate(res.toDate)}`,
          ...(res.items.length === 0
            ? []
            : [
                renderTable(
                  ['CODE', 'NAME', 'CHANGE', 'VERSIONS', 'ATTRIBUTE', 'BEFORE', 'AFTER'],
                  res.items.flatMap((d) => {
                    const changes = d.changes.length > 0 ? d.changes : [{ attribute: '', before: '', after: '' }];
                    return changes.map((c, i) => [
                      i === 0 ? d.itemCode : '',
                      i === 0 ? d.name : '',
                      i === 0 ? enumShort(changeTypeToJSON(d.changeType), 'CHANGE_TYPE_') : '',
                      i === 0 ? `v${d.fromVersion || '-'} -> v${d.toVersion || '-'}` : '',
                      c.attribute,
                      c.before,
                      c.after,
                    ]);
                  }),
                  40,
                ),
              ]),
        ].join('\n'),
      );
    },
  },
  {
    path: ['standards', 'history'],
    args: '<item-code>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Every version of an item with the proposal and workflow behind it',
    async run(ctx) {
      const res = await ctx.call('registry', (c) => c.getItemHistory.bind(c), { itemCode: ctx.arg(0), includeCorrections: true });
      ctx.print(GetItemHistoryResponse.toJSON(res), () =>
        renderTable(
          ['VER', 'FROM', 'TO', 'RELEASE', 'PROPOSALS', 'WORKFLOW', 'QUALITY STANDARD', 'ERRATUM'],
          res.versions.map((v) => [
            `v${v.version}${v.correctionOf ? ' (corr.)' : ''}`,
            fmtDate(v.effectiveFrom),
            fmtDate(v.effectiveTo),
            v.releaseId,
            v.provenance?.proposalIds.join(',') || '-',
            v.provenance?.workflowId || '-',
            v.item?.qualityStandard?.metrics.map(fmtMetric).join('; ') || '-',
            v.correctionOf && v.errata.length > 0 ? erratumWho(v.errata[v.errata.length - 1]!) : '-',
          ]),
        ),
      );
    },
  },
  {
    path: ['standards', 'releases'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'Published editions and amendments',
    async run(ctx) {
      const res = await ctx.call('registry', (c) => c.listReleases.bind(c), {});
      ctx.print(ListReleasesResponse.toJSON(res), () =>
        renderTable(
          ['RELEASE', 'KIND', 'EFFECTIVE', 'ITEMS', 'TITLE'],
          res.releases.map((r) => [
            r.releaseId,
            enumShort(releaseKindToJSON(r.kind), 'RELEASE_KIND_'),
            fmtDate(r.effectiveFrom),
            String(r.itemVersions.length),
            r.title,
          ]),
        ),
      );
    },
  },
  {
    path: ['standards', 'errata'],
    args: '<item-code>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Errata of an item (proposed and approved): the wording before and after, who proposed and who approved',
    async run(ctx) {
      const res = await ctx.call('registry', (c) => c.listErrata.bind(c), { itemCode: ctx.arg(0) });
      ctx.print(ListErrataResponse.toJSON(res), () =>
        renderTable(
          ['ERRATUM', 'VER', 'STATUS', 'FIELD', 'BEFORE', 'AFTER', 'WHO', 'REASON'],
          res.errata.flatMap((e) =>
            e.changes.map((c, i) => [
              i === 0 ? e.erratumId : '',
              i === 0 ? `v${e.version}` : '',
              i === 0 ? e.status : '',
              c.field,
              c.before,
              c.after,
              i === 0 ? erratumWho(e) : '',
              i === 0 ? e.reason : '',
            ]),
          ),
          40,
        ),
      );
    },
  },
  {
    path: ['standards', 'correct'],
    args: '<item-code> <version>',
    minArgs: 2,
    maxArgs: 2,
    summary: 'Propose an erratum of a version: wording only (name, service target/content text); in effect once a second person approves it',
    flags: {
      name: { type: 'string', placeholder: 'text', description: 'corrected item name' },
      target: { type: 'string', placeholder: 'text', description: 'corrected service target wording' },
      content: { type: 'string', placeholder: 'text', description: 'corrected service content wording' },
      reason: { type: 'string', placeholder: 'text', description: 'why (required)' },
    },
    examples: ['bps standards correct EDU-05 1 --content "……" --reason "错字更正"', 'bps standards approve-erratum EDU-05 1 <erratum-id>'],
    async run(ctx) {
      const version = Number(ctx.arg(1));
      if (!Number.isInteger(version) || version < 1) throw new UsageError('<version> must be a version number (1, 2, …)');
      const reason = ctx.flag('reason');
      if (!reason) throw new UsageError('--reason is required');
      const name = ctx.flag('name');
      const target = ctx.flag('target');
      const content = ctx.flag('content');
      if (name === undefined && target === undefined && content === undefined) throw new UsageError('give at least one of --name, --target, --content');
      // The erratum is proposed against the version's latest record: the wording given replaces its text, nothing else.
      const history = await ctx.call('registry', (c) => c.getItemHistory.bind(c), { itemCode: ctx.arg(0), includeCorrections: true });
      const latest = history.versions.filter((v) => v.version === version).at(-1)?.item;
      if (!latest) throw new UsageError(`${ctx.arg(0)} has no version ${version}`);
      const item = {
        ...latest,
        ...(name !== undefined ? { name } : {}),
        ...(target !== undefined ? { serviceTarget: { stated: latest.serviceTarget?.stated ?? false, text: target } } : {}),
        ...(content !== undefined ? { serviceContent: { stated: latest.serviceContent?.stated ?? false, text: content } } : {}),
      };
      const res = await ctx.change('registry', (c) => c.correctItemVersion.bind(c), { itemCode: ctx.arg(0), version, item, reason });
      ctx.print(
        CorrectItemVersionResponse.toJSON(res),
        () =>
          `erratum ${res.erratum?.erratumId ?? ''} proposed; in effect once a second person approves it (bps standards approve-erratum ${ctx.arg(0)} ${version} ${res.erratum?.erratumId ?? ''})`,
      );
    },
  },
  {
    path: ['standards', 'approve-erratum'],
    args: '<item-code> <version> <erratum-id>',
    minArgs: 3,
    maxArgs: 3,
    summary: "Approve an erratum proposed by someone else (an approver of the item's lead unit or the final approver): the corrected wording takes effect",
    async run(ctx) {
      const version = Number(ctx.arg(1));
      if (!Number.isInteger(version) || version < 1) throw new UsageError('<version> must be a version number (1, 2, …)');
      const res = await ctx.change('registry', (c) => c.approveErratum.bind(c), { itemCode: ctx.arg(0), version, erratumId: ctx.arg(2) });
      ctx.print(
        ApproveErratumResponse.toJSON(res),
        () =>
          `erratum ${res.erratum?.erratumId ?? ''} approved: ${res.corrected?.item?.itemCode ?? ''} v${res.corrected?.version ?? ''} now reads as corrected (${res.erratum ? erratumWho(res.erratum) : ''})`,
      );
    },
  },
];

function erratumWho(e: Erratum): string {
  return `proposed by ${e.proposedBy?.subject ?? '?'}${e.approvedBy ? `, approved by ${e.approvedBy.subject}` : ', awaiting approval'}`;
}

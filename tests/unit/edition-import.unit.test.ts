// Edition import (issue #17): the row parser and validator, the diff against the standard in force and the proposal
// an edition becomes. All rows here are made-up test data (marked 测试), not official values.
import { describe, expect, it } from 'vitest';
import { Comparator, ExpenditureKind, OrganisationKind, PaymentCategory, RegionTier, ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { AdHocTrigger, ProposalKind, type ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { FailedPreconditionError, ValidationError } from '../../services/shared/errors/errors';
import {
  checkAgainstStandard,
  editionColumns,
  editionDiff,
  editionRowOf,
  parseEditionJson,
  parseEditionTable,
  type StandardInForce,
} from '../../services/shared/standards/edition';
import { editionXlsx, readEdition, templateHeader } from '../../services/shared/standards/edition-file';
import { editionProposal, importEdition } from '../../services/shared/standards/edition-import';

const inForceItem = ServiceItem.fromPartial({
  itemCode: 'TST-01',
  name: '测试服务项目一',
  fieldCode: 'F17-TST',
  categoryCode: '',
  serviceTarget: { stated: true, text: '测试对象' },
  serviceContent: { stated: true, text: '测试内容' },
  qualityStandard: {
    stated: true,
    text: '测试经费补助标准',
    metrics: [
      {
        metric: 'funding_per_capita',
        label: '人均经费（测试）',
        comparator: Comparator.COMPARATOR_GTE,
        value: '10',
        unit: 'CNY',
        basis: 'per_person_per_year',
      },
    ],
  },
  paymentCategory: PaymentCategory.PAYMENT_CATEGORY_FREE_SERVICE,
  expenditureResponsibility: {
    kind: ExpenditureKind.EXPENDITURE_KIND_SHARED,
    text: '测试分担',
    centralShares: [{ regionTier: RegionTier.REGION_TIER_WEST, percent: '80' }],
  },
  leadUnit: { code: 'NHC', name: '国家卫生健康委', kind: OrganisationKind.ORGANISATION_KIND_MINISTRY },
  leadUnitStated: false,
});
const current: StandardInForce = {
  items: [{ item: inForceItem, version: 3, retired: false, fieldCode: 'F21-TEST', categoryCode: 'C21-TEST' }],
  fields: [{ code: 'F21-TEST', categories: ['C21-TEST'] }],
};
const header = templateHeader();
const rowOf = (cells: Partial<Record<(typeof editionColumns)[number]['key'], string>>): string[] =>
  editionColumns.map((c) => cells[c.key] ?? editionRowOf(inForceItem, 'F21-TEST', 'C21-TEST')[c.key]);
const csv = (rows: string[][]): Uint8Array =>
  Buffer.from(`\uFEFF${[header, ...rows].map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n')}\r\n`);

describe('edition rows', () => {
  it('reads a bilingual header (Chinese, English or both) and keeps the file’s row numbers', () => {
    const { rows, problems } = parseEditionTable([
      ['编号', 'name', '领域代码 field_code', 'lead_unit'],
      ['TST-01', '测试服务项目一', 'F21-TEST', 'NHC'],
      ['', '', '', ''],
      ['TST-02', '测试服务项目二', 'F21-TEST', ''],
    ]);
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.row, r.cells.item_code, r.cells.lead_unit])).toEqual([
      [2, 'TST-01', 'NHC'],
      [4, 'TST-02', ''],
    ]);
  });

  it('names the row and the column of every problem', () => {
    const { problems } = parseEditionTable([
      header,
      rowOf({ payment_category: '随便' }),
      rowOf({ item_code: 'TST-02', quality_metrics: 'funding_per_capita 很多' }),
      rowOf({ item_code: 'TST-03', name: '', central_shares: 'NORTH=50' }),
      rowOf({ item_code: 'TST-02' }),
    ]);
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [2, 'payment_category'],
      [3, 'quality_metrics'],
      [4, 'name'],
      [4, 'central_shares'],
      [5, 'item_code'],
    ]);
    expect(problems.at(-1)!.message).toContain('already stated on row 3');
  });

  it('refuses a file without the required columns, and unknown columns', () => {
    const { rows, problems } = parseEditionTable([
      ['编号', '备注'],
      ['TST-01', 'x'],
    ]);
    expect(rows).toEqual([]);
    expect(problems.map((p) => p.column)).toEqual(expect.arrayContaining(['备注', 'name', 'field_code']));
  });

  it('reads JSON with column keys or Chinese names; rows are the 1-based positions', () => {
    const { rows, problems } = parseEditionJson({
      items: [
        { item_code: 'TST-01', 服务项目: '测试', field_code: 'F21-TEST' },
        { item_code: 'TST-02', name: 1, field_code: [] },
      ],
    });
    expect(rows[0]!.cells.name).toBe('测试');
    expect(problems).toEqual([
      { row: 2, column: 'field_code', message: 'must be text' },
      { row: 2, column: 'field_code', message: '领域代码 is required' },
    ]);
  });
});

describe('an edition against the standard in force', () => {
  it('the standard in force exported as rows changes nothing', () => {
    const { rows } = parseEditionTable([header, rowOf({})]);
    const diff = editionDiff(rows, current);
    expect(diff.changes).toEqual([]);
    expect(diff.unchanged).toEqual(['TST-01']);
  });

  it('a changed attribute is a modify change on the version in force; a new code is an added item; the attribution of the lead unit stands', () => {
    const { rows, problems } = parseEditionTable([
      header,
      rowOf({ quality_metrics: 'funding_per_capita>=12 CNY per_person_per_year', service_content: '测试内容（修订）' }),
      rowOf({ item_code: 'TST-09', name: '测试新增项目', lead_unit: 'NHC' }),
    ]);
    expect(problems).toEqual([]);
    expect(checkAgainstStandard(rows, current)).toEqual([]);
    const diff = editionDiff(rows, current);
    expect(diff.modified).toEqual([
      {
        row: 2,
        itemCode: 'TST-01',
        name: '测试服务项目一',
        leadUnit: 'NHC',
        fieldCode: 'F21-TEST',
        baseVersion: 3,
        attributes: ['service_content', 'quality_standard'],
      },
    ]);
    expect(diff.added).toEqual([{ row: 3, itemCode: 'TST-09', name: '测试新增项目', leadUnit: 'NHC', fieldCode: 'F21-TEST' }]);
    const [modify, add] = diff.changes;
    expect(modify!.change?.$case).toBe('modifyItem');
    const modified = modify!.change?.$case === 'modifyItem' ? modify!.change.modifyItem : undefined;
    expect(modified?.base).toEqual({ itemCode: 'TST-01', version: 3 });
    // The item keeps its own codes and labels; the attributed lead unit stays attributed (not stated).
    expect(modified?.item).toMatchObject({ fieldCode: 'F17-TST', leadUnitStated: false, leadUnit: { code: 'NHC' } });
    expect(modified?.item?.qualityStandard?.metrics[0]).toMatchObject({ label: '人均经费（测试）', value: '12' });
    expect(add!.change?.$case === 'addItem' && add!.change.addItem.item).toMatchObject({ fieldCode: 'F21-TEST', categoryCode: 'C21-TEST' });
  });

  it('a blank attribute is "not stated", never a level carried over', () => {
    const { rows } = parseEditionTable([header, rowOf({ quality_standard: '', quality_metrics: '' })]);
    const diff = editionDiff(rows, current);
    const item = diff.changes[0]!.change?.$case === 'modifyItem' ? diff.changes[0]!.change.modifyItem.item : undefined;
    expect(item?.qualityStandard).toEqual({ stated: false, text: '', metrics: [] });
  });

  it('names unknown fields, categories, lead units and moves against the structure in force', () => {
    const { rows } = parseEditionTable([
      header,
      rowOf({ item_code: 'TST-05', field_code: 'F99' }),
      rowOf({ item_code: 'TST-06', category_code: 'C99' }),
      rowOf({ item_code: 'TST-07', lead_unit: 'NOBODY' }),
    ]);
    expect(checkAgainstStandard(rows, current).map((p) => [p.row, p.column])).toEqual([
      [2, 'field_code'],
      [3, 'category_code'],
      [4, 'lead_unit'],
    ]);
    const moved = parseEditionTable([header, rowOf({ field_code: 'F21-OTHER', category_code: '' })]).rows;
    const twoFields: StandardInForce = { ...current, fields: [...current.fields, { code: 'F21-OTHER', categories: [] }] };
    expect(checkAgainstStandard(moved, twoFields)).toEqual([
      expect.objectContaining({ row: 2, column: 'field_code', message: expect.stringContaining('moving an item') }),
    ]);
  });
});

describe('edition files and the import', () => {
  const ports = {
    listItems: async () =>
      ({
        items: [
          {
            item: inForceItem,
            version: 3,
            retired: false,
            placement: { taxonomyId: 't', fieldCode: 'F21-TEST', fieldName: '', categoryCode: 'C21-TEST', categoryName: '' },
          },
        ],
      }) as never,
    getTaxonomy: async () =>
      ({ taxonomyId: 't', fields: [{ code: 'F21-TEST', name: '测试', categories: [{ code: 'C21-TEST', name: '测试' }] }], title: '', lineage: [] }) as never,
  };
  const basis = { documentNumber: '（测试）第1号', documentDate: { year: 2099, month: 1, day: 2 } };

  it('reads CSV (with a byte-order mark) and XLSX alike', async () => {
    const rows = [rowOf({ service_content: '测试内容（修订）' })];
    const fromCsv = await readEdition(csv(rows), 'csv');
    const fromXlsx = await readEdition(await editionXlsx(rows), 'xlsx');
    expect(fromCsv.problems).toEqual([]);
    expect(fromXlsx.problems).toEqual([]);
    expect(fromXlsx.rows).toEqual(fromCsv.rows);
    expect((await readEdition(Buffer.from('not a workbook'), 'xlsx')).problems[0]!.message).toContain('not an XLSX workbook');
  });

  it('drafts one proposal carrying the changes with the document as its basis; a file with row problems creates nothing', async () => {
    const created: unknown[] = [];
    const createProposal = async (content: unknown) => {
      created.push(content);
      return { proposalId: 'P-TEST' } as never;
    };
    await expect(importEdition(csv([rowOf({ payment_category: '随便' })]), 'csv', basis, { ...ports, createProposal })).rejects.toSatisfy(
      (e) => e instanceof ValidationError && e.violations[0]!.field === 'rows[2].payment_category',
    );
    expect(created).toEqual([]);
    const { report } = await importEdition(csv([rowOf({ service_content: '测试内容（修订）' })]), 'csv', basis, { ...ports, createProposal });
    expect(report.diff?.modified.map((m) => m.itemCode)).toEqual(['TST-01']);
    expect(created).toHaveLength(1);
  });

  it('a scope (lead unit, field) carries only its part of the edition and reports the rest; nothing in scope creates nothing', async () => {
    const moeItem = ServiceItem.fromPartial({
      ...inForceItem,
      itemCode: 'TST-02',
      name: '测试服务项目二',
      leadUnit: { code: 'MOE', name: '教育部', kind: OrganisationKind.ORGANISATION_KIND_MINISTRY },
    });
    const placement = { taxonomyId: 't', fieldCode: 'F21-TEST', fieldName: '', categoryCode: 'C21-TEST', categoryName: '' };
    const twoUnits = {
      ...ports,
      listItems: async () => ({ items: [inForceItem, moeItem].map((item) => ({ item, version: 3, retired: false, placement })) }) as never,
    };
    const created: ProposalContent[] = [];
    const createProposal = async (content: ProposalContent) => {
      created.push(content);
      return { proposalId: 'P-TEST' } as never;
    };
    const file = csv([
      rowOf({ service_content: '测试内容（修订）' }),
      rowOf({ ...editionRowOf(moeItem, 'F21-TEST', 'C21-TEST'), service_content: '测试内容（修订）' }),
    ]);
    const { outOfScope } = await importEdition(file, 'csv', basis, { ...twoUnits, createProposal }, { leadUnit: 'NHC' });
    expect(created[0]!.changes.map((c) => (c.change?.$case === 'modifyItem' ? c.change.modifyItem.base?.itemCode : ''))).toEqual(['TST-01']);
    expect(outOfScope).toEqual([expect.objectContaining({ itemCode: 'TST-02', leadUnit: 'MOE', fieldCode: 'F21-TEST' })]);
    await expect(importEdition(file, 'csv', basis, { ...twoUnits, createProposal }, { fieldCode: 'F21-OTHER' })).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    expect(created).toHaveLength(1);
  });

  it('an ad-hoc revision on a central decision, or a unified one in a cycle', () => {
    const adHoc = editionProposal(basis, 'a'.repeat(64), []);
    expect(adHoc).toMatchObject({
      kind: ProposalKind.PROPOSAL_KIND_AD_HOC,
      trigger: AdHocTrigger.AD_HOC_TRIGGER_CENTRAL_DECISION,
      triggerDocument: { title: '国家基本公共服务标准（（测试）第1号，2099-01-02）', digest: 'a'.repeat(64), digestAlgorithm: 'sha256' },
      effectiveFrom: basis.documentDate,
    });
    expect(editionProposal({ ...basis, cycleId: 'cycle-1' }, 'a'.repeat(64), [])).toMatchObject({
      kind: ProposalKind.PROPOSAL_KIND_UNIFIED,
      cycleId: 'cycle-1',
      trigger: 0,
    });
  });
});

describe('the shipped template (infra/templates)', () => {
  it('has the bilingual header and reads clean as CSV and as XLSX, with the same rows; its rows say they are test data', async () => {
    const { readFileSync } = await import('node:fs');
    const csvFile = readFileSync(new URL('../../infra/templates/edition-template.csv', import.meta.url));
    const xlsxFile = readFileSync(new URL('../../infra/templates/edition-template.xlsx', import.meta.url));
    expect(
      csvFile
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split('\r\n')[0],
    ).toBe(templateHeader().join(','));
    const fromCsv = await readEdition(csvFile, 'csv');
    const fromXlsx = await readEdition(xlsxFile, 'xlsx');
    expect(fromCsv.problems).toEqual([]);
    expect(fromXlsx).toEqual(fromCsv);
    expect(fromCsv.rows.length).toBeGreaterThan(0);
    for (const r of fromCsv.rows) expect(r.cells.name).toContain('测试数据');
  });
});

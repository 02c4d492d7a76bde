// `npm run edition:template`: writes the edition import template (issue #17) — infra/templates/edition-template.csv
// and .xlsx — with the bilingual header ("中文 english_key") and two EXAMPLE rows. The rows are made-up test data,
// marked as such in every text; they are not values of any official edition and must be replaced before an import.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { editionColumns } from '../../services/shared/standards/edition';
import { editionXlsx, templateHeader } from '../../services/shared/standards/edition-file';

type Cells = Partial<Record<(typeof editionColumns)[number]['key'], string>>;

export const templateRows: readonly Cells[] = [
  {
    item_code: 'EXAMPLE-01',
    name: '示例服务项目（测试数据，非官方）',
    field_code: 'F21-HEALTH',
    category_code: 'C21-PUBLIC-HEALTH',
    service_target: '示例服务对象（测试数据）',
    service_content: '示例服务内容（测试数据）',
    quality_standard: '示例服务标准：每人每年不少于1次（测试数据，非官方）',
    quality_metrics: 'example_visits>=1 times per_person_per_year',
    payment_category: 'FREE_SERVICE',
    expenditure_kind: 'SHARED',
    expenditure_text: '示例支出责任（测试数据）',
    central_shares: 'EAST=30;CENTRAL=60;WEST=80',
    lead_unit: 'NHC',
  },
  {
    // Blank cells are "not stated" (文件未明确): an import never fills them in.
    item_code: 'EXAMPLE-02',
    name: '属性未明确的示例项目（测试数据，非官方）',
    field_code: 'F21-HEALTH',
    lead_unit: 'NHC',
  },
];

const rows = templateRows.map((r) => editionColumns.map((c) => r[c.key] ?? ''));
const note =
  'TEST DATA / 测试数据：本模板中的示例行为虚构数据，并非任何官方版次的内容；导入前请替换为官方文件所列事项。Columns: see infra/templates/README.md.';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = fileURLToPath(new URL('../templates/', import.meta.url));
  writeFileSync(`${dir}edition-template.csv`, `\uFEFF${stringify([templateHeader(), ...rows], { record_delimiter: '\r\n' })}`);
  writeFileSync(`${dir}edition-template.xlsx`, await editionXlsx(rows, note));
  console.log(`wrote ${dir}edition-template.csv and .xlsx`);
}

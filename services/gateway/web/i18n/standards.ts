// The published standard: catalogue, item, diff and compliance pages (标准查询).
// Chinese is the official wording: change it only with the source it comes from. {name} marks a value filled in by the page.
import type { Messages } from './types';

export const standardsMessages = {
  'standards.category': { zh: '服务类别', en: 'Category' },
  'standards.allCategories': { zh: '全部类别', en: 'All categories' },
  'standards.downloadThisEditionCsv': { zh: '下载本版标准（CSV）', en: 'Download this edition (CSV)' },
  'standards.publicReadingNoSign': {
    zh: '公开查阅：无需登录（国家基本公共服务标准依法公开，接受社会监督）',
    en: 'Public reading: no sign-in needed (the national standard is published and open to public supervision)',
  },
  'standards.structureFromItemsAre': {
    zh: '分类沿革：{date}起按现行领域和类别归类，此前的领域如下归入',
    en: 'Structure: from {date} items are grouped in the current fields and categories; earlier fields map as follows',
  },
  'standards.source': { zh: '依据：', en: 'Source: ' },
  'standards.attributed': { zh: '推定', en: 'Attributed' },
  'standards.recordedUnder': { zh: '（原领域 {field}）', en: '(recorded under {field})' },
  'standards.reFilingOverdueDue': { zh: '重新备案已逾期（期限 {date}）', en: 'Re-filing overdue (due {date})' },
  'standards.reFileBy': { zh: '须于 {date}前重新备案', en: 'Re-file by {date}' },
  'standards.sharedLevelOfIts': { zh: '所属项目包的共用水平', en: 'Shared level of its package' },
  'standards.statedOnceForThe': { zh: '整个项目包共用，不按项目分别计算', en: 'stated once for the whole package, not per item' },
  'standards.asOf': { zh: '截至', en: 'as of' },
  'standards.sharedLevel': { zh: '共用水平', en: 'Shared level' },
  'standards.asOfDateField': { zh: '截至日期', en: 'As of' },
  'standards.sourceHeading': { zh: '出处', en: 'Source' },
  'standards.itemsCovered': { zh: '覆盖项目', en: 'Items covered' },
  'standards.attributedInline': { zh: '推定', en: 'attributed' },
  'standards.levelIsStatedOnce': {
    zh: '该水平对整个项目包只规定一次：调整时按“新水平 − 现行水平”的增量乘以覆盖人口测算经费，整包只计一次。',
    en: 'The level is stated once for the whole package: an adjustment is costed on the increase over the level in force times the covered population, once for the package.',
  },
  'standards.level': { zh: '水平', en: 'Level' },
} as const satisfies Messages;

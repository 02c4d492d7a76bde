// The national monitoring page (全国监测).
// Chinese is the official wording: change it only with the source it comes from. {name} marks a value filled in by the page.
import type { Messages } from './types';

export const monitoringMessages = {
  'monitoring.nationalCountsOfEach': { zh: '全国各状态数量随时间变化', en: 'National counts of each state over time' },
  'monitoring.history': { zh: '历史变化', en: 'History' },
  'monitoring.downloadTheHistoryCsv': { zh: '下载历史数据（CSV）', en: 'Download the history (CSV)' },
  'monitoring.blindlyHighMargin': { zh: '盲目拔高阈值（%）', en: 'Blindly-high margin (%)' },
  'monitoring.downloadTheMatrixCsv': { zh: '下载监测矩阵（CSV）', en: 'Download the matrix (CSV)' },
  'monitoring.nationalTotals': { zh: '全国汇总', en: 'National totals' },
  'monitoring.scope': { zh: '范围', en: 'Scope' },
  'monitoring.allProvinces': { zh: '全国', en: 'All provinces' },
  'monitoring.byProvince': { zh: '分省情况', en: 'By province' },
  'monitoring.matrixItemsProvinces': { zh: '监测矩阵（事项 × 省份）', en: 'Matrix (items × provinces)' },
} as const satisfies Messages;

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
  'monitoring.stateLabel.BELOW_FLOOR': { zh: '低于国家标准（重新备案期内）', en: 'Below the national floor (within the re-filing period)' },
  'monitoring.stateLabel.REFILING_OVERDUE': { zh: '低于国家标准且重新备案逾期', en: 'Below the floor, re-filing overdue' },
  'monitoring.stateLabel.NOT_FILED': { zh: '未备案', en: 'Not filed' },
  'monitoring.stateLabel.AT_FLOOR': { zh: '达到国家标准', en: 'At the national level' },
  'monitoring.stateLabel.ABOVE_FLOOR': { zh: '高于国家标准（已备案）', en: 'Above the national level (filed)' },
  'monitoring.stateLabel.BLINDLY_HIGH': { zh: '超出幅度过大（可能盲目拔高）', en: 'Above by more than the margin (possibly blindly high)' },
} as const satisfies Messages;

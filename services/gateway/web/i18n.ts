// UI strings: Chinese first, English switchable (cookie bps_lang or ?lang=). Code uses glossary English keys.
export type Lang = 'zh' | 'en';

const zh = {
  appName: '国家基本公共服务标准平台',
  skip: '跳到正文',
  navStandards: '标准查询', navDiff: '版本比较', navCompliance: '地方标准与合规', navProposals: '调整方案', navInbox: '待办审批',
  navCycles: '修订周期', navSubscriptions: '订阅管理', navAudit: '审计追溯', signIn: '登录', signOut: '退出', switchLang: 'English',
  signedInAs: '当前用户', signInTitle: '本地登录（开发环境）', signInIntro: '选择一个预置角色登录。生产环境由统一身份认证提供者替代本页。',
  signInAs: '以此身份登录', signInDisabled: '生产环境不提供本地登录，请通过配置的身份认证提供者登录。',
  roles: '角色', organisation: '单位',
  catalogue: '服务清单', asOfDate: '生效日期', show: '查询', field: '领域', category: '类别', allFields: '全部领域', province: '省份',
  national: '全国', items: '项', itemCount: '服务项目数', noItems: '该日期没有生效的服务项目。', noCategory: '（未分类）',
  itemCode: '编号', itemName: '服务项目', version: '版本', effectiveFrom: '生效日期', effectiveTo: '失效日期',
  serviceTarget: '服务对象', serviceContent: '服务内容', qualityStandard: '服务标准', paymentCategory: '支付类别',
  expenditureResponsibility: '支出责任', leadUnit: '牵头负责单位', notStated: '文件未明确', sixAttributes: '六项要素',
  history: '版本历史', release: '发布', proposal: '调整方案', workflow: '审批流程', cycle: '修订周期', approvedBy: '批准人',
  recordedAt: '记录时间', correction: '更正', lineage: '沿革', retired: '已废止', current: '现行', baseline: '基线（无调整方案）',
  metric: '指标', comparator: '比较', value: '数值', unit: '单位', basis: '计量基础',
  provincialValue: '地方标准', nationalFloor: '国家标准', localValue: '地方值', compliant: '达标', breach: '低于国家标准',
  exceeds: '高于国家标准（需备案并由地方承担超出部分）', notFiled: '未备案', filed: '已备案', filingId: '备案号',
  diffTitle: '版本比较', from: '起', to: '止', fromHint: '日期或发布编号', compare: '比较', noChanges: '两个时点之间没有变化。',
  attribute: '要素', before: '调整前', after: '调整后', changeType: '变化类型', releases: '已发布版本',
  complianceTitle: '地方标准合规情况', filedCount: '已备案', breachCount: '低于国家标准', chooseProvince: '选择省份',
  errorTitle: '出错了', notFound: '未找到', back: '返回', reason: '原因', forbidden: '无权执行此操作',
  unavailable: '服务暂不可用，请稍后重试。', yes: '是', no: '否', viewItem: '查看', stated: '已明确',
  centralShare: '中央分担比例', regionTier: '地区',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appName: 'National Basic Public Service Standards', skip: 'Skip to content',
  navStandards: 'Standards', navDiff: 'Compare', navCompliance: 'Provincial standards', navProposals: 'Proposals', navInbox: 'Inbox',
  navCycles: 'Revision cycles', navSubscriptions: 'Subscriptions', navAudit: 'Audit', signIn: 'Sign in', signOut: 'Sign out', switchLang: '中文',
  signedInAs: 'Signed in as', signInTitle: 'Local sign-in (development)', signInIntro: 'Pick a seeded role. In production an identity provider replaces this page.',
  signInAs: 'Sign in as this person', signInDisabled: 'Local sign-in is disabled in production; use the configured identity provider.',
  roles: 'Roles', organisation: 'Organisation',
  catalogue: 'Service catalogue', asOfDate: 'In force on', show: 'Show', field: 'Field', category: 'Category', allFields: 'All fields', province: 'Province',
  national: 'National', items: 'items', itemCount: 'Service items', noItems: 'No service items in force on this date.', noCategory: '(no category)',
  itemCode: 'Code', itemName: 'Service item', version: 'Version', effectiveFrom: 'Effective from', effectiveTo: 'Effective to',
  serviceTarget: 'Service target', serviceContent: 'Service content', qualityStandard: 'Quality standard', paymentCategory: 'Payment category',
  expenditureResponsibility: 'Expenditure responsibility', leadUnit: 'Lead unit', notStated: 'Not stated', sixAttributes: 'Six attributes',
  history: 'Version history', release: 'Release', proposal: 'Proposal', workflow: 'Approval workflow', cycle: 'Revision cycle', approvedBy: 'Approved by',
  recordedAt: 'Recorded at', correction: 'Correction', lineage: 'Lineage', retired: 'Retired', current: 'In force', baseline: 'Baseline (no proposal)',
  metric: 'Metric', comparator: 'Comparator', value: 'Value', unit: 'Unit', basis: 'Basis',
  provincialValue: 'Provincial standard', nationalFloor: 'National level', localValue: 'Local value', compliant: 'Meets floor', breach: 'Below national floor',
  exceeds: 'Above national level (filed; excess funded locally)', notFiled: 'Not filed', filed: 'Filed', filingId: 'Filing',
  diffTitle: 'Compare versions', from: 'From', to: 'To', fromHint: 'date or release id', compare: 'Compare', noChanges: 'No changes between these points.',
  attribute: 'Attribute', before: 'Before', after: 'After', changeType: 'Change', releases: 'Releases',
  complianceTitle: 'Provincial compliance', filedCount: 'Filed', breachCount: 'Below floor', chooseProvince: 'Choose a province',
  errorTitle: 'Something went wrong', notFound: 'Not found', back: 'Back', reason: 'Reason', forbidden: 'Not allowed',
  unavailable: 'The service is unavailable; try again shortly.', yes: 'Yes', no: 'No', viewItem: 'View', stated: 'Stated',
  centralShare: 'Central share', regionTier: 'Region',
};

export type Translate = (key: MessageKey) => string;

export function translator(lang: Lang): Translate {
  return (key) => (lang === 'en' ? en[key] : zh[key]);
}

export function pickLang(query: unknown, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'en' || query === 'zh') return query;
  if (cookie === 'en' || cookie === 'zh') return cookie;
  // Chinese is the default; English only when the browser asks for it first.
  return /^en\b/i.test(acceptLanguage ?? '') ? 'en' : 'zh';
}

/** Enum labels (proto enum names as ts-proto's toJSON writes them). */
const enumLabels: Record<string, [zh: string, en: string]> = {
  PAYMENT_CATEGORY_FREE_SERVICE: ['免费提供', 'Free service'],
  PAYMENT_CATEGORY_CASH_SUBSIDY: ['现金补助', 'Cash subsidy'],
  PAYMENT_CATEGORY_INSURANCE_BENEFIT: ['保险待遇', 'Insurance benefit'],
  PAYMENT_CATEGORY_FEE_WAIVER: ['费用减免', 'Fee waiver'],
  PAYMENT_CATEGORY_OTHER: ['其他', 'Other'],
  PAYMENT_CATEGORY_NOT_STATED: ['文件未明确', 'Not stated'],
  PAYMENT_CATEGORY_UNSPECIFIED: ['文件未明确', 'Not stated'],
  EXPENDITURE_KIND_CENTRAL: ['中央承担', 'Central'],
  EXPENDITURE_KIND_LOCAL: ['地方承担', 'Local'],
  EXPENDITURE_KIND_SHARED: ['中央与地方共同承担', 'Shared central/local'],
  EXPENDITURE_KIND_NOT_STATED: ['文件未明确', 'Not stated'],
  EXPENDITURE_KIND_UNSPECIFIED: ['文件未明确', 'Not stated'],
  COMPARATOR_GTE: ['不低于', 'at least'],
  COMPARATOR_LTE: ['不高于', 'at most'],
  COMPARATOR_EQ: ['等于', 'equal to'],
  COMPARATOR_UNSPECIFIED: ['—', '—'],
  CHANGE_TYPE_ADDED: ['新增', 'Added'],
  CHANGE_TYPE_MODIFIED: ['调整', 'Modified'],
  CHANGE_TYPE_RETIRED: ['废止', 'Retired'],
  CHANGE_TYPE_MOVED: ['调整归类/更名', 'Moved/renamed'],
  CHANGE_TYPE_SPLIT: ['拆分', 'Split'],
  CHANGE_TYPE_MERGED: ['合并', 'Merged'],
  CHANGE_TYPE_UNSPECIFIED: ['—', '—'],
  RELEASE_KIND_EDITION: ['集中统一调整（版本）', 'Edition (unified revision)'],
  RELEASE_KIND_AMENDMENT: ['动态调整（个别领域）', 'Amendment (ad-hoc field revision)'],
  RELEASE_KIND_UNSPECIFIED: ['—', '—'],
  REGION_TIER_EAST: ['东部', 'East'],
  REGION_TIER_CENTRAL: ['中部', 'Central'],
  REGION_TIER_WEST: ['西部', 'West'],
};

export function enumLabel(lang: Lang, value: string | number | undefined): string {
  if (value === undefined) return '—';
  const label = enumLabels[String(value)];
  return label ? (lang === 'en' ? label[1] : label[0]) : String(value);
}

const roleLabels: Record<string, [string, string]> = {
  'ministry-staff': ['行业主管部门工作人员', 'Ministry staff'],
  approver: ['会签审批人', 'Approver'],
  'final-approver': ['终审审批人', 'Final approver'],
  'province-officer': ['省级工作人员', 'Province officer'],
  'subscriber-admin': ['下游系统管理员', 'Subscriber administrator'],
  auditor: ['审计人员', 'Auditor'],
  operator: ['平台运维', 'Operator'],
};

export function roleLabel(lang: Lang, role: string): string {
  const label = roleLabels[role];
  return label ? (lang === 'en' ? label[1] : label[0]) : role;
}

/** Metric units and bases as people read them. */
export function unitLabel(lang: Lang, unit: string): string {
  const units: Record<string, [string, string]> = { CNY: ['元', 'CNY'], percent: ['%', '%'], times: ['次', 'times'] };
  const u = units[unit];
  return u ? (lang === 'en' ? u[1] : u[0]) : unit;
}

export function basisLabel(lang: Lang, basis: string): string {
  const bases: Record<string, [string, string]> = {
    per_person_per_year: ['每人每年', 'per person per year'],
    per_person_per_month: ['每人每月', 'per person per month'],
    per_year: ['每年', 'per year'],
  };
  const b = bases[basis];
  return b ? (lang === 'en' ? b[1] : b[0]) : basis;
}

// UI strings: Chinese first, English switchable (cookie bps_lang or ?lang=). Code uses glossary English keys.
import { provinceName } from './provinces';
import { basisLabel as sharedBasisLabel, unitLabel as sharedUnitLabel } from '../../shared/standards/units';

export type Lang = 'zh' | 'en';

const zh = {
  appName: '国家基本公共服务标准平台',
  skip: '跳到正文',
  navStandards: '标准查询', navDiff: '版本比较', navCompliance: '地方标准与合规', navMonitoring: '全国监测', navProposals: '调整方案', navInbox: '待办审批',
  navCycles: '修订周期', navSubscriptions: '订阅管理', navAudit: '审计追溯', signIn: '登录', signOut: '退出', switchLang: 'English',
  signedInAs: '当前用户', signInTitle: '本地登录（开发环境）', signInIntro: '选择一个预置角色登录。生产环境由统一身份认证提供者替代本页。',
  signInAs: '以此身份登录', signInDisabled: '本地人员登录仅在开发模式下提供，请通过配置的身份认证提供者登录。',
  roles: '角色', organisation: '单位',
  catalogue: '服务清单', asOfDate: '生效日期', show: '查询', field: '领域', category: '类别', allFields: '全部领域', province: '省份',
  national: '全国', items: '项', itemCount: '服务项目数', noItems: '该日期没有生效的服务项目。', noCategory: '（未分类）',
  itemCode: '编号', itemName: '服务项目', version: '版本', effectiveFrom: '生效日期', effectiveTo: '失效日期',
  serviceTarget: '服务对象', serviceContent: '服务内容', qualityStandard: '服务标准', paymentCategory: '支付类别',
  expenditureResponsibility: '支出责任', leadUnit: '牵头负责单位', notStated: '文件未明确', sixAttributes: '六项要素',
  history: '版本历史', release: '发布', proposal: '调整方案', workflow: '审批流程', cycle: '修订周期', approvedBy: '批准人',
  recordedAt: '记录时间', correction: '更正', errata: '勘误记录', erratumProposedBy: '提出', erratumApprovedBy: '复核生效', erratumField: '字段', erratumBefore: '更正前', erratumAfter: '更正后', lineage: '沿革', retired: '已废止', current: '现行', baseline: '基线（无调整方案）',
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
  navStandards: 'Standards', navDiff: 'Compare', navCompliance: 'Provincial standards', navMonitoring: 'National monitoring', navProposals: 'Proposals', navInbox: 'Inbox',
  navCycles: 'Revision cycles', navSubscriptions: 'Subscriptions', navAudit: 'Audit', signIn: 'Sign in', signOut: 'Sign out', switchLang: '中文',
  signedInAs: 'Signed in as', signInTitle: 'Local sign-in (development)', signInIntro: 'Pick a seeded role. In production an identity provider replaces this page.',
  signInAs: 'Sign in as this person', signInDisabled: 'Persona sign-in exists only in development mode; sign in through the configured identity provider.',
  roles: 'Roles', organisation: 'Organisation',
  catalogue: 'Service catalogue', asOfDate: 'In force on', show: 'Show', field: 'Field', category: 'Category', allFields: 'All fields', province: 'Province',
  national: 'National', items: 'items', itemCount: 'Service items', noItems: 'No service items in force on this date.', noCategory: '(no category)',
  itemCode: 'Code', itemName: 'Service item', version: 'Version', effectiveFrom: 'Effective from', effectiveTo: 'Effective to',
  serviceTarget: 'Service target', serviceContent: 'Service content', qualityStandard: 'Quality standard', paymentCategory: 'Payment category',
  expenditureResponsibility: 'Expenditure responsibility', leadUnit: 'Lead unit', notStated: 'Not stated', sixAttributes: 'Six attributes',
  history: 'Version history', release: 'Release', proposal: 'Proposal', workflow: 'Approval workflow', cycle: 'Revision cycle', approvedBy: 'Approved by',
  recordedAt: 'Recorded at', correction: 'Correction', errata: 'Errata', erratumProposedBy: 'Proposed by', erratumApprovedBy: 'Approved by', erratumField: 'Field', erratumBefore: 'Before', erratumAfter: 'After', lineage: 'Lineage', retired: 'Retired', current: 'In force', baseline: 'Baseline (no proposal)',
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
  SUBSCRIPTION_STATUS_ACTIVE: ['运行中', 'Active'],
  SUBSCRIPTION_STATUS_PAUSED: ['已暂停', 'Paused'],
  SUBSCRIPTION_STATUS_DISABLED: ['已停用（接收端返回 410）', 'Disabled (endpoint answered 410)'],
  SUBSCRIPTION_STATUS_DELETED: ['已删除', 'Deleted'],
  SUBSCRIPTION_STATUS_UNSPECIFIED: ['—', '—'],
  DELIVERY_STATUS_PENDING: ['待投递', 'Pending'],
  DELIVERY_STATUS_DELIVERED: ['已送达', 'Delivered'],
  DELIVERY_STATUS_DEAD_LETTERED: ['投递失败（死信）', 'Dead letter'],
  DELIVERY_STATUS_CANCELLED: ['已取消', 'Cancelled'],
  DELIVERY_STATUS_UNSPECIFIED: ['—', '—'],
  ATTEMPT_OUTCOME_DELIVERED: ['送达', 'Delivered'],
  ATTEMPT_OUTCOME_RETRY_SCHEDULED: ['失败，将重试', 'Failed, retry scheduled'],
  ATTEMPT_OUTCOME_DEAD_LETTERED: ['失败，转入死信', 'Failed, dead-lettered'],
  ATTEMPT_OUTCOME_ENDPOINT_GONE: ['接收端已下线（410）', 'Endpoint gone (410)'],
  ATTEMPT_OUTCOME_UNSPECIFIED: ['—', '—'],
};

/** Platform events (CloudEvents types) in plain words, for the audit timeline and subscription filters. */
const eventTypeLabels: Record<string, [zh: string, en: string]> = {
  'bps.standard.version.published': ['发布标准新版本', 'New standard version published'],
  'bps.standard.version.effective': ['标准版本生效', 'Standard version took effect'],
  'bps.standard.local.filed': ['地方标准备案', 'Provincial standard filed'],
  'bps.standard.floor.breached': ['地方标准低于国家标准', 'Provincial standard below the national floor'],
  'bps.standard.changeset.rejected': ['变更集未能应用', 'Change set could not be applied'],
  'bps.standard.erratum.proposed': ['提出勘误', 'Erratum proposed'],
  'bps.standard.erratum.approved': ['勘误经复核生效', 'Erratum approved and in effect'],
  'bps.standard.erratum.refused': ['勘误被拒绝', 'Erratum refused'],
  'bps.approval.changeset.approved': ['批准变更集', 'Change set approved'],
  'bps.approval.proposal.decided': ['作出审批决定', 'Approval decided'],
  'bps.approval.step.signed': ['会签/审批签署', 'Step signed'],
  'bps.approval.signoff.refused': ['签署被拒绝', 'Sign-off refused'],
  'bps.approval.objection.raised': ['提出异议', 'Objection raised'],
  'bps.approval.objection.overruled': ['终审否决异议', 'Objection overruled'],
  'bps.approval.objection.withdrawn': ['撤回异议', 'Objection withdrawn'],
  'bps.approval.step.reminded': ['审批催办', 'Step reminder'],
  'bps.approval.step.escalated': ['审批超期升级', 'Step escalated'],
  'bps.approval.step.delegated': ['委托审批', 'Step delegated'],
  'bps.approval.step.claimed': ['认领审批环节', 'Step claimed'],
  'bps.approval.cycle.phase.changed': ['修订周期进入新阶段', 'Revision cycle phase changed'],
  'bps.approval.cycle.refiling.overdue': ['省级重新备案逾期', 'Provincial re-filing overdue'],
  'bps.audit.checkpoint.signed': ['签署审计检查点', 'Audit checkpoint signed'],
  'bps.notification.delivered': ['通知已送达下游系统', 'Notification delivered'],
  'bps.notification.dead-lettered': ['通知投递失败（死信）', 'Notification dead-lettered'],
  'bps.notification.subscription.disabled': ['订阅被停用', 'Subscription disabled'],
  'bps.proposal.created': ['起草调整方案', 'Proposal drafted'],
  'bps.proposal.revised': ['修改调整方案', 'Proposal revised'],
  'bps.proposal.rebased': ['调整方案更新基准版本', 'Proposal rebased'],
  'bps.proposal.submitted': ['提交审批', 'Submitted for approval'],
  'bps.proposal.resubmitted': ['重新提交审批', 'Resubmitted for approval'],
  'bps.proposal.review.started': ['开始审批', 'Review started'],
  'bps.proposal.returned': ['退回修改', 'Returned for revision'],
  'bps.proposal.approved': ['调整方案获批', 'Proposal approved'],
  'bps.proposal.rejected': ['调整方案未通过', 'Proposal rejected'],
  'bps.proposal.withdrawn': ['撤回调整方案', 'Proposal withdrawn'],
  'bps.proposal.conflict.flagged': ['发现方案冲突', 'Conflict flagged'],
  'bps.proposal.conflict.cleared': ['方案冲突解除', 'Conflict cleared'],
};

/** A code's label from a [zh, en] table; the code itself when the table does not know it. */
export function labelFrom(lang: Lang, table: Readonly<Record<string, readonly [string, string]>>, key: string): string {
  const label = table[key];
  return label ? (lang === 'en' ? label[1] : label[0]) : key;
}

export function eventTypeLabel(lang: Lang, type: string): string {
  return labelFrom(lang, eventTypeLabels, type);
}

/** Organisations as people name them (a GB/T 2260 code is a province). */
const organisationLabels: Record<string, [string, string]> = {
  NHC: ['国家卫生健康委', 'NHC'], MOE: ['教育部', 'MOE'], NDRC: ['国家发展改革委', 'NDRC'], MOF: ['财政部', 'MOF'],
  SCO: ['国务院办公厅', 'General Office of the State Council'], NBS: ['国家统计局', 'NBS'], NAO: ['审计署', 'National Audit Office'], BPS: ['平台运维', 'Platform operations'],
  // The lead units of seed 000's annex (rows 4–12).
  MOHRSS: ['人力资源社会保障部', 'MOHRSS'], MCA: ['民政部', 'Ministry of Civil Affairs'], MOHURD: ['住房城乡建设部', 'MOHURD'],
  MCT: ['文化和旅游部', 'Ministry of Culture and Tourism'], CDPF: ['中国残联', 'China Disabled Persons\' Federation'], NHSA: ['国家医保局', 'National Healthcare Security Administration'],
  MVA: ['退役军人事务部', 'Ministry of Veterans Affairs'], MOJ: ['司法部', 'Ministry of Justice'], MEM: ['应急管理部', 'Ministry of Emergency Management'],
  NATCM: ['国家中医药局', 'NATCM'], NRTA: ['广电总局', 'NRTA'], GAS: ['体育总局', 'General Administration of Sport'], NCHA: ['国家文物局', 'NCHA'],
  PD: ['中央宣传部', 'Publicity Department'],
};

export function organisationLabel(lang: Lang, code: string): string {
  if (/^\d{6}$/.test(code)) return provinceName(code, lang);
  return labelFrom(lang, organisationLabels, code);
}

export function enumLabel(lang: Lang, value: string | number | undefined): string {
  if (value === undefined) return '—';
  return labelFrom(lang, enumLabels, String(value));
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
  return labelFrom(lang, roleLabels, role);
}

/** Metric units and bases as people read them (the one table: services/shared/standards/units.ts). */
export function unitLabel(lang: Lang, unit: string): string {
  return sharedUnitLabel(lang, unit);
}

export function basisLabel(lang: Lang, basis: string): string {
  return sharedBasisLabel(lang, basis);
}

// UI strings: Chinese first, English switchable (cookie bps_lang or ?lang=). Every page text is a message in the one
// catalogue below (tables per page family in this folder), looked up by id through the page's `t` (translator(lang)).
import { provinceName } from '../provinces';
import { basisLabel as sharedBasisLabel, unitLabel as sharedUnitLabel } from '../../../shared/standards/units';
import { auditMessages } from './audit';
import { commonMessages } from './common';
import { consultationMessages } from './consultation';
import { cycleMessages } from './cycle';
import { editionMessages } from './edition';
import { inboxMessages } from './inbox';
import { monitoringMessages } from './monitoring';
import { programmeMessages } from './programme';
import { proposalMessages } from './proposal';
import { standardsMessages } from './standards';
import { subscriptionMessages } from './subscription';
import { workMessages } from './work';
import type { Lang, Messages, MismatchedPlaceholders, ParamValue, Placeholders } from './types';

export type { Lang } from './types';

/** The one catalogue: every family's table, merged. A message id names its page family (`cycle.ceiling`). */
export const catalogue = {
  ...commonMessages,
  ...auditMessages,
  ...consultationMessages,
  ...cycleMessages,
  ...editionMessages,
  ...inboxMessages,
  ...monitoringMessages,
  ...programmeMessages,
  ...proposalMessages,
  ...standardsMessages,
  ...subscriptionMessages,
  ...workMessages,
} as const satisfies Messages;

export type MessageId = keyof typeof catalogue;

/** The parameters a message takes (its {name} placeholders). */
export type MessageParams<K extends MessageId> = Placeholders<(typeof catalogue)[K]['zh']>;

// Fails to compile when a message's Chinese and English texts use different placeholders.
const placeholdersAgree: [MismatchedPlaceholders<typeof catalogue>] extends [never] ? true : MismatchedPlaceholders<typeof catalogue> = true;
void placeholdersAgree;

/** Looks a message up in one language: `t('proposal.submit')`, `t('audit.recordsInOrder', { count })`. */
export type Translate = <K extends MessageId>(
  id: K,
  ...params: [MessageParams<K>] extends [never] ? [] : [params: Readonly<Record<MessageParams<K>, ParamValue>>]
) => string;

/** A message's text in a language, with its {name} placeholders filled in. */
export function message(lang: Lang, id: MessageId, params: Readonly<Record<string, ParamValue>> = {}): string {
  return catalogue[id][lang].replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = params[name];
    return value === undefined ? placeholder : String(value);
  });
}

export function translator(lang: Lang): Translate {
  return ((id: MessageId, params?: Readonly<Record<string, ParamValue>>) => message(lang, id, params)) as Translate;
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
  'bps.standard.compliance.warning': [
    '全国监测预警（低于国家标准、重新备案逾期或盲目拔高）',
    'Monitoring early warning (below the floor, re-filing overdue or blindly high)',
  ],
  'bps.standard.changeset.rejected': ['变更集未能应用', 'Change set could not be applied'],
  'bps.standard.erratum.proposed': ['提出勘误', 'Erratum proposed'],
  'bps.standard.erratum.approved': ['勘误经复核生效', 'Erratum approved and in effect'],
  'bps.standard.erratum.refused': ['勘误被拒绝', 'Erratum refused'],
  'bps.programme.standard.published': ['技术标准批准发布', 'Technical standard published'],
  'bps.programme.standard.in-force': ['技术标准实施', 'Technical standard in force'],
  'bps.programme.standard.withdrawn': ['技术标准废止', 'Technical standard withdrawn'],
  'bps.programme.pilot.selected': ['确定标准化试点', 'Standardisation pilot selected'],
  'bps.programme.pilot.published': ['公布试点评估结果', 'Pilot evaluation results published'],
  'bps.programme.evaluation.recorded': ['实施评估（满意度调查）结果', 'Implementation evaluation recorded'],
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
  'bps.proposal.consultation.opened': ['公开征求意见', 'Public consultation opened'],
  'bps.proposal.consultation.comment.received': ['收到公众意见（待审核）', 'Public comment received (held)'],
  'bps.proposal.consultation.comment.published': ['公众意见已公开', 'Public comment published'],
  'bps.proposal.consultation.comment.rejected': ['公众意见不予公开', 'Public comment rejected'],
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
  NHC: ['国家卫生健康委', 'NHC'],
  MOE: ['教育部', 'MOE'],
  NDRC: ['国家发展改革委', 'NDRC'],
  MOF: ['财政部', 'MOF'],
  SCO: ['国务院办公厅', 'General Office of the State Council'],
  NBS: ['国家统计局', 'NBS'],
  SAMR: ['市场监管总局', 'SAMR'],
  NAO: ['审计署', 'National Audit Office'],
  BPS: ['平台运维', 'Platform operations'],
  // The lead units of seed 000's annex (rows 4–12).
  MOHRSS: ['人力资源社会保障部', 'MOHRSS'],
  MCA: ['民政部', 'Ministry of Civil Affairs'],
  MOHURD: ['住房城乡建设部', 'MOHURD'],
  MCT: ['文化和旅游部', 'Ministry of Culture and Tourism'],
  CDPF: ['中国残联', "China Disabled Persons' Federation"],
  NHSA: ['国家医保局', 'National Healthcare Security Administration'],
  MVA: ['退役军人事务部', 'Ministry of Veterans Affairs'],
  MOJ: ['司法部', 'Ministry of Justice'],
  MEM: ['应急管理部', 'Ministry of Emergency Management'],
  NATCM: ['国家中医药局', 'NATCM'],
  NRTA: ['广电总局', 'NRTA'],
  GAS: ['体育总局', 'General Administration of Sport'],
  NCHA: ['国家文物局', 'NCHA'],
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
  'programme-officer': ['标准化工作人员（市场监管）', 'Programme officer (market regulation)'],
  'locality-officer': ['市县人民政府工作人员', 'City/county officer'],
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

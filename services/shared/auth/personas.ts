// Seeded people for local use and tests: the gateway's sign-in page and `npm run token` mint tokens for these, and
// the development directory (directory.ts) lists them with the platform's service accounts.
import type { Identity } from './identity';

export const personas = {
  'nhc-staff': { subject: 'nhc.staff.li', name: '李明（国家卫生健康委）', organisation: 'NHC', roles: ['ministry-staff'] },
  'moe-staff': { subject: 'moe.staff.wang', name: '王芳（教育部）', organisation: 'MOE', roles: ['ministry-staff'] },
  'nhc-approver': { subject: 'nhc.approver.zhao', name: '赵强（国家卫生健康委）', organisation: 'NHC', roles: ['approver'] },
  'ndrc-approver': { subject: 'ndrc.approver.chen', name: '陈静（国家发展改革委）', organisation: 'NDRC', roles: ['approver'] },
  'mof-approver': { subject: 'mof.approver.sun', name: '孙伟（财政部）', organisation: 'MOF', roles: ['approver'] },
  'final-approver': { subject: 'sco.final.zhou', name: '周敏（国务院办公厅）', organisation: 'SCO', roles: ['final-approver'] },
  'beijing-officer': { subject: 'bj.officer.liu', name: '刘洋（北京市）', organisation: '110000', roles: ['province-officer'] },
  'guangdong-officer': { subject: 'gd.officer.huang', name: '黄丽（广东省）', organisation: '440000', roles: ['province-officer'] },
  'statistics-subscriber': { subject: 'nbs.system', name: '国家统计局数据系统', organisation: 'NBS', roles: ['subscriber-admin'] },
  auditor: { subject: 'audit.he', name: '何审计', organisation: 'NAO', roles: ['auditor'] },
  operator: { subject: 'ops.platform', name: '平台运维', organisation: 'BPS', roles: ['operator'] },
  // The standardisation programme: SAMR nationally, the 京津冀 provinces' market-regulation departments, and the three
  // localities of the 通武廊 (通州, 武清, 廊坊) regional coordination.
  'samr-officer': { subject: 'samr.officer.gao', name: '高峰（市场监管总局）', organisation: 'SAMR', roles: ['programme-officer'] },
  'beijing-programme-officer': { subject: 'bj.samr.ma', name: '马丽（北京市市场监管局）', organisation: '110000', roles: ['programme-officer'] },
  'tianjin-programme-officer': { subject: 'tj.samr.zhang', name: '张军（天津市市场监管委）', organisation: '120000', roles: ['programme-officer'] },
  'hebei-programme-officer': { subject: 'he.samr.guo', name: '郭敏（河北省市场监管局）', organisation: '130000', roles: ['programme-officer'] },
  'tongzhou-officer': { subject: 'bj.tongzhou.wu', name: '吴昊（北京市通州区人民政府）', organisation: '110112', roles: ['locality-officer'] },
  'wuqing-officer': { subject: 'tj.wuqing.zheng', name: '郑洁（天津市武清区人民政府）', organisation: '120114', roles: ['locality-officer'] },
  'langfang-officer': { subject: 'he.langfang.feng', name: '冯涛（河北省廊坊市人民政府）', organisation: '131000', roles: ['locality-officer'] },
} as const satisfies Record<string, Identity>;

export type PersonaName = keyof typeof personas;

/**
 * The platform's own subjects. `svc.proposals` calls the registry (GetItem) with a service token; `system:approvals`
 * is the actor the approval workflows record for decisions nobody signed (timeouts, rebases) — it never presents a
 * token, but it is a subject of the audit trail and so belongs in the directory. A production directory lists
 * the service accounts its IdP issues (Keycloak: one confidential client per service, client-credentials grant).
 */
export const serviceAccounts = {
  proposals: { subject: 'svc.proposals', name: 'proposals service', organisation: 'BPS', roles: ['operator'] },
  approvals: { subject: 'system:approvals', name: 'approvals workflows', organisation: 'BPS', roles: [] },
  // The public portal (seed 000 §二十: the standards are published and open to social supervision): the gateway reads
  // the published standard with this account for visitors who are not signed in. No role: it can read only what
  // every signed-in person can read.
  publicReader: { subject: 'svc.gateway-public', name: 'public portal (gateway)', organisation: 'BPS', roles: [] },
  // The programme service reads the catalogue (items, their fields, categories and lead units) with its own token.
  programme: { subject: 'svc.programme', name: 'programme service', organisation: 'BPS', roles: ['operator'] },
} as const satisfies Record<string, Identity>;

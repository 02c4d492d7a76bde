// Seeded people for local use and tests: the gateway's sign-in page and `npm run token` mint tokens for these.
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
} as const satisfies Record<string, Identity>;

export type PersonaName = keyof typeof personas;

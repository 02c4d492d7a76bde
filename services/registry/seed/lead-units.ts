/**
 * Lead units (牵头负责单位) of the 2017 items, ATTRIBUTED BY FIELD — not from the seeds.
 *
 * Seed 001 does not name a lead unit per item (its annex table is not reproduced). The platform still needs
 * one so that "only the lead ministry's staff may draft for items their ministry leads" can be enforced, so
 * each item gets the sector ministry of its 2017 field, and every such item says `lead_unit_stated = false`.
 * A later change set that names the real lead unit replaces it (with lead_unit_stated = true).
 */
export const leadUnitByField2017: Readonly<Record<string, { readonly code: string; readonly name: string }>> = {
  'F17-EDU': { code: 'MOE', name: '教育部' },
  'F17-EMP': { code: 'MOHRSS', name: '人力资源社会保障部' },
  'F17-INS': { code: 'MOHRSS', name: '人力资源社会保障部' },
  'F17-HEA': { code: 'NHC', name: '国家卫生健康委' },
  'F17-SOC': { code: 'MCA', name: '民政部' },
  'F17-HOU': { code: 'MOHURD', name: '住房城乡建设部' },
  'F17-CUL': { code: 'MCT', name: '文化和旅游部' },
  'F17-DIS': { code: 'CDPF', name: '中国残联' },
};

export const leadUnitAttributionNote = '牵头负责单位按领域归属推定（种子文件未逐项列明）';

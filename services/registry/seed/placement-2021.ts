/**
 * Where each item of the 2017 list (seed 001) sits in the 9-field / 22-category structure, and which unit leads it
 * under seed 000's annex (重点任务分工方案, rows 4–12).
 *
 * What the seeds say, and what they do not:
 * - The nine fields are named by seed 000 §三 (八)–(十六) (lines 84–104, "国家基本公共服务质量要求", one paragraph
 *   per field, each naming services) and by seed 002 (line 16 lists them, "等9大领域"; line 18 "9大领域、22类服务事项"; the standards work of each
 *   field on lines 20–29). An item's FIELD is `stated` when one of those paragraphs names the
 *   item's service (the quote is given; the field's paragraph lines are cited); otherwise it is attributed and the reason says why it was put there.
 * - The 22 CATEGORY names are not in the seeds (seed 002 line 18 gives only their number, "22类服务事项"); they come
 *   from design/domain.md. Every category placement is therefore attributed.
 * - LEAD UNITS: the annex names, per field, the units that "细化落实…质量要求"; where it names one unit (牵头负责) the
 *   item gets that unit; where it names several (按职责分工负责), which one leads which item is not stated, so the
 *   choice and its reason are recorded. Either way the annex does not name a lead unit per item, so every item
 *   keeps `lead_unit_stated = false` and the basis quotes the annex row.
 *
 * No runtime dependencies besides the catalogue's citation type.
 */
import type { Citation } from './national-catalog';

/** One row of seed 000's annex that names the units of a field (rows 4–12). */
export type AnnexRow = {
  readonly row: number;
  /** line in seed 000 */
  readonly line: number;
  readonly fieldCode: string;
  /** the row's 负责单位 cell, verbatim */
  readonly quote: string;
  /** the units named, in the row's order (codes of national-catalog organisations) */
  readonly units: readonly string[];
  /** 牵头负责 (one unit leads) vs 按职责分工负责 (several, by remit) */
  readonly single: boolean;
};

export const annexRows: readonly AnnexRow[] = [
  {
    row: 4,
    line: 156,
    fieldCode: 'F21-CHILDCARE',
    quote: '教育部、国家卫生健康委、民政部、国家中医药局按职责分工负责',
    units: ['MOE', 'NHC', 'MCA', 'NATCM'],
    single: false,
  },
  { row: 5, line: 157, fieldCode: 'F21-EDUCATION', quote: '教育部牵头负责', units: ['MOE'], single: true },
  { row: 6, line: 158, fieldCode: 'F21-EMPLOYMENT', quote: '人力资源社会保障部牵头负责', units: ['MOHRSS'], single: true },
  {
    row: 7,
    line: 159,
    fieldCode: 'F21-HEALTH',
    quote: '国家卫生健康委、国家医保局、国家中医药局按职责分工负责',
    units: ['NHC', 'NHSA', 'NATCM'],
    single: false,
  },
  {
    row: 8,
    line: 161,
    fieldCode: 'F21-ELDERLY',
    quote: '民政部、人力资源社会保障部、国家卫生健康委、国家中医药局按职责分工负责',
    units: ['MCA', 'MOHRSS', 'NHC', 'NATCM'],
    single: false,
  },
  { row: 9, line: 162, fieldCode: 'F21-HOUSING', quote: '住房和城乡建设部牵头负责', units: ['MOHURD'], single: true },
  {
    row: 10,
    line: 163,
    fieldCode: 'F21-VULNERABLE',
    quote: '民政部、人力资源社会保障部、司法部、应急管理部、国家医保局、中国残联等按职责分工负责',
    units: ['MCA', 'MOHRSS', 'MOJ', 'MEM', 'NHSA', 'CDPF'],
    single: false,
  },
  { row: 11, line: 164, fieldCode: 'F21-MILITARY', quote: '退役军人事务部牵头负责', units: ['MVA'], single: true },
  {
    row: 12,
    line: 165,
    fieldCode: 'F21-CULTURE-SPORTS',
    quote: '中央宣传部、文化和旅游部、广电总局、体育总局、国家文物局等按职责分工负责',
    units: ['PD', 'MCT', 'NRTA', 'GAS', 'NCHA'],
    single: false,
  },
];

/** Where an item is placed and why. */
export type ItemPlacement = {
  readonly itemCode: string;
  readonly fieldCode: string;
  readonly categoryCode: string;
  /** Stated: a seed sentence places the item's service in the field (quoted). Attributed: the reason. */
  readonly field: { readonly stated: true; readonly citation: Citation } | { readonly stated: false; readonly reason: string };
  /** Always attributed (the category names are not in the seeds); the reason says which category name it follows. */
  readonly categoryReason: string;
  readonly leadUnit: string;
  /** Why this unit: the annex row, and for rows naming several units, which remit decided it. */
  readonly leadUnitReason: string;
};

const c000 = (line: number | readonly number[], quote: string): Citation => ({ seed: '000', lines: typeof line === 'number' ? [line] : line, quote });
const c002 = (line: number, quote: string): Citation => ({ seed: '002', lines: [line], quote });

const CATEGORY_NOTE = '22类的类别名称不在种子文件中（002第18行只给出“22类服务事项”这一数目），取自 design/domain.md';
const byName = (name: string, why = ''): string => `${CATEGORY_NOTE}；按类别名“${name}”归入${why ? `（${why}）` : ''}`;

type Row = readonly [
  itemCode: string,
  fieldCode: string,
  categoryCode: string,
  categoryName: string,
  field: ItemPlacement['field'],
  leadUnit: string,
  leadWhy: string,
  categoryWhy?: string,
];

// Field paragraphs of seed 000 §三 (line numbers in seed 000).
const CHILD = 84;
const EDU = 86;
const EMP = 88;
const HEALTH = 92;
const ELDER = 94;
const HOUSE = 96;
const WEAK = 98;
const MIL = 102;
const CULT = 104;

const single = '';
const stated = (line: number | readonly number[], quote: string): ItemPlacement['field'] => ({ stated: true, citation: c000(line, quote) });
const stated002 = (line: number, quote: string): ItemPlacement['field'] => ({ stated: true, citation: c002(line, quote) });
const attributed = (reason: string): ItemPlacement['field'] => ({ stated: false, reason });

const PUBLIC_HEALTH_PACKAGE =
  '000 §(十一)（第92行）只概括列举“居民健康档案、健康教育、健康管理、传染病地方病及突发公共卫生事件报告和处理、免费提供避孕药具等基本公共卫生服务项目”，未点名本项目；与其他基本公共卫生服务项目一并归入病有所医';

const ROWS: readonly Row[] = [
  // ---- 公共教育 → 学有所教 (annex row 5: 教育部牵头负责) --------------------------------------------------
  [
    'EDU-01',
    'F21-EDUCATION',
    'C21-COMPULSORY-EDUCATION',
    '义务教育服务',
    stated(EDU, '国家为九年制义务教育提供公用经费保障和免费教科书、免除学杂费'),
    'MOE',
    single,
  ],
  ['EDU-02', 'F21-EDUCATION', 'C21-COMPULSORY-EDUCATION', '义务教育服务', stated(EDU, '为贫困地区农村学生提供营养膳食补助'), 'MOE', single],
  ['EDU-03', 'F21-EDUCATION', 'C21-COMPULSORY-EDUCATION', '义务教育服务', stated(EDU, '为家庭经济困难寄宿生提供生活补助'), 'MOE', single],
  [
    'EDU-04',
    'F21-EDUCATION',
    'C21-PRESCHOOL-AID',
    '学前教育助学服务',
    attributed(
      '000 §(八)（第84行）把“为普惠性幼儿园在园家庭经济困难儿童、孤儿和残疾儿童提供学前教育资助”写在幼有所育下；22类中的“学前教育助学服务”属学有所教（design/domain.md，非种子），本项按类别归入学有所教',
    ),
    'MOE',
    '附件第4行（幼有所育）与第5行（学有所教）都列有教育部，两种归类下均为教育部',
  ],
  ['EDU-05', 'F21-EDUCATION', 'C21-VOCATIONAL-AID', '职业教育助学服务', stated(EDU, '提供中等职业教育国家助学金和普通高中教育国家助学金'), 'MOE', single],
  ['EDU-06', 'F21-EDUCATION', 'C21-VOCATIONAL-AID', '职业教育助学服务', stated(EDU, '对符合条件的中等职业教育在校生免除学杂费'), 'MOE', single],
  ['EDU-07', 'F21-EDUCATION', 'C21-HIGH-SCHOOL-AID', '普通高中助学服务', stated(EDU, '提供中等职业教育国家助学金和普通高中教育国家助学金'), 'MOE', single],
  ['EDU-08', 'F21-EDUCATION', 'C21-HIGH-SCHOOL-AID', '普通高中助学服务', stated(EDU, '对普通高中建档立卡等家庭经济困难学生免除学杂费'), 'MOE', single],

  // ---- 劳动就业创业 → 劳有所得 (annex row 6: 人力资源社会保障部牵头负责) ----------------------------------
  ['EMP-01', 'F21-EMPLOYMENT', 'C21-EMPLOYMENT-SERVICE', '就业创业服务', stated(EMP, '国家开展公共就业创业服务'), 'MOHRSS', single],
  ['EMP-02', 'F21-EMPLOYMENT', 'C21-EMPLOYMENT-SERVICE', '就业创业服务', stated(EMP, '国家开展公共就业创业服务'), 'MOHRSS', single],
  ['EMP-03', 'F21-EMPLOYMENT', 'C21-EMPLOYMENT-SERVICE', '就业创业服务', stated(EMP, '为零就业家庭和符合条件的就业困难人员提供就业援助'), 'MOHRSS', single],
  [
    'EMP-04',
    'F21-EMPLOYMENT',
    'C21-EMPLOYMENT-SERVICE',
    '就业创业服务',
    stated(EMP, '为劳动者提供就业见习、大中城市联合招聘、“12333”热线电话咨询等服务'),
    'MOHRSS',
    single,
  ],
  [
    'EMP-05',
    'F21-EMPLOYMENT',
    'C21-EMPLOYMENT-SERVICE',
    '就业创业服务',
    stated(EMP, '为劳动者提供就业见习、大中城市联合招聘、“12333”热线电话咨询等服务'),
    'MOHRSS',
    single,
  ],
  [
    'EMP-06',
    'F21-EMPLOYMENT',
    'C21-EMPLOYMENT-SERVICE',
    '就业创业服务',
    stated(EMP, '提供职业技能培训和技能鉴定、劳动关系协调、劳动人事争议调解仲裁和劳动保障监察等服务'),
    'MOHRSS',
    single,
  ],
  [
    'EMP-07',
    'F21-EMPLOYMENT',
    'C21-EMPLOYMENT-SERVICE',
    '就业创业服务',
    stated(EMP, '为劳动者提供就业见习、大中城市联合招聘、“12333”热线电话咨询等服务'),
    'MOHRSS',
    single,
  ],
  [
    'EMP-08',
    'F21-EMPLOYMENT',
    'C21-EMPLOYMENT-SERVICE',
    '就业创业服务',
    stated(EMP, '提供职业技能培训和技能鉴定、劳动关系协调、劳动人事争议调解仲裁和劳动保障监察等服务'),
    'MOHRSS',
    single,
    '劳有所得只有“就业创业服务”“工伤失业保险服务”两类，劳动关系类服务就近归入前者',
  ],
  [
    'EMP-09',
    'F21-EMPLOYMENT',
    'C21-EMPLOYMENT-SERVICE',
    '就业创业服务',
    stated(EMP, '提供职业技能培训和技能鉴定、劳动关系协调、劳动人事争议调解仲裁和劳动保障监察等服务'),
    'MOHRSS',
    single,
    '劳有所得只有“就业创业服务”“工伤失业保险服务”两类，劳动关系类服务就近归入前者',
  ],
  [
    'EMP-10',
    'F21-EMPLOYMENT',
    'C21-EMPLOYMENT-SERVICE',
    '就业创业服务',
    stated(EMP, '提供职业技能培训和技能鉴定、劳动关系协调、劳动人事争议调解仲裁和劳动保障监察等服务'),
    'MOHRSS',
    single,
    '劳有所得只有“就业创业服务”“工伤失业保险服务”两类，劳动关系类服务就近归入前者',
  ],

  // ---- 社会保险 → 老有所养 / 病有所医 / 劳有所得 -------------------------------------------------------------
  [
    'INS-01',
    'F21-ELDERLY',
    'C21-PENSION-INSURANCE',
    '养老保险服务',
    stated(ELDER, '完善城镇职工基本养老保险和城乡居民基本养老保险制度'),
    'MOHRSS',
    '附件第8行列四个单位，未分到项目；基本养老保险由人力资源社会保障部主管（种子外常识）',
  ],
  [
    'INS-02',
    'F21-ELDERLY',
    'C21-PENSION-INSURANCE',
    '养老保险服务',
    stated(ELDER, '完善城镇职工基本养老保险和城乡居民基本养老保险制度'),
    'MOHRSS',
    '附件第8行列四个单位，未分到项目；基本养老保险由人力资源社会保障部主管（种子外常识）',
  ],
  [
    'INS-03',
    'F21-HEALTH',
    'C21-MEDICAL-INSURANCE',
    '医疗保险服务',
    attributed('000 §(十一)（第92行）在病有所医下写“完善统一的城乡居民基本医疗保险制度和生育保险制度”，未提职工基本医疗保险；与同类医保项目一并归入病有所医'),
    'NHSA',
    '附件第7行列三个单位，未分到项目；基本医疗保险由国家医保局主管（种子外常识）',
  ],
  [
    'INS-04',
    'F21-HEALTH',
    'C21-MEDICAL-INSURANCE',
    '医疗保险服务',
    stated(HEALTH, '完善统一的城乡居民基本医疗保险制度和生育保险制度'),
    'NHSA',
    '附件第7行列三个单位，未分到项目；生育保险由国家医保局主管（种子外常识）',
  ],
  [
    'INS-05',
    'F21-HEALTH',
    'C21-MEDICAL-INSURANCE',
    '医疗保险服务',
    stated(HEALTH, '完善统一的城乡居民基本医疗保险制度和生育保险制度'),
    'NHSA',
    '附件第7行列三个单位，未分到项目；基本医疗保险由国家医保局主管（种子外常识）',
  ],
  ['INS-06', 'F21-EMPLOYMENT', 'C21-INJURY-UNEMPLOYMENT-INSURANCE', '工伤失业保险服务', stated(EMP, '健全工伤、失业保险制度'), 'MOHRSS', single],
  ['INS-07', 'F21-EMPLOYMENT', 'C21-INJURY-UNEMPLOYMENT-INSURANCE', '工伤失业保险服务', stated(EMP, '健全工伤、失业保险制度'), 'MOHRSS', single],

  // ---- 医疗卫生 → 病有所医 / 幼有所育 / 老有所养 ------------------------------------------------------------
  [
    'HEA-01',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    stated(HEALTH, '国家实施居民健康档案、健康教育、健康管理、传染病地方病及突发公共卫生事件报告和处理、免费提供避孕药具等基本公共卫生服务项目'),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-02',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    stated(HEALTH, '国家实施居民健康档案、健康教育、健康管理、传染病地方病及突发公共卫生事件报告和处理、免费提供避孕药具等基本公共卫生服务项目'),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-03',
    'F21-CHILDCARE',
    'C21-CHILD-HEALTH',
    '儿童健康服务',
    stated(CHILD, '为0—6岁儿童提供健康管理和预防接种'),
    'NHC',
    '附件第4行列四个单位，未分到项目；预防接种由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-04',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    stated(HEALTH, '国家实施居民健康档案、健康教育、健康管理、传染病地方病及突发公共卫生事件报告和处理、免费提供避孕药具等基本公共卫生服务项目'),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-05',
    'F21-CHILDCARE',
    'C21-CHILD-HEALTH',
    '儿童健康服务',
    stated(CHILD, '为0—6岁儿童提供健康管理和预防接种'),
    'NHC',
    '附件第4行列四个单位，未分到项目；儿童健康管理由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-06',
    'F21-CHILDCARE',
    'C21-PRENATAL',
    '优孕优生服务',
    stated(CHILD, '国家提供孕期优生优育服务'),
    'NHC',
    '附件第4行列四个单位，未分到项目；孕产妇健康管理由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-07',
    'F21-ELDERLY',
    'C21-ELDERLY-CARE',
    '养老助老服务',
    stated(ELDER, '国家为 65 岁及以上老年人提供健康管理服务'),
    'NHC',
    '附件第8行列四个单位，未分到项目；老年人健康管理由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-08',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    attributed(PUBLIC_HEALTH_PACKAGE),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-09',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    attributed(PUBLIC_HEALTH_PACKAGE),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-10',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    attributed(PUBLIC_HEALTH_PACKAGE),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-11',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    attributed(PUBLIC_HEALTH_PACKAGE),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-12',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    attributed(PUBLIC_HEALTH_PACKAGE),
    'NATCM',
    '附件第7行列有国家中医药局；中医药健康管理按其职责归国家中医药局（推定）',
  ],
  [
    'HEA-13',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    attributed(PUBLIC_HEALTH_PACKAGE),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-14',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    attributed(PUBLIC_HEALTH_PACKAGE),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本公共卫生服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-15',
    'F21-CHILDCARE',
    'C21-PRENATAL',
    '优孕优生服务',
    stated(CHILD, '对符合条件的农村计划怀孕夫妇实施免费孕前优生健康检查'),
    'NHC',
    '附件第4行列四个单位，未分到项目；孕前优生健康检查由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-16',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    stated(HEALTH, '推行基本药物制度'),
    'NHC',
    '附件第7行列三个单位，未分到项目；基本药物制度由国家卫生健康委主管（种子外常识）',
    '病有所医三类中无与基本药物制度对应的类别，就近归入公共卫生服务',
  ],
  [
    'HEA-17',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    attributed('000 §(十一)（第92行）把“免费提供避孕药具”列为病有所医下的基本公共卫生服务项目，未点名计划生育技术指导咨询；按此归入病有所医'),
    'NHC',
    '附件第7行列三个单位，未分到项目；计划生育服务由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-18',
    'F21-HEALTH',
    'C21-FAMILY-PLANNING-AID',
    '计划生育扶助服务',
    stated(HEALTH, '开展农村部分计划生育家庭奖励扶助和计划生育家庭特别扶助'),
    'NHC',
    '附件第7行列三个单位，未分到项目；计划生育家庭扶助由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-19',
    'F21-HEALTH',
    'C21-FAMILY-PLANNING-AID',
    '计划生育扶助服务',
    stated(HEALTH, '开展农村部分计划生育家庭奖励扶助和计划生育家庭特别扶助'),
    'NHC',
    '附件第7行列三个单位，未分到项目；计划生育家庭扶助由国家卫生健康委主管（种子外常识）',
  ],
  [
    'HEA-20',
    'F21-HEALTH',
    'C21-PUBLIC-HEALTH',
    '公共卫生服务',
    stated(HEALTH, '保障食品药品安全'),
    'NHC',
    '附件第7行未列食品药品监管部门；取该行首列单位国家卫生健康委（推定）',
    '病有所医三类中无与食品药品安全对应的类别，就近归入公共卫生服务',
  ],

  // ---- 社会服务 → 弱有所扶 / 老有所养 / 幼有所育 / 优军服务保障 ---------------------------------------------
  [
    'SOC-01',
    'F21-VULNERABLE',
    'C21-SOCIAL-ASSISTANCE',
    '社会救助服务',
    stated(WEAK, '为符合条件的城乡居民提供最低生活保障、特困人员供养、医疗救助、临时救助和受灾人员救助'),
    'MCA',
    '附件第10行列六个单位，未分到项目；最低生活保障由民政部主管（种子外常识）',
  ],
  [
    'SOC-02',
    'F21-VULNERABLE',
    'C21-SOCIAL-ASSISTANCE',
    '社会救助服务',
    stated(WEAK, '为符合条件的城乡居民提供最低生活保障、特困人员供养、医疗救助、临时救助和受灾人员救助'),
    'MCA',
    '附件第10行列六个单位，未分到项目；特困人员救助供养由民政部主管（种子外常识）',
  ],
  [
    'SOC-03',
    'F21-VULNERABLE',
    'C21-SOCIAL-ASSISTANCE',
    '社会救助服务',
    stated(WEAK, '为符合条件的城乡居民提供最低生活保障、特困人员供养、医疗救助、临时救助和受灾人员救助'),
    'NHSA',
    '附件第10行列有国家医保局；医疗救助由国家医保局主管（种子外常识）',
  ],
  [
    'SOC-04',
    'F21-VULNERABLE',
    'C21-SOCIAL-ASSISTANCE',
    '社会救助服务',
    stated(WEAK, '为符合条件的城乡居民提供最低生活保障、特困人员供养、医疗救助、临时救助和受灾人员救助'),
    'MCA',
    '附件第10行列六个单位，未分到项目；临时救助由民政部主管（种子外常识）',
  ],
  [
    'SOC-05',
    'F21-VULNERABLE',
    'C21-SOCIAL-ASSISTANCE',
    '社会救助服务',
    stated(WEAK, '为符合条件的城乡居民提供最低生活保障、特困人员供养、医疗救助、临时救助和受灾人员救助'),
    'MEM',
    '附件第10行列有应急管理部；受灾人员救助由应急管理部主管（种子外常识）',
  ],
  [
    'SOC-06',
    'F21-VULNERABLE',
    'C21-PUBLIC-LEGAL-SERVICE',
    '公共法律服务',
    stated(WEAK, '为经济困难等符合条件的公民提供法律援助'),
    'MOJ',
    '附件第10行列有司法部；法律援助由司法部主管（种子外常识）',
  ],
  [
    'SOC-07',
    'F21-ELDERLY',
    'C21-ELDERLY-CARE',
    '养老助老服务',
    stated(ELDER, '为经济困难的高龄、失能老年人提供福利补贴'),
    'MCA',
    '附件第8行列四个单位，未分到项目；老年人福利补贴由民政部主管（种子外常识）',
  ],
  [
    'SOC-08',
    'F21-CHILDCARE',
    'C21-CHILD-CARE',
    '儿童关爱服务',
    stated(CHILD, '加强困境儿童保障和农村留守儿童关爱保护'),
    'MCA',
    '附件第4行列四个单位，未分到项目；困境儿童保障由民政部主管（种子外常识）',
  ],
  [
    'SOC-09',
    'F21-CHILDCARE',
    'C21-CHILD-CARE',
    '儿童关爱服务',
    stated(CHILD, '加强困境儿童保障和农村留守儿童关爱保护'),
    'MCA',
    '附件第4行列四个单位，未分到项目；农村留守儿童关爱保护由民政部主管（种子外常识）',
  ],
  [
    'SOC-10',
    'F21-VULNERABLE',
    'C21-SOCIAL-ASSISTANCE',
    '社会救助服务',
    stated002(27, '——弱有所扶领域。完善困难群众基本生活保障、基本殡葬、医疗救助相关设施设备配置、服务管理标准。'),
    'MCA',
    '附件第10行列六个单位，未分到项目；基本殡葬服务由民政部主管（种子外常识）',
    '弱有所扶三类中无殡葬类别，就近归入社会救助服务',
  ],
  ['SOC-11', 'F21-MILITARY', 'C21-VETERAN-PREFERENTIAL', '优军优抚服务', stated(MIL, '对符合条件的优抚对象提供抚恤和生活补助'), 'MVA', single],
  ['SOC-12', 'F21-MILITARY', 'C21-VETERAN-PREFERENTIAL', '优军优抚服务', stated(MIL, '妥善安置退役军人，为退役军人提供就业创业等服务'), 'MVA', single],
  ['SOC-13', 'F21-MILITARY', 'C21-VETERAN-PREFERENTIAL', '优军优抚服务', stated(MIL, '对重点优抚对象按规定实行集中供养'), 'MVA', single],

  // ---- 住房保障 → 住有所居 (annex row 9: 住房和城乡建设部牵头负责) ----------------------------------------
  ['HOU-01', 'F21-HOUSING', 'C21-PUBLIC-RENTAL-HOUSING', '公租房服务', stated(HOUSE, '为符合条件的住房困难家庭和人员提供公租房保障'), 'MOHURD', single],
  ['HOU-02', 'F21-HOUSING', 'C21-HOUSING-RENOVATION', '住房改造服务', stated(HOUSE, '为符合条件的棚户区居民提供城镇棚户区住房改造'), 'MOHURD', single],
  ['HOU-03', 'F21-HOUSING', 'C21-HOUSING-RENOVATION', '住房改造服务', stated(HOUSE, '支持符合条件的贫困农户改造危房'), 'MOHURD', single],

  // ---- 公共文化体育 → 文体服务保障 (annex row 12: five units 按职责分工负责) -------------------------------
  [
    'CUL-01',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-CULTURE',
    '公共文化服务',
    stated(CULT, '推动公共文化设施免费开放或优惠开放'),
    'MCT',
    '附件第12行列五个单位，未分到项目；公共文化设施由文化和旅游部主管（种子外常识）',
  ],
  [
    'CUL-02',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-CULTURE',
    '公共文化服务',
    stated(CULT, '为农村乡镇送戏曲等文艺演出'),
    'MCT',
    '附件第12行列五个单位，未分到项目；文艺演出由文化和旅游部主管（种子外常识）',
  ],
  [
    'CUL-03',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-CULTURE',
    '公共文化服务',
    stated(CULT, '为全民提供应急广播服务，保障广播电视节目有效覆盖'),
    'NRTA',
    '附件第12行列有广电总局；广播由广电总局主管（种子外常识）',
  ],
  [
    'CUL-04',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-CULTURE',
    '公共文化服务',
    stated(CULT, '为全民提供应急广播服务，保障广播电视节目有效覆盖'),
    'NRTA',
    '附件第12行列有广电总局；电视由广电总局主管（种子外常识）',
  ],
  [
    'CUL-05',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-CULTURE',
    '公共文化服务',
    stated(CULT, '为农村群众放映数字电影，为中小学生放映爱国主义教育影片'),
    'PD',
    '附件第12行列有中央宣传部；电影工作由中央宣传部（国家电影局）主管（种子外常识）',
  ],
  [
    'CUL-06',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-CULTURE',
    '公共文化服务',
    stated(CULT, '配备图书、报刊和电子书刊，并免费提供借阅服务'),
    'MCT',
    '附件第12行列五个单位，未分到项目；公共图书馆由文化和旅游部主管（种子外常识）',
  ],
  [
    'CUL-07',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-CULTURE',
    '公共文化服务',
    stated(CULT, '为主要少数民族地区居民提供少数民族文化服务'),
    'MCT',
    '附件第12行列五个单位，未分到项目；少数民族文化服务归文化和旅游部（推定）',
  ],
  [
    'CUL-08',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-CULTURE',
    '公共文化服务',
    attributed('000 §(十六)（第104行）未点名文化遗产；002 第29行文体服务保障领域列有博物馆标准，按此归入文体服务保障'),
    'NCHA',
    '附件第12行列有国家文物局；文化遗产由国家文物局主管（种子外常识）',
  ],
  [
    'CUL-09',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-SPORTS',
    '公共体育服务',
    stated002(29, '健全体育公园、全民健身中心、公共体育场馆、社会足球场地、健身步道、户外运动设施等建设和服务标准规范'),
    'GAS',
    '附件第12行列有体育总局；公共体育场馆由体育总局主管（种子外常识）',
  ],
  [
    'CUL-10',
    'F21-CULTURE-SPORTS',
    'C21-PUBLIC-SPORTS',
    '公共体育服务',
    stated(CULT, '开展全民健身服务'),
    'GAS',
    '附件第12行列有体育总局；全民健身由体育总局主管（种子外常识）',
  ],

  // ---- 残疾人服务 → 弱有所扶 (annex row 10; 中国残联) -------------------------------------------------------
  ...(
    [
      ['DIS-01', stated([98, 100], '为符合条件的困难残疾人提供生活补贴和重度残疾人护理补贴')],
      ['DIS-02', stated([98, 100], '为符合条件的无业重度残疾人提供最低生活保障')],
      ['DIS-03', stated(WEAK, '为贫困和重度残疾人参加社会保险提供个人缴费资助和保险待遇')],
      ['DIS-04', stated(WEAK, '为残疾人提供康复、托养、教育、就业、住房、文化体育、无障碍环境支持等服务')],
      ['DIS-05', stated(WEAK, '为残疾人提供康复、托养、教育、就业、住房、文化体育、无障碍环境支持等服务')],
      ['DIS-06', stated(WEAK, '为残疾人提供康复、托养、教育、就业、住房、文化体育、无障碍环境支持等服务')],
      ['DIS-07', stated(WEAK, '为残疾人提供康复、托养、教育、就业、住房、文化体育、无障碍环境支持等服务')],
      ['DIS-08', stated(WEAK, '为残疾人提供康复、托养、教育、就业、住房、文化体育、无障碍环境支持等服务')],
      ['DIS-09', stated(WEAK, '为残疾人提供康复、托养、教育、就业、住房、文化体育、无障碍环境支持等服务')],
      ['DIS-10', stated(WEAK, '为残疾人提供康复、托养、教育、就业、住房、文化体育、无障碍环境支持等服务')],
    ] as const
  ).map(([code, field]): Row => [
    code,
    'F21-VULNERABLE',
    'C21-DISABILITY-SUPPORT',
    '扶残助残服务',
    field,
    'CDPF',
    '附件第10行列有中国残联；残疾人服务项目归中国残联（推定）',
  ]),
];

export const placements2021: readonly ItemPlacement[] = ROWS.map(([itemCode, fieldCode, categoryCode, categoryName, field, leadUnit, leadWhy, categoryWhy]) => {
  const row = annexRows.find((r) => r.fieldCode === fieldCode);
  if (!row) throw new Error(`no annex row for ${fieldCode}`);
  const annex = `000 附件“重点任务分工方案”第${row.row}行（第${row.line}行）：${row.quote}`;
  return {
    itemCode,
    fieldCode,
    categoryCode,
    field,
    categoryReason: byName(categoryName, categoryWhy),
    leadUnit,
    leadUnitReason: leadWhy === '' ? `${annex}（该行只列一个牵头单位；附件未逐项列明，故仍为推定）` : `${annex}。${leadWhy}`,
  };
});

export const placementByItem: ReadonlyMap<string, ItemPlacement> = new Map(placements2021.map((p) => [p.itemCode, p]));

/** The seed text an item's field placement rests on, or the reason it was attributed. */
export function fieldBasis(p: ItemPlacement): string {
  return p.field.stated ? `${p.field.citation.seed} 第${p.field.citation.lines.join('、')}行：“${p.field.citation.quote}”` : `推定：${p.field.reason}`;
}

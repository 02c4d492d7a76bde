/**
 * The national basic public service catalogue as extracted by hand from the seed documents
 * in ../shared/seeds (the ground truth).
 *
 * - `baselineEdition`: the 2017 national list of 国发〔2017〕9号 (seed 001), 81 items in 8 fields. Item
 *   names are copied verbatim from the "本领域服务项目共N项，具体包括：…" sentence that opens chapters 4–11.
 *   The list's annex table (附件1) is NOT reproduced in the seed, so most per-item attributes are unknown.
 *   An attribute is `{ stated: true }` only where a seed sentence says it about that item; the citation gives
 *   the seed, the 1-based line number(s) and a verbatim quote (for a multi-line citation the quote is the
 *   concatenation of the cited lines' text, without the line breaks). Everything else is `{ stated: false }`.
 *   No figure here comes from anywhere but a seed.
 * - Statements taken from seed 000 (中办发〔2018〕55号 §三, "国家基本公共服务质量要求") describe the same services
 *   one year later, in the 2018 9-field framing; they are cited as seed '000'.
 * - `seedLevelStatements`: quantitative levels found in the seeds that are NOT a single item's service
 *   standard (a package-wide funding standard, national 2015 status figures). Kept so that nothing stated is
 *   lost, but deliberately not attached to `qualityStandard`, which platform code treats as a floor/cap.
 * - `taxonomy2021`: from design/domain.md; the 22 category names are not in the seeds.
 * - `organisations`: reference data (ministries, provincial-level divisions).
 *
 * No runtime dependencies.
 */

// ---------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------

export type SeedId = '000' | '001' | '002' | '003' | '004';

export type Citation = { readonly seed: SeedId; readonly lines: readonly number[]; readonly quote: string };

export type Stated<T> = { readonly stated: true; readonly value: T; readonly citation: Citation } | { readonly stated: false };

/** GTE: the level must be at least value (floor); LTE: at most (e.g. a ratio cap); EQ: exactly. */
export type Comparator = 'GTE' | 'LTE' | 'EQ';

export type QualityMetric = {
  /** stable snake_case id, e.g. 'funding_per_capita' */
  readonly metric: string;
  /** Chinese label */
  readonly label: string;
  readonly comparator: Comparator;
  readonly value: number;
  /** e.g. 'CNY', 'percent' */
  readonly unit: string;
  /** e.g. 'per_person_per_year' */
  readonly basis: string;
  /** ISO date if the seed dates the level, e.g. '2015-12-31' */
  readonly asOf?: string;
};

export type QualityStandard = {
  /** original Chinese */
  readonly text: string;
  readonly metrics: readonly QualityMetric[];
};

export type ExpenditureResponsibility = {
  readonly kind: 'CENTRAL' | 'LOCAL' | 'SHARED';
  readonly text: string;
  readonly centralShareByRegionTier?: Readonly<Record<string, number>>;
};

export type PaymentCategory = 'FREE_SERVICE' | 'CASH_SUBSIDY' | 'INSURANCE_BENEFIT' | 'FEE_WAIVER' | 'OTHER';

export type SeedField = {
  readonly code: string;
  readonly name: string;
  /** e.g. '第四章　基本公共教育' (with the ideographic space U+3000 used in the seed) */
  readonly chapter: string;
  readonly order: number;
  readonly itemCount: number;
};

export type SeedItem = {
  /** stable id, e.g. 'EDU-01' .. 'DIS-10' (field prefix + 2-digit order within the field, in seed order) */
  readonly code: string;
  /** exactly as in the seed's list */
  readonly name: string;
  readonly fieldCode: string;
  readonly order: number;
  /** the "具体包括" sentence line */
  readonly listCitation: Citation;
  readonly serviceTarget: Stated<string>;
  readonly serviceContent: Stated<string>;
  readonly qualityStandard: Stated<QualityStandard>;
  readonly paymentCategory: Stated<PaymentCategory>;
  readonly expenditureResponsibility: Stated<ExpenditureResponsibility>;
  readonly leadUnit: Stated<{ readonly code: string; readonly name: string }>;
};

export type BaselineEdition = {
  readonly id: '2017-national-list';
  readonly title: string;
  readonly document: '国发〔2017〕9号';
  readonly issuedOn: '2017-01-23';
  readonly effectiveFrom: '2017-01-23';
  readonly fields: readonly SeedField[];
  readonly items: readonly SeedItem[];
};

export type Taxonomy = {
  readonly fields: readonly {
    readonly code: string;
    readonly name: string;
    readonly categories: readonly { readonly code: string; readonly name: string }[];
  }[];
};

export type RegionTier = 'EAST' | 'CENTRAL' | 'WEST';

export type Organisations = {
  readonly ministries: readonly { readonly code: string; readonly name: string }[];
  readonly provinces: readonly { readonly code: string; readonly name: string; readonly regionTier: RegionTier }[];
};

/**
 * A quantitative level stated in a seed that is not (or not clearly) the service standard of one item.
 * - PACKAGE_STANDARD: a standard level for a package of items as a whole (not per item).
 * - NATIONAL_STATUS: a national achieved figure (e.g. "截至2015年…达到98%"), a national average, not a floor.
 * `appliesToBasis`: 'SEED_TEXT' = the sentence names the service in words that denote those items;
 * 'CONVENTIONAL' = membership is outside knowledge (explained in `note`), the seed does not enumerate it.
 */
export type SeedLevelStatement = {
  readonly id: string;
  readonly kind: 'PACKAGE_STANDARD' | 'NATIONAL_STATUS';
  readonly metric: QualityMetric;
  readonly appliesTo: readonly string[];
  readonly appliesToBasis: 'SEED_TEXT' | 'CONVENTIONAL';
  readonly citation: Citation;
  readonly note: string;
};

// ---------------------------------------------------------------------------------------------------------
// Helpers (pure, build-time only)
// ---------------------------------------------------------------------------------------------------------

const NOT_STATED = { stated: false } as const;

function cite(seed: SeedId, lines: number | readonly number[], quote: string): Citation {
  return { seed, lines: typeof lines === 'number' ? [lines] : lines, quote };
}

function stated<T>(value: T, citation: Citation): Stated<T> {
  return { stated: true, value, citation };
}

// ---------------------------------------------------------------------------------------------------------
// Fields of the 2017 list (seed 001, 第三章第二节 line 96 names the eight fields; chapters 4–11 list the items)
// ---------------------------------------------------------------------------------------------------------

type FieldDef = {
  readonly prefix: string;
  readonly field: SeedField;
  /** line in seed 001 of the "本领域服务项目共N项，具体包括：…" sentence */
  readonly listLine: number;
  /** the sentence, verbatim */
  readonly listSentence: string;
  readonly names: readonly string[];
};

const FIELD_DEFS: readonly FieldDef[] = [
  {
    prefix: 'EDU',
    field: { code: 'F17-EDU', name: '公共教育', chapter: '第四章　基本公共教育', order: 1, itemCount: 8 },
    listLine: 120,
    listSentence:
      '本领域服务项目共8项，具体包括：免费义务教育、农村义务教育学生营养改善、寄宿生生活补助、普惠性学前教育资助、中等职业教育国家助学金、中等职业教育免除学杂费、普通高中国家助学金、免除普通高中建档立卡等家庭经济困难学生学杂费。',
    names: [
      '免费义务教育',
      '农村义务教育学生营养改善',
      '寄宿生生活补助',
      '普惠性学前教育资助',
      '中等职业教育国家助学金',
      '中等职业教育免除学杂费',
      '普通高中国家助学金',
      '免除普通高中建档立卡等家庭经济困难学生学杂费',
    ],
  },
  {
    prefix: 'EMP',
    field: { code: 'F17-EMP', name: '劳动就业创业', chapter: '第五章　基本劳动就业创业', order: 2, itemCount: 10 },
    listLine: 157,
    listSentence:
      '本领域服务项目共10项，具体包括：基本公共就业服务、创业服务、就业援助、就业见习服务、大中城市联合招聘服务、职业技能培训和技能鉴定、“12333”人力资源和社会保障服务热线电话咨询、劳动关系协调、劳动人事争议调解仲裁、劳动保障监察。',
    names: [
      '基本公共就业服务',
      '创业服务',
      '就业援助',
      '就业见习服务',
      '大中城市联合招聘服务',
      '职业技能培训和技能鉴定',
      '“12333”人力资源和社会保障服务热线电话咨询',
      '劳动关系协调',
      '劳动人事争议调解仲裁',
      '劳动保障监察',
    ],
  },
  {
    prefix: 'INS',
    field: { code: 'F17-INS', name: '社会保险', chapter: '第六章　基本社会保险', order: 3, itemCount: 7 },
    listLine: 191,
    listSentence:
      '本领域服务项目共7项，具体包括：职工基本养老保险、城乡居民基本养老保险、职工基本医疗保险、生育保险、城乡居民基本医疗保险、失业保险、工伤保险。',
    names: ['职工基本养老保险', '城乡居民基本养老保险', '职工基本医疗保险', '生育保险', '城乡居民基本医疗保险', '失业保险', '工伤保险'],
  },
  {
    prefix: 'HEA',
    field: { code: 'F17-HEA', name: '医疗卫生', chapter: '第七章　基本医疗卫生', order: 4, itemCount: 20 },
    listLine: 216,
    listSentence:
      '本领域服务项目共20项，具体包括：居民健康档案、健康教育、预防接种、传染病及突发公共卫生事件报告和处理、儿童健康管理、孕产妇健康管理、老年人健康管理、慢性病患者管理、严重精神障碍患者管理、卫生计生监督协管、结核病患者健康管理、中医药健康管理、艾滋病病毒感染者和病人随访管理、社区艾滋病高危行为人群干预、免费孕前优生健康检查、基本药物制度、计划生育技术指导咨询、农村部分计划生育家庭奖励扶助、计划生育家庭特别扶助、食品药品安全保障。',
    names: [
      '居民健康档案',
      '健康教育',
      '预防接种',
      '传染病及突发公共卫生事件报告和处理',
      '儿童健康管理',
      '孕产妇健康管理',
      '老年人健康管理',
      '慢性病患者管理',
      '严重精神障碍患者管理',
      '卫生计生监督协管',
      '结核病患者健康管理',
      '中医药健康管理',
      '艾滋病病毒感染者和病人随访管理',
      '社区艾滋病高危行为人群干预',
      '免费孕前优生健康检查',
      '基本药物制度',
      '计划生育技术指导咨询',
      '农村部分计划生育家庭奖励扶助',
      '计划生育家庭特别扶助',
      '食品药品安全保障',
    ],
  },
  {
    prefix: 'SOC',
    field: { code: 'F17-SOC', name: '社会服务', chapter: '第八章　基本社会服务', order: 5, itemCount: 13 },
    listLine: 259,
    listSentence:
      '本领域服务项目共13项，具体包括：最低生活保障、特困人员救助供养、医疗救助、临时救助、受灾人员救助、法律援助、老年人福利补贴、困境儿童保障、农村留守儿童关爱保护、基本殡葬服务、优待抚恤、退役军人安置、重点优抚对象集中供养。',
    names: [
      '最低生活保障',
      '特困人员救助供养',
      '医疗救助',
      '临时救助',
      '受灾人员救助',
      '法律援助',
      '老年人福利补贴',
      '困境儿童保障',
      '农村留守儿童关爱保护',
      '基本殡葬服务',
      '优待抚恤',
      '退役军人安置',
      '重点优抚对象集中供养',
    ],
  },
  {
    prefix: 'HOU',
    field: { code: 'F17-HOU', name: '住房保障', chapter: '第九章　基本住房保障', order: 6, itemCount: 3 },
    listLine: 302,
    listSentence: '本领域服务项目共3项，具体包括：公共租赁住房、城镇棚户区住房改造、农村危房改造。',
    names: ['公共租赁住房', '城镇棚户区住房改造', '农村危房改造'],
  },
  {
    prefix: 'CUL',
    field: { code: 'F17-CUL', name: '公共文化体育', chapter: '第十章　基本公共文化体育', order: 7, itemCount: 10 },
    listLine: 333,
    listSentence:
      '本领域服务项目共10项，具体包括：公共文化设施免费开放、送地方戏、收听广播、观看电视、观赏电影、读书看报、少数民族文化服务、参观文化遗产、公共体育场馆开放、全民健身服务。',
    names: [
      '公共文化设施免费开放',
      '送地方戏',
      '收听广播',
      '观看电视',
      '观赏电影',
      '读书看报',
      '少数民族文化服务',
      '参观文化遗产',
      '公共体育场馆开放',
      '全民健身服务',
    ],
  },
  {
    prefix: 'DIS',
    field: { code: 'F17-DIS', name: '残疾人服务', chapter: '第十一章　残疾人基本公共服务', order: 8, itemCount: 10 },
    listLine: 373,
    listSentence:
      '本领域服务项目共10项，具体包括：困难残疾人生活补贴和重度残疾人护理补贴、无业重度残疾人最低生活保障、残疾人基本社会保险个人缴费资助和保险待遇、残疾人基本住房保障、残疾人托养服务、残疾人康复、残疾人教育、残疾人职业培训和就业服务、残疾人文化体育、无障碍环境支持。',
    names: [
      '困难残疾人生活补贴和重度残疾人护理补贴',
      '无业重度残疾人最低生活保障',
      '残疾人基本社会保险个人缴费资助和保险待遇',
      '残疾人基本住房保障',
      '残疾人托养服务',
      '残疾人康复',
      '残疾人教育',
      '残疾人职业培训和就业服务',
      '残疾人文化体育',
      '无障碍环境支持',
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------
// Per-item statements found in the seeds. Keys are item codes; anything absent is "not stated".
// ---------------------------------------------------------------------------------------------------------

type ItemStatements = {
  readonly serviceTarget?: Stated<string>;
  readonly serviceContent?: Stated<string>;
  readonly qualityStandard?: Stated<QualityStandard>;
  readonly paymentCategory?: Stated<PaymentCategory>;
  readonly expenditureResponsibility?: Stated<ExpenditureResponsibility>;
  readonly leadUnit?: Stated<{ readonly code: string; readonly name: string }>;
};

// Frequently reused citations -----------------------------------------------------------------------------

/** 000 §(九) 学有所教 */
const Q000_EDU_TEXTBOOKS = cite('000', 86, '国家为九年制义务教育提供公用经费保障和免费教科书、免除学杂费');
const Q000_EDU_BOARDERS = cite('000', 86, '为家庭经济困难寄宿生提供生活补助');
const Q000_EDU_NUTRITION = cite('000', 86, '为贫困地区农村学生提供营养膳食补助');
const Q000_EDU_VOC_FEES = cite('000', 86, '对符合条件的中等职业教育在校生免除学杂费');
const Q000_EDU_GRANTS = cite('000', 86, '提供中等职业教育国家助学金和普通高中教育国家助学金');
/** 000 §(八) 幼有所育 */
const Q000_CHILD_0_6 = cite('000', 84, '为0—6岁儿童提供健康管理和预防接种');
const Q000_PRECONCEPTION = cite('000', 84, '对符合条件的农村计划怀孕夫妇实施免费孕前优生健康检查');
/** 000 §(十) 劳有所得 */
const Q000_EMP_WORKERS = cite('000', 88, '为劳动者提供就业见习、大中城市联合招聘、“12333”热线电话咨询等服务');
const Q000_EMP_ASSIST = cite('000', 88, '为零就业家庭和符合条件的就业困难人员提供就业援助');
/** 000 §(十二) 老有所养 */
const Q000_ELDERLY_HEALTH = cite('000', 94, '为 65 岁及以上老年人提供健康管理服务');
const Q000_ELDERLY_ALLOWANCE = cite('000', 94, '为经济困难的高龄、失能老年人提供福利补贴');
/** 000 §(十三) 住有所居 */
const Q000_PUBLIC_RENTAL = cite('000', 96, '为符合条件的住房困难家庭和人员提供公租房保障');
const Q000_SHANTY = cite('000', 96, '为符合条件的棚户区居民提供城镇棚户区住房改造');
/** 000 §(十四) 弱有所扶 */
const Q000_ASSISTANCE = cite('000', 98, '为符合条件的城乡居民提供最低生活保障、特困人员供养、医疗救助、临时救助和受灾人员救助');
const Q000_LEGAL_AID = cite('000', 98, '为经济困难等符合条件的公民提供法律援助');
const Q000_DIS_INSURANCE = cite('000', 98, '为贫困和重度残疾人参加社会保险提供个人缴费资助和保险待遇');
const Q000_DIS_SUBSIDIES = cite('000', [98, 100], '为符合条件的困难残疾人提供生活补贴和重度残疾人护理补贴');
/** 000 §(十五) 优军服务保障 */
const Q000_VET_RESETTLE = cite('000', 102, '妥善安置退役军人，为退役军人提供就业创业等服务');
const Q000_VET_CARE = cite('000', 102, '对重点优抚对象按规定实行集中供养');
const Q000_VET_PENSION = cite('000', 102, '对符合条件的优抚对象提供抚恤和生活补助');
/** 000 §(十六) 文体服务保障 */
const Q000_READING = cite(
  '000',
  104,
  '国家为公共图书馆（室）、文化馆（站）和村（社区）综合文化服务中心（含农家书屋）等配备图书、报刊和电子书刊，并免费提供借阅服务，在城镇主要街道、公共场所、居民小区等人流密集地点设置阅报栏或电子阅报屏',
);
const Q000_OPERA = cite('000', 104, '为农村乡镇送戏曲等文艺演出');
const Q000_FILM = cite('000', 104, '为农村群众放映数字电影，为中小学生放映爱国主义教育影片');
const Q000_MINORITY = cite('000', 104, '为主要少数民族地区居民提供少数民族文化服务');
const Q000_BROADCAST = cite('000', 104, '为全民提供应急广播服务，保障广播电视节目有效覆盖');

/** 001 line 23 (第一章 发展基础, "截至2015年") */
const Q001_FUNDING_2015 = cite('001', 23, '国家基本公共卫生服务经费和城乡居民基本医疗保险补助标准分别提高到每人每年40元和380元');
const Q001_DIS_JOBS = cite('001', 381, '为有劳动能力和就业意愿的城乡残疾人免费提供就业创业服务，按规定提供免费职业培训');
const Q001_DIS_MINLIVING = cite('001', 378, '生活困难、靠家庭供养且无法单独立户的成年无业重度残疾人，经个人申请，可按照单人户纳入最低生活保障范围');
const Q001_DIS_EDU = cite('001', 384, '积极推进为家庭经济困难的残疾儿童、青少年提供包括义务教育和高中阶段教育在内的12年免费教育');
const Q001_LABOUR_RIGHTS = cite(
  '001',
  171,
  '加强劳动保障监察和劳动人事争议调解仲裁，推进劳动保障监察综合执法，建立劳动保障监察举报投诉案件省级联动处理机制，健全完善劳动人事争议多元处理机制，维护用人单位和劳动者合法权益',
);
const Q001_HS_FEES = cite(
  '001',
  128,
  '率先从建档立卡等家庭经济困难学生（含非建档立卡的家庭经济困难残疾学生、农村低保家庭学生、农村特困救助供养学生）实施普通高中免除学杂费',
);
const Q001_STARTUP = cite('001', 165, '鼓励公共就业服务机构为创业者提供项目选择、开业指导、融资对接、跟踪扶持等服务');
const Q001_TRAINING_GROUPS = cite('001', 168, '开展贫困家庭子女、未升学初高中毕业生、农民工、失业人员和转岗职工、退役军人、残疾人免费接受职业培训行动');
const Q001_12333 = cite(
  '001',
  186,
  '以“12333”电话咨询为重点，配备必要的服务场地和设施设备，健全咨询服务队伍和服务机制，为社会公众提供政策咨询、信息查询、信息公开、在线受理和投诉举报等服务',
);
const Q001_CULTURE_FREE = cite('001', 338, '深入推进公共图书馆、博物馆、美术馆、文化馆和综合文化站免费开放工作');

const STATEMENTS: Readonly<Record<string, ItemStatements>> = {
  // ---- 公共教育 --------------------------------------------------------------------------------------
  'EDU-01': {
    // Mixed modes (公用经费保障 + 免费教科书 + 免除学杂费): payment category deliberately left not stated.
    serviceContent: stated('公用经费保障和免费教科书、免除学杂费', Q000_EDU_TEXTBOOKS),
  },
  'EDU-02': {
    serviceTarget: stated('贫困地区农村学生', Q000_EDU_NUTRITION),
    serviceContent: stated('营养膳食补助', Q000_EDU_NUTRITION),
    // "营养膳食补助" is a subsidy delivered as meals, not cash: payment category left not stated.
  },
  'EDU-03': {
    serviceTarget: stated('家庭经济困难寄宿生', Q000_EDU_BOARDERS),
    serviceContent: stated('生活补助', Q000_EDU_BOARDERS),
    paymentCategory: stated<PaymentCategory>('CASH_SUBSIDY', Q000_EDU_BOARDERS),
  },
  'EDU-04': {
    serviceTarget: stated(
      '普惠性幼儿园在园家庭经济困难儿童、孤儿和残疾儿童',
      cite('001', 131, '支持地方健全学前教育资助制度，资助普惠性幼儿园在园家庭经济困难儿童、孤儿和残疾儿童接受学前教育'),
    ),
  },
  'EDU-05': {
    paymentCategory: stated<PaymentCategory>('CASH_SUBSIDY', Q000_EDU_GRANTS),
  },
  'EDU-06': {
    serviceTarget: stated('符合条件的中等职业教育在校生', Q000_EDU_VOC_FEES),
    paymentCategory: stated<PaymentCategory>('FEE_WAIVER', Q000_EDU_VOC_FEES),
  },
  'EDU-07': {
    paymentCategory: stated<PaymentCategory>('CASH_SUBSIDY', Q000_EDU_GRANTS),
  },
  'EDU-08': {
    serviceTarget: stated('建档立卡等家庭经济困难学生（含非建档立卡的家庭经济困难残疾学生、农村低保家庭学生、农村特困救助供养学生）', Q001_HS_FEES),
    paymentCategory: stated<PaymentCategory>('FEE_WAIVER', Q001_HS_FEES),
  },

  // ---- 劳动就业创业 -----------------------------------------------------------------------------------
  'EMP-01': {
    serviceContent: stated(
      '就业政策法规咨询、信息发布、职业指导和职业介绍、就业登记和失业登记',
      cite('001', 162, '全面落实就业政策法规咨询、信息发布、职业指导和职业介绍、就业登记和失业登记等公共就业服务制度'),
    ),
  },
  'EMP-02': {
    serviceTarget: stated('创业者', Q001_STARTUP),
    serviceContent: stated('项目选择、开业指导、融资对接、跟踪扶持', Q001_STARTUP),
  },
  'EMP-03': {
    serviceTarget: stated('零就业家庭和符合条件的就业困难人员', Q000_EMP_ASSIST),
    qualityStandard: stated<QualityStandard>(
      {
        text: '加强对就业困难人员的就业援助，确保有就业能力的零就业家庭、低保家庭至少有一人就业',
        metrics: [
          {
            metric: 'employed_members_per_eligible_household',
            label: '有就业能力的零就业家庭、低保家庭就业人数',
            comparator: 'GTE',
            value: 1,
            unit: 'person',
            basis: 'per_household',
          },
        ],
      },
      cite('001', 162, '加强对就业困难人员的就业援助，确保有就业能力的零就业家庭、低保家庭至少有一人就业'),
    ),
  },
  'EMP-04': { serviceTarget: stated('劳动者', Q000_EMP_WORKERS) },
  'EMP-05': { serviceTarget: stated('劳动者', Q000_EMP_WORKERS) },
  'EMP-06': {
    // The listed groups are those of the free-training action, not necessarily the item's whole target.
    serviceTarget: stated('贫困家庭子女、未升学初高中毕业生、农民工、失业人员和转岗职工、退役军人、残疾人', Q001_TRAINING_GROUPS),
    serviceContent: stated('就业技能培训、岗位技能提升培训和创业培训', cite('001', 168, '大力开展就业技能培训、岗位技能提升培训和创业培训')),
  },
  'EMP-07': {
    serviceTarget: stated('社会公众', Q001_12333),
    serviceContent: stated('政策咨询、信息查询、信息公开、在线受理和投诉举报', Q001_12333),
  },
  'EMP-09': { serviceTarget: stated('用人单位和劳动者', Q001_LABOUR_RIGHTS) },
  'EMP-10': { serviceTarget: stated('用人单位和劳动者', Q001_LABOUR_RIGHTS) },

  // ---- 社会保险 ---------------------------------------------------------------------------------------
  'INS-05': {
    qualityStandard: stated<QualityStandard>(
      {
        text: Q001_FUNDING_2015.quote,
        metrics: [
          {
            metric: 'government_subsidy_per_capita',
            label: '城乡居民基本医疗保险补助标准',
            comparator: 'GTE',
            value: 380,
            unit: 'CNY',
            basis: 'per_person_per_year',
            asOf: '2015-12-31', // "截至2015年" (001 line 23)
          },
        ],
      },
      Q001_FUNDING_2015,
    ),
  },
  'INS-07': {
    serviceContent: stated('预防、补偿、康复三位一体', cite('001', 196, '继续完善预防、补偿、康复三位一体的工伤保险制度体系')),
  },

  // ---- 医疗卫生 ---------------------------------------------------------------------------------------
  'HEA-03': { serviceTarget: stated('0—6岁儿童', Q000_CHILD_0_6) },
  'HEA-05': { serviceTarget: stated('0—6岁儿童', Q000_CHILD_0_6) },
  'HEA-07': { serviceTarget: stated('65 岁及以上老年人', Q000_ELDERLY_HEALTH) },
  'HEA-15': {
    serviceTarget: stated('符合条件的农村计划怀孕夫妇', Q000_PRECONCEPTION),
    paymentCategory: stated<PaymentCategory>('FREE_SERVICE', Q000_PRECONCEPTION),
  },

  // ---- 社会服务 ---------------------------------------------------------------------------------------
  'SOC-01': { serviceTarget: stated('符合条件的城乡居民', Q000_ASSISTANCE) },
  'SOC-02': { serviceTarget: stated('符合条件的城乡居民', Q000_ASSISTANCE) },
  'SOC-03': { serviceTarget: stated('符合条件的城乡居民', Q000_ASSISTANCE) },
  'SOC-04': { serviceTarget: stated('符合条件的城乡居民', Q000_ASSISTANCE) },
  'SOC-05': { serviceTarget: stated('符合条件的城乡居民', Q000_ASSISTANCE) },
  'SOC-06': { serviceTarget: stated('经济困难等符合条件的公民', Q000_LEGAL_AID) },
  'SOC-07': {
    serviceTarget: stated('经济困难的高龄、失能老年人', Q000_ELDERLY_ALLOWANCE),
    paymentCategory: stated<PaymentCategory>('CASH_SUBSIDY', Q000_ELDERLY_ALLOWANCE),
  },
  'SOC-08': {
    serviceTarget: stated(
      '孤儿、弃婴、法定抚养人无力抚养儿童、低收入家庭重病重残等困境儿童',
      cite('001', 415, '健全孤儿、弃婴、法定抚养人无力抚养儿童、低收入家庭重病重残等困境儿童的福利保障体系'),
    ),
  },
  'SOC-11': {
    serviceTarget: stated('符合条件的优抚对象', Q000_VET_PENSION),
    serviceContent: stated('抚恤和生活补助', Q000_VET_PENSION),
  },
  'SOC-12': {
    serviceTarget: stated('退役军人', Q000_VET_RESETTLE),
    serviceContent: stated('妥善安置退役军人，为退役军人提供就业创业等服务', Q000_VET_RESETTLE),
  },
  'SOC-13': { serviceTarget: stated('重点优抚对象', Q000_VET_CARE) },

  // ---- 住房保障 ---------------------------------------------------------------------------------------
  'HOU-01': {
    serviceTarget: stated('符合条件的住房困难家庭和人员', Q000_PUBLIC_RENTAL),
    // Mixed in-kind + rental subsidy: payment category left not stated.
    serviceContent: stated('实物保障与租赁补贴并举', cite('001', 307, '转变公租房保障方式，实行实物保障与租赁补贴并举')),
  },
  'HOU-02': { serviceTarget: stated('符合条件的棚户区居民', Q000_SHANTY) },
  'HOU-03': {
    serviceTarget: stated(
      '建档立卡贫困户、低保户、农村分散供养特困人员、贫困残疾人家庭',
      cite('001', 313, '重点解决建档立卡贫困户、低保户、农村分散供养特困人员、贫困残疾人家庭的基本住房安全问题'),
    ),
  },

  // ---- 公共文化体育 -----------------------------------------------------------------------------------
  'CUL-01': {
    serviceContent: stated('公共图书馆、博物馆、美术馆、文化馆和综合文化站免费开放', Q001_CULTURE_FREE),
    paymentCategory: stated<PaymentCategory>('FREE_SERVICE', Q001_CULTURE_FREE),
  },
  'CUL-02': {
    serviceTarget: stated('农村乡镇', Q000_OPERA),
    serviceContent: stated('送戏曲等文艺演出', Q000_OPERA),
  },
  'CUL-03': {
    serviceTarget: stated('全民', Q000_BROADCAST),
    serviceContent: stated('应急广播服务，保障广播电视节目有效覆盖', Q000_BROADCAST),
  },
  'CUL-04': {
    serviceContent: stated('保障广播电视节目有效覆盖', Q000_BROADCAST),
  },
  'CUL-05': {
    serviceTarget: stated('农村群众；中小学生', Q000_FILM),
    serviceContent: stated('放映数字电影；放映爱国主义教育影片', Q000_FILM),
    qualityStandard: stated<QualityStandard>(
      {
        text: '实施农村电影放映工程，继续巩固“一行政村一月放映一场电影”成果',
        metrics: [
          {
            metric: 'film_screenings_per_village_per_month',
            label: '农村电影放映（一行政村一月放映一场电影）',
            comparator: 'GTE',
            value: 1,
            unit: 'screening',
            basis: 'per_administrative_village_per_month',
          },
        ],
      },
      cite('001', 356, '实施农村电影放映工程，继续巩固“一行政村一月放映一场电影”成果'),
    ),
  },
  'CUL-06': {
    serviceContent: stated('配备图书、报刊和电子书刊，并免费提供借阅服务；设置阅报栏或电子阅报屏', Q000_READING),
    paymentCategory: stated<PaymentCategory>('FREE_SERVICE', Q000_READING),
  },
  'CUL-07': { serviceTarget: stated('主要少数民族地区居民', Q000_MINORITY) },
  'CUL-09': {
    // "免费或低收费": payment category left not stated.
    serviceContent: stated('公共体育场馆向社会免费或低收费开放', cite('001', 347, '推动公共体育场馆向社会免费或低收费开放')),
  },
  'CUL-10': {
    serviceContent: stated(
      '组织实施国民体质监测，推行《国家体育锻炼标准》，开展全民健身活动，实行科学健身指导',
      cite('001', 347, '实施全民健身计划，组织实施国民体质监测，推行《国家体育锻炼标准》，开展全民健身活动，实行科学健身指导'),
    ),
  },

  // ---- 残疾人服务 -------------------------------------------------------------------------------------
  'DIS-01': {
    serviceTarget: stated('符合条件的困难残疾人；重度残疾人', Q000_DIS_SUBSIDIES),
    serviceContent: stated('生活补贴和重度残疾人护理补贴', Q000_DIS_SUBSIDIES),
    paymentCategory: stated<PaymentCategory>('CASH_SUBSIDY', Q000_DIS_SUBSIDIES),
  },
  'DIS-02': {
    serviceTarget: stated('生活困难、靠家庭供养且无法单独立户的成年无业重度残疾人', Q001_DIS_MINLIVING),
    serviceContent: stated('经个人申请，可按照单人户纳入最低生活保障范围', Q001_DIS_MINLIVING),
  },
  'DIS-03': {
    serviceTarget: stated('贫困和重度残疾人', cite('001', 381, '落实贫困和重度残疾人参加社会保险个人缴费资助政策')),
    serviceContent: stated('个人缴费资助和保险待遇', Q000_DIS_INSURANCE),
  },
  'DIS-06': {
    serviceContent: stated(
      '残疾儿童抢救性康复、贫困残疾人辅助器具适配、防盲治盲、防聋治聋等重点康复项目；残疾人健康管理和社区康复',
      cite('001', 384, '继续实施残疾儿童抢救性康复、贫困残疾人辅助器具适配、防盲治盲、防聋治聋等重点康复项目，加强残疾人健康管理和社区康复'),
    ),
  },
  'DIS-07': {
    // "积极推进": the 12-year free education is being rolled out, not yet a guaranteed level; no metric attached.
    serviceTarget: stated('家庭经济困难的残疾儿童、青少年', Q001_DIS_EDU),
    serviceContent: stated('包括义务教育和高中阶段教育在内的12年免费教育', Q001_DIS_EDU),
  },
  'DIS-08': {
    serviceTarget: stated('有劳动能力和就业意愿的城乡残疾人', Q001_DIS_JOBS),
    serviceContent: stated('免费提供就业创业服务，按规定提供免费职业培训', Q001_DIS_JOBS),
    paymentCategory: stated<PaymentCategory>('FREE_SERVICE', Q001_DIS_JOBS),
  },
  'DIS-09': {
    serviceContent: stated(
      '公共文化体育场所设施免费或优惠向残疾人开放；为视力、听力残疾人等提供特需文化服务',
      cite('001', 384, '推动公共文化体育场所设施免费或优惠向残疾人开放，为视力、听力残疾人等提供特需文化服务'),
    ),
  },
  'DIS-10': {
    serviceContent: stated('公共场所和设施的无障碍改造', cite('001', 384, '加快推进公共场所和设施的无障碍改造')),
  },
};

// ---------------------------------------------------------------------------------------------------------
// The 2017 baseline edition
// ---------------------------------------------------------------------------------------------------------

function buildItems(): SeedItem[] {
  const items: SeedItem[] = [];
  for (const def of FIELD_DEFS) {
    const listCitation = cite('001', def.listLine, def.listSentence);
    def.names.forEach((name, i) => {
      const order = i + 1;
      const code = `${def.prefix}-${String(order).padStart(2, '0')}`;
      const s = STATEMENTS[code] ?? {};
      items.push({
        code,
        name,
        fieldCode: def.field.code,
        order,
        listCitation,
        serviceTarget: s.serviceTarget ?? NOT_STATED,
        serviceContent: s.serviceContent ?? NOT_STATED,
        qualityStandard: s.qualityStandard ?? NOT_STATED,
        paymentCategory: s.paymentCategory ?? NOT_STATED,
        // No seed states any item's expenditure responsibility or lead unit (see report / seedLevelStatements).
        expenditureResponsibility: s.expenditureResponsibility ?? NOT_STATED,
        leadUnit: s.leadUnit ?? NOT_STATED,
      });
    });
  }
  return items;
}

export const baselineEdition: BaselineEdition = {
  id: '2017-national-list',
  title: '“十三五”国家基本公共服务清单',
  document: '国发〔2017〕9号',
  issuedOn: '2017-01-23',
  effectiveFrom: '2017-01-23',
  fields: FIELD_DEFS.map((d) => d.field),
  items: buildItems(),
};

/** The item codes in STATEMENTS, for integrity checks (every key must be a real item). */
export const statementItemCodes: readonly string[] = Object.keys(STATEMENTS);

// ---------------------------------------------------------------------------------------------------------
// Levels stated in the seeds that are not one item's service standard
// ---------------------------------------------------------------------------------------------------------

const Q001_STATUS_2015_LINE = 23; // 第一章第一节 "截至2015年，…"

export const seedLevelStatements: readonly SeedLevelStatement[] = [
  {
    id: 'bphs-funding-per-capita-2015',
    kind: 'PACKAGE_STANDARD',
    metric: {
      metric: 'funding_per_capita',
      label: '国家基本公共卫生服务经费',
      comparator: 'GTE',
      value: 40,
      unit: 'CNY',
      basis: 'per_person_per_year',
      asOf: '2015-12-31',
    },
    // The first twelve health items of 001 line 216 are, conventionally, the 12 classes of the national basic
    // public health service package (001 line 23 says "基本公共卫生服务项目增加到12类" but does not name them).
    appliesTo: ['HEA-01', 'HEA-02', 'HEA-03', 'HEA-04', 'HEA-05', 'HEA-06', 'HEA-07', 'HEA-08', 'HEA-09', 'HEA-10', 'HEA-11', 'HEA-12'],
    appliesToBasis: 'CONVENTIONAL',
    citation: cite('001', Q001_STATUS_2015_LINE, Q001_FUNDING_2015.quote),
    note: 'Per-capita funding of the whole 国家基本公共卫生服务 package (not per item). Membership of the 12 classes is outside knowledge.',
  },
  {
    id: 'basic-medical-insurance-enrolment-2015',
    kind: 'NATIONAL_STATUS',
    metric: {
      metric: 'enrolment_rate',
      label: '基本医保参保率（超过95%）',
      comparator: 'GTE',
      value: 95,
      unit: 'percent',
      basis: 'national_population',
      asOf: '2015-12-31',
    },
    appliesTo: ['INS-03', 'INS-05'],
    appliesToBasis: 'SEED_TEXT',
    citation: cite('001', Q001_STATUS_2015_LINE, '全民医保体系加快健全，基本医保参保率超过95%'),
    note: 'National achieved figure for 基本医保 as a whole (职工 + 城乡居民); the seed says "超过" (strictly above).',
  },
  {
    id: 'critical-illness-insurance-coverage-2015',
    kind: 'NATIONAL_STATUS',
    metric: {
      metric: 'critical_illness_insurance_coverage',
      label: '大病保险覆盖城乡居民医保参保人员',
      comparator: 'EQ',
      value: 100,
      unit: 'percent',
      basis: 'of_enrollees',
      asOf: '2015-12-31',
    },
    appliesTo: ['INS-05'],
    appliesToBasis: 'SEED_TEXT',
    citation: cite('001', Q001_STATUS_2015_LINE, '大病保险覆盖全部城乡居民医保参保人员'),
    note: '"覆盖全部" rendered as 100% of enrollees.',
  },
  {
    id: 'radio-population-coverage-2015',
    kind: 'NATIONAL_STATUS',
    metric: {
      metric: 'population_coverage_rate',
      label: '广播人口综合覆盖率',
      comparator: 'GTE',
      value: 98,
      unit: 'percent',
      basis: 'national_population',
      asOf: '2015-12-31',
    },
    appliesTo: ['CUL-03'],
    appliesToBasis: 'SEED_TEXT',
    citation: cite('001', Q001_STATUS_2015_LINE, '广播、电视人口综合覆盖率均达到98%'),
    note: 'National achieved figure, not a floor for each province.',
  },
  {
    id: 'tv-population-coverage-2015',
    kind: 'NATIONAL_STATUS',
    metric: {
      metric: 'population_coverage_rate',
      label: '电视人口综合覆盖率',
      comparator: 'GTE',
      value: 98,
      unit: 'percent',
      basis: 'national_population',
      asOf: '2015-12-31',
    },
    appliesTo: ['CUL-04'],
    appliesToBasis: 'SEED_TEXT',
    citation: cite('001', Q001_STATUS_2015_LINE, '广播、电视人口综合覆盖率均达到98%'),
    note: 'National achieved figure, not a floor for each province.',
  },
  {
    id: 'compulsory-education-consolidation-2015',
    kind: 'NATIONAL_STATUS',
    metric: {
      metric: 'consolidation_rate',
      label: '九年义务教育巩固率',
      comparator: 'GTE',
      value: 93,
      unit: 'percent',
      basis: 'national',
      asOf: '2015-12-31',
    },
    appliesTo: ['EDU-01'],
    appliesToBasis: 'SEED_TEXT',
    citation: cite('001', Q001_STATUS_2015_LINE, '九年义务教育巩固率达到93%'),
    note: 'Outcome indicator of compulsory education; the 2020 target is in the plan indicator table, which the seed does not reproduce.',
  },
  {
    id: 'migrant-children-public-school-share-2015',
    kind: 'NATIONAL_STATUS',
    metric: {
      metric: 'migrant_children_public_school_share',
      label: '进城务工人员随迁子女在流入地公办学校就读的比例（超过80%）',
      comparator: 'GTE',
      value: 80,
      unit: 'percent',
      basis: 'national',
      asOf: '2015-12-31',
    },
    appliesTo: ['EDU-01'],
    appliesToBasis: 'SEED_TEXT',
    citation: cite('001', Q001_STATUS_2015_LINE, '进城务工人员随迁子女在流入地公办学校就读的比例超过80%'),
    note: 'National achieved figure; "超过" (strictly above).',
  },
  {
    id: 'post-training-employment-rate-2015',
    kind: 'NATIONAL_STATUS',
    metric: {
      metric: 'post_training_employment_rate',
      label: '劳动者参加就业技能培训后就业率',
      comparator: 'GTE',
      value: 70,
      unit: 'percent',
      basis: 'national_average',
      asOf: '2015-12-31',
    },
    appliesTo: ['EMP-06'],
    appliesToBasis: 'SEED_TEXT',
    citation: cite('001', Q001_STATUS_2015_LINE, '劳动者参加就业技能培训后就业率平均达70%以上'),
    note: 'National average outcome figure.',
  },
];

// ---------------------------------------------------------------------------------------------------------
// 2021+ taxonomy: 9 fields / 22 categories.
// NOT in the seeds: taken from design/domain.md (2021 edition of the national standard). Seed 002 (line 16,
// line 18) only confirms the nine field names and that there are "9大领域、22类服务事项".
// ---------------------------------------------------------------------------------------------------------

export const taxonomy2021: Taxonomy = {
  fields: [
    {
      code: 'F21-CHILDCARE',
      name: '幼有所育',
      categories: [
        { code: 'C21-PRENATAL', name: '优孕优生服务' },
        { code: 'C21-CHILD-HEALTH', name: '儿童健康服务' },
        { code: 'C21-CHILD-CARE', name: '儿童关爱服务' },
      ],
    },
    {
      code: 'F21-EDUCATION',
      name: '学有所教',
      categories: [
        { code: 'C21-PRESCHOOL-AID', name: '学前教育助学服务' },
        { code: 'C21-COMPULSORY-EDUCATION', name: '义务教育服务' },
        { code: 'C21-HIGH-SCHOOL-AID', name: '普通高中助学服务' },
        { code: 'C21-VOCATIONAL-AID', name: '职业教育助学服务' },
      ],
    },
    {
      code: 'F21-EMPLOYMENT',
      name: '劳有所得',
      categories: [
        { code: 'C21-EMPLOYMENT-SERVICE', name: '就业创业服务' },
        { code: 'C21-INJURY-UNEMPLOYMENT-INSURANCE', name: '工伤失业保险服务' },
      ],
    },
    {
      code: 'F21-HEALTH',
      name: '病有所医',
      categories: [
        { code: 'C21-PUBLIC-HEALTH', name: '公共卫生服务' },
        { code: 'C21-MEDICAL-INSURANCE', name: '医疗保险服务' },
        { code: 'C21-FAMILY-PLANNING-AID', name: '计划生育扶助服务' },
      ],
    },
    {
      code: 'F21-ELDERLY',
      name: '老有所养',
      categories: [
        { code: 'C21-ELDERLY-CARE', name: '养老助老服务' },
        { code: 'C21-PENSION-INSURANCE', name: '养老保险服务' },
      ],
    },
    {
      code: 'F21-HOUSING',
      name: '住有所居',
      categories: [
        { code: 'C21-PUBLIC-RENTAL-HOUSING', name: '公租房服务' },
        { code: 'C21-HOUSING-RENOVATION', name: '住房改造服务' },
      ],
    },
    {
      code: 'F21-VULNERABLE',
      name: '弱有所扶',
      categories: [
        { code: 'C21-SOCIAL-ASSISTANCE', name: '社会救助服务' },
        { code: 'C21-PUBLIC-LEGAL-SERVICE', name: '公共法律服务' },
        { code: 'C21-DISABILITY-SUPPORT', name: '扶残助残服务' },
      ],
    },
    {
      code: 'F21-MILITARY',
      name: '优军服务保障',
      categories: [{ code: 'C21-VETERAN-PREFERENTIAL', name: '优军优抚服务' }],
    },
    {
      code: 'F21-CULTURE-SPORTS',
      name: '文体服务保障',
      categories: [
        { code: 'C21-PUBLIC-CULTURE', name: '公共文化服务' },
        { code: 'C21-PUBLIC-SPORTS', name: '公共体育服务' },
      ],
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------------------------------------

export const organisations: Organisations = {
  ministries: [
    { code: 'MOE', name: '教育部' },
    { code: 'MOHRSS', name: '人力资源社会保障部' },
    { code: 'NHC', name: '国家卫生健康委' },
    { code: 'MCA', name: '民政部' },
    { code: 'MOHURD', name: '住房城乡建设部' },
    { code: 'MCT', name: '文化和旅游部' },
    { code: 'GAS', name: '体育总局' },
    { code: 'CDPF', name: '中国残联' },
    { code: 'NDRC', name: '国家发展改革委' },
    { code: 'MOF', name: '财政部' },
    { code: 'NHSA', name: '国家医保局' },
    { code: 'MVA', name: '退役军人事务部' }, // 000 annex row 11
    { code: 'MOJ', name: '司法部' },
    // Other bodies the seeds name as responsible for standards work, pilots, monitoring or a 2018 field:
    { code: 'SAMR', name: '市场监管总局' }, // 000 annex, 003 (pilots)
    { code: 'SAC', name: '国家标准化管理委员会' }, // 002
    { code: 'NBS', name: '国家统计局' }, // 000 annex row 15 (monitoring), 001 line 519
    { code: 'NATCM', name: '国家中医药局' }, // 000 annex rows 4, 7, 8
    { code: 'NRTA', name: '广电总局' }, // 000 annex row 12
    { code: 'NCHA', name: '国家文物局' }, // 000 annex row 12
    { code: 'MEM', name: '应急管理部' }, // 000 annex row 10
    { code: 'PD', name: '中央宣传部' }, // 000 annex rows 12, 17
  ],
  // GB/T 2260 codes. regionTier is the conventional east/central/west grouping used in central fiscal transfer
  // policies (east 11, central 8, west 12) — it is NOT from the seeds. Other groupings exist (e.g. the
  // five-tier grouping of 国办发〔2018〕6号, where 河北 and 海南 are in the second tier with the central provinces).
  // XPCC: '660000' is the code conventionally used for 新疆生产建设兵团 (not a GB/T 2260 administrative
  // division); grouped with the west.
  provinces: [
    { code: '110000', name: '北京市', regionTier: 'EAST' },
    { code: '120000', name: '天津市', regionTier: 'EAST' },
    { code: '130000', name: '河北省', regionTier: 'EAST' },
    { code: '140000', name: '山西省', regionTier: 'CENTRAL' },
    { code: '150000', name: '内蒙古自治区', regionTier: 'WEST' },
    { code: '210000', name: '辽宁省', regionTier: 'EAST' },
    { code: '220000', name: '吉林省', regionTier: 'CENTRAL' },
    { code: '230000', name: '黑龙江省', regionTier: 'CENTRAL' },
    { code: '310000', name: '上海市', regionTier: 'EAST' },
    { code: '320000', name: '江苏省', regionTier: 'EAST' },
    { code: '330000', name: '浙江省', regionTier: 'EAST' },
    { code: '340000', name: '安徽省', regionTier: 'CENTRAL' },
    { code: '350000', name: '福建省', regionTier: 'EAST' },
    { code: '360000', name: '江西省', regionTier: 'CENTRAL' },
    { code: '370000', name: '山东省', regionTier: 'EAST' },
    { code: '410000', name: '河南省', regionTier: 'CENTRAL' },
    { code: '420000', name: '湖北省', regionTier: 'CENTRAL' },
    { code: '430000', name: '湖南省', regionTier: 'CENTRAL' },
    { code: '440000', name: '广东省', regionTier: 'EAST' },
    { code: '450000', name: '广西壮族自治区', regionTier: 'WEST' },
    { code: '460000', name: '海南省', regionTier: 'EAST' },
    { code: '500000', name: '重庆市', regionTier: 'WEST' },
    { code: '510000', name: '四川省', regionTier: 'WEST' },
    { code: '520000', name: '贵州省', regionTier: 'WEST' },
    { code: '530000', name: '云南省', regionTier: 'WEST' },
    { code: '540000', name: '西藏自治区', regionTier: 'WEST' },
    { code: '610000', name: '陕西省', regionTier: 'WEST' },
    { code: '620000', name: '甘肃省', regionTier: 'WEST' },
    { code: '630000', name: '青海省', regionTier: 'WEST' },
    { code: '640000', name: '宁夏回族自治区', regionTier: 'WEST' },
    { code: '650000', name: '新疆维吾尔自治区', regionTier: 'WEST' },
    { code: '660000', name: '新疆生产建设兵团', regionTier: 'WEST' },
  ],
};

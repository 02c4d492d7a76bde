// Fiscal cost estimate (财政经费投入测算): for each costed change, covered population x unit level (the item's
// CNY-per-person-per-year metric) = annual cost in fen, split central/local by expenditure responsibility and
// region tier, then totalled by year (from the effective year) and by level of government. Exact: BigInt only.
import {
  ExpenditureKind,
  RegionTier,
  type CentralShare,
  type ExpenditureResponsibility,
  type MoneyAmount,
  type QualityMetric,
  type ServiceItem,
} from '../../../proto/gen/bps/common/v1/common';
import type { SetPackageLevel } from '../../../proto/gen/bps/standards/v1/changes';
import type { PackageView, RegistryPackage } from './checks';
import type { FiscalEstimate, FiscalInput, FiscalLine, FiscalTierLine, ProposalContent } from '../../../proto/gen/bps/proposals/v1/proposal';
import { compareDecimals, formatScaled, INT64_MAX, mulDivRound, parseInt64, scaleDecimal } from '../../shared/standards/decimal';

/** The registry's current version of items the proposal changes (fallback for expenditure responsibility). */
export type CurrentItems = ReadonlyMap<string, ServiceItem>;

export const MONEY_UNIT = 'CNY';
export const PER_PERSON_PER_YEAR = 'per_person_per_year';

const BP_PER_PERCENT = 100n; // shares are kept in basis points (1% = 100 bp): "62.55" is exact
const BP_WHOLE = 10_000n;

export function cny(fen: bigint): MoneyAmount {
  return { currency: 'CNY', fen: fen.toString() };
}

export function fenOf(amount: MoneyAmount | undefined): bigint {
  return amount ? BigInt(amount.fen) : 0n;
}

/** The metric that prices an item: named explicitly, or the item's only CNY per-person-per-year metric. */
export function pricingMetric(item: ServiceItem, metricId: string): QualityMetric | string {
  const metrics = item.qualityStandard?.metrics ?? [];
  if (metricId) {
    const named = metrics.find((m) => m.metric === metricId);
    if (!named) return `metric "${metricId}" is not in the item's quality standard`;
    if (named.unit !== MONEY_UNIT || named.basis !== PER_PERSON_PER_YEAR) return `metric "${metricId}" is not in ${MONEY_UNIT} ${PER_PERSON_PER_YEAR}`;
    return named;
  }
  const money = metrics.filter((m) => m.unit === MONEY_UNIT && m.basis === PER_PERSON_PER_YEAR);
  if (money.length === 1 && money[0]) return money[0];
  return money.length === 0
    ? `the item states no ${MONEY_UNIT} ${PER_PERSON_PER_YEAR} metric`
    : 'the item has several money metrics; name one in the fiscal input';
}

/** Items whose proposed level is money per person per year: these need a fiscal line before submission. */
export function costedChanges(content: ProposalContent): { changeId: string; item: ServiceItem }[] {
  return content.changes.flatMap((c) => {
    const item = c.change?.$case === 'addItem' ? c.change.addItem.item : c.change?.$case === 'modifyItem' ? c.change.modifyItem.item : undefined;
    return item ? [{ changeId: c.changeId, item }] : [];
  });
}

type ShareResolution = { kind: ExpenditureKind; bpByTier: ReadonlyMap<RegionTier, bigint> } | string;

function sharesToBp(shares: readonly CentralShare[]): Map<RegionTier, bigint> | string {
  const out = new Map<RegionTier, bigint>();
  for (const s of shares) {
    const bp = scaleDecimal(s.percent, 2);
    if (bp === undefined || bp < 0n || bp > 100n * BP_PER_PERCENT) return `central share "${s.percent}" is not a percentage 0..100`;
    out.set(s.regionTier, bp);
  }
  return out;
}

/** Precedence: shares in the fiscal input, then the proposed item's responsibility, then the current item's. */
function resolveShares(line: FiscalInput, proposed: ExpenditureResponsibility | undefined, current: ExpenditureResponsibility | undefined): ShareResolution {
  if (line.centralShares.length > 0) {
    const bp = sharesToBp(line.centralShares);
    return typeof bp === 'string' ? bp : { kind: ExpenditureKind.EXPENDITURE_KIND_SHARED, bpByTier: bp };
  }
  const stated = [proposed, current].find(
    (r) => r !== undefined && r.kind !== ExpenditureKind.EXPENDITURE_KIND_UNSPECIFIED && r.kind !== ExpenditureKind.EXPENDITURE_KIND_NOT_STATED,
  );
  if (!stated) return 'expenditure responsibility is not stated; give central shares per region tier in the fiscal input';
  switch (stated.kind) {
    case ExpenditureKind.EXPENDITURE_KIND_CENTRAL:
      return { kind: stated.kind, bpByTier: new Map(allTiers.map((t) => [t, BP_WHOLE])) };
    case ExpenditureKind.EXPENDITURE_KIND_LOCAL:
      return { kind: stated.kind, bpByTier: new Map(allTiers.map((t) => [t, 0n])) };
    case ExpenditureKind.EXPENDITURE_KIND_SHARED: {
      const bp = sharesToBp(stated.centralShares);
      return typeof bp === 'string' ? bp : { kind: stated.kind, bpByTier: bp };
    }
    default:
      return 'expenditure responsibility is not stated; give central shares per region tier in the fiscal input';
  }
}

const allTiers = [RegionTier.REGION_TIER_EAST, RegionTier.REGION_TIER_CENTRAL, RegionTier.REGION_TIER_WEST] as const;

/** The same metric (id, unit, basis) in the version in force, with its level in fen; undefined when there is none. */
function baseLevel(current: ServiceItem | undefined, proposed: QualityMetric): { value: string; fen: bigint | undefined } | undefined {
  const same = current?.qualityStandard?.metrics.find((m) => m.metric === proposed.metric && m.unit === proposed.unit && m.basis === proposed.basis);
  if (!same || !current?.qualityStandard?.stated) return undefined;
  const fen = scaleDecimal(same.value, 2);
  return { value: same.value, fen: fen !== undefined && fen >= 0n ? fen : undefined };
}

type LineResult = { line: FiscalLine; annual: bigint; central: bigint } | { problem: string };

/** Packages already priced in this estimate: by which change, at which level. */
type PricedTiers = {
  readonly tiers: FiscalTierLine[];
  /** Σ covered population. */
  readonly population: bigint;
  /** Σ population × central bp: the line's central share, weighted by who is covered. */
  readonly weightedBp: bigint;
  /** Σ annual cost and Σ central part, in fen. */
  readonly computed: bigint;
  readonly computedCentral: bigint;
};

/** The cost part of a line: the priced tiers, the computed and the (possibly overridden) annual cost, split central/local. */
function costFields(input: FiscalInput, kind: ExpenditureKind, priced: PricedTiers, annual: bigint, central: bigint) {
  return {
    coveredPopulation: priced.population.toString(),
    expenditureKind: kind,
    tiers: priced.tiers,
    computedAnnual: cny(priced.computed),
    annual: cny(annual),
    centralAnnual: cny(central),
    localAnnual: cny(annual - central),
    overridden: input.override !== undefined,
    overrideReason: input.override?.reason ?? '',
  };
}

/** `fenPerPerson` a year for each region tier's covered population, split central/local by the tier's share. */
function priceTiers(label: string, input: FiscalInput, shares: Exclude<ShareResolution, string>, fenPerPerson: bigint): PricedTiers | { problem: string } {
  const tiers: FiscalTierLine[] = [];
  let population = 0n;
  let weightedBp = 0n;
  let computed = 0n;
  let computedCentral = 0n;
  for (const p of input.populations) {
    const covered = parseInt64(p.coveredPopulation);
    if (covered === undefined || covered < 0n) return { problem: `${label}: covered population "${p.coveredPopulation}" is not a whole number` };
    const bp = shares.bpByTier.get(p.regionTier);
    if (bp === undefined) return { problem: `${label}: no central share for region tier ${RegionTier[p.regionTier]}` };
    const annual = covered * fenPerPerson;
    const central = mulDivRound(annual, bp, BP_WHOLE);
    population += covered;
    weightedBp += covered * bp;
    computed += annual;
    computedCentral += central;
    tiers.push({
      regionTier: p.regionTier,
      coveredPopulation: covered.toString(),
      centralSharePercent: formatScaled(bp, 2),
      annual: cny(annual),
      central: cny(central),
      local: cny(annual - central),
    });
  }
  return { tiers, population, weightedBp, computed, computedCentral };
}

type Claims = Map<string, { readonly changeId: string; readonly value: string }>;

function computeLine(input: FiscalInput, content: ProposalContent, current: CurrentItems, packages: PackageView, claims: Claims): LineResult {
  const target = costedChanges(content).find((c) => c.changeId === input.changeId);
  if (!target) return { problem: `${input.changeId}: no add_item/modify_item/set_package_level change with this id` };
  const { item } = target;
  const label = `${input.changeId} (${item.itemCode})`;
  const shares = resolveShares(input, item.expenditureResponsibility, current.get(item.itemCode)?.expenditureResponsibility);
  if (typeof shares === 'string') return { problem: `${label}: ${shares}` };

  const metric = pricingMetric(item, input.metric);
  const proposedFen = typeof metric === 'string' ? undefined : scaleDecimal(metric.value, 2);
  if (typeof metric !== 'string' && (proposedFen === undefined || proposedFen < 0n))
    return { problem: `${label}: unit level "${metric.value}" is not an amount in yuan (at most 2 decimals)` };
  if (typeof metric === 'string' && !input.override) return { problem: `${label}: ${metric}` };
  // Issue #17: a change to an item in force costs the increase over the level in force, not the whole new level
  // (raising 40 → 89 yuan costs 49 yuan per person). A new item or a new metric costs its whole level.
  // A metric that is the level of a package the item belongs to (issue #17) is priced once for the package: over the
  // package's level in force when the item states none of its own, and not again by a later line of the package.
  const inPackage = typeof metric === 'string' ? undefined : packageOf(item, metric, packages);
  const claim = inPackage ? claims.get(inPackage[0]) : undefined;
  if (inPackage && claim && typeof metric !== 'string' && compareDecimals(claim.value, metric.value) !== 0)
    return {
      problem: `${label}: states ${metric.value} for package ${inPackage[0]}, but ${claim.changeId} sets it to ${claim.value}; a package has one level`,
    };
  const own = typeof metric === 'string' ? undefined : baseLevel(current.get(item.itemCode), metric);
  const packageMetric = inPackage?.[1].level.metric;
  const base =
    own ??
    (packageMetric
      ? { value: packageMetric.value, fen: ((f) => (f !== undefined && f >= 0n ? f : undefined))(scaleDecimal(packageMetric.value, 2)) }
      : undefined);
  if (base !== undefined && base.fen === undefined)
    return { problem: `${label}: the level in force "${base.value}" is not an amount in yuan (at most 2 decimals)` };
  const fenPerPerson =
    proposedFen === undefined ? undefined : claim ? 0n : base?.fen !== undefined ? (proposedFen > base.fen ? proposedFen - base.fen : 0n) : proposedFen;
  if (inPackage && !claim && typeof metric !== 'string') claims.set(inPackage[0], { changeId: input.changeId, value: metric.value });

  const priced = priceTiers(label, input, shares, fenPerPerson ?? 0n);
  if ('problem' in priced) return priced;
  const { tiers, population, weightedBp, computed, computedCentral } = priced;

  let annual = computed;
  let central = computedCentral;
  if (input.override) {
    const overridden = parseInt64(input.override.annualFen);
    if (overridden === undefined || overridden < 0n) return { problem: `${label}: override "${input.override.annualFen}" is not an amount in fen` };
    annual = overridden;
    if (population > 0n) central = mulDivRound(overridden, weightedBp, population * BP_WHOLE);
    else if (shares.kind === ExpenditureKind.EXPENDITURE_KIND_CENTRAL) central = overridden;
    else if (shares.kind === ExpenditureKind.EXPENDITURE_KIND_LOCAL) central = 0n;
    else return { problem: `${label}: a shared cost override needs covered populations to split it by region tier` };
  }
  if (annual > INT64_MAX) return { problem: `${label}: annual cost exceeds the int64 range` };

  const working = [
    ...(inPackage
      ? [
          claim
            ? `${label}：${metric && typeof metric !== 'string' ? metric.metric : ''} 是项目包 ${inPackage[0]}（${inPackage[1].level.name}）的水平，已由 ${claim.changeId} 计入，整包只测算一次，此项按 0 计`
            : `${label}：${typeof metric !== 'string' ? metric.metric : ''} 是项目包 ${inPackage[0]}（${inPackage[1].level.name}，${inPackage[1].level.itemCodes.length} 个项目共用）的水平，现行 ${inPackage[1].level.metric?.value ?? ''} 元/人/年，按整包测算一次`,
        ]
      : []),
    base?.fen !== undefined && proposedFen !== undefined
      ? `${label}：现行水平 ${base.value} 元/人/年，拟调整为 ${formatScaled(proposedFen, 2)} 元/人/年，只测算增量 ${formatScaled(proposedFen, 2)} − ${base.value} = ${formatScaled(fenPerPerson ?? 0n, 2)} 元/人/年`
      : `${label}：新增水平 ${fenPerPerson === undefined ? '（无）' : formatScaled(fenPerPerson, 2)} 元/人/年，全额测算`,
    ...tierWorking(tiers, fenPerPerson),
    ...overrideWorking(input, annual),
  ];
  return {
    annual,
    central,
    line: {
      packageCode: inPackage?.[0] ?? '',
      working,
      changeId: input.changeId,
      itemCode: item.itemCode,
      itemName: item.name,
      metric: typeof metric === 'string' ? '' : metric.metric,
      unitLevel: typeof metric === 'string' ? '' : metric.value,
      baseLevel: base?.value ?? '',
      pricedLevel: fenPerPerson === undefined ? '' : formatScaled(fenPerPerson, 2),
      ...costFields(input, shares.kind, priced, annual, central),
    },
  };
}

const yuan = (fen: bigint): string => formatScaled(fen, 2);
const tierName: Readonly<Record<number, string>> = {
  [RegionTier.REGION_TIER_EAST]: '东部',
  [RegionTier.REGION_TIER_CENTRAL]: '中部',
  [RegionTier.REGION_TIER_WEST]: '西部',
};

function tierWorking(tiers: readonly FiscalTierLine[], fenPerPerson: bigint | undefined): string[] {
  return tiers.map(
    (t) =>
      `${tierName[t.regionTier] ?? RegionTier[t.regionTier]}：${yuan(fenPerPerson ?? 0n)} 元 × ${t.coveredPopulation} 人 = ${yuan(fenOf(t.annual))} 元/年；` +
      `中央承担 ${t.centralSharePercent}% = ${yuan(fenOf(t.central))} 元，地方 ${yuan(fenOf(t.local))} 元`,
  );
}

function overrideWorking(input: FiscalInput, annual: bigint): string[] {
  return input.override ? [`按测算调整为每年 ${yuan(annual)} 元（理由：${input.override.reason}）`] : [];
}

/** Items of the proposal whose money level is the level of a package they belong to: the package prices it, once. */
function packageOf(item: ServiceItem, metric: QualityMetric, packages: PackageView): [string, RegistryPackage] | undefined {
  for (const [code, p] of packages) {
    const m = p.level.metric;
    if (p.level.itemCodes.includes(item.itemCode) && m && m.metric === metric.metric && m.unit === metric.unit && m.basis === metric.basis) return [code, p];
  }
  return undefined;
}

/** set_package_level changes of the proposal (issue #17). */
export function packageChanges(content: ProposalContent): { changeId: string; change: SetPackageLevel }[] {
  return content.changes.flatMap((c) => (c.change?.$case === 'setPackageLevel' ? [{ changeId: c.changeId, change: c.change.setPackageLevel }] : []));
}

/**
 * Issue #17: a package level is priced once for the package, on the increase over the level in force:
 * (new − in force) × covered population per region tier, split central/local, whatever number of the package's
 * items the proposal also changes.
 */
function computePackageLine(input: FiscalInput, change: SetPackageLevel, packages: PackageView): LineResult {
  const code = change.base?.packageCode ?? '';
  const label = `${input.changeId} (${code})`;
  const pkg = packages.get(code);
  if (!pkg?.level.metric) return { problem: `${label}: package ${code} is not in the registry` };
  const metric = pkg.level.metric;
  if (metric.unit !== MONEY_UNIT || metric.basis !== PER_PERSON_PER_YEAR)
    return { problem: `${label}: the package level is not in ${MONEY_UNIT} ${PER_PERSON_PER_YEAR}, it cannot be priced` };
  const baseFen = scaleDecimal(metric.value, 2);
  if (baseFen === undefined || baseFen < 0n) return { problem: `${label}: the level in force "${metric.value}" is not an amount in yuan` };
  const newFen = scaleDecimal(change.value, 2);
  if (newFen === undefined || newFen < 0n) return { problem: `${label}: package level "${change.value}" is not an amount in yuan (at most 2 decimals)` };
  const shares = resolveShares(input, undefined, pkg.level.expenditureResponsibility);
  if (typeof shares === 'string') return { problem: `${label}: ${shares}` };
  const increment = newFen > baseFen ? newFen - baseFen : 0n;

  const priced = priceTiers(label, input, shares, increment);
  if ('problem' in priced) return priced;
  const { tiers, population, weightedBp, computed, computedCentral } = priced;
  let annual = computed;
  let central = computedCentral;
  if (input.override) {
    const overridden = parseInt64(input.override.annualFen);
    if (overridden === undefined || overridden < 0n) return { problem: `${label}: override "${input.override.annualFen}" is not an amount in fen` };
    if (population === 0n) return { problem: `${label}: a package cost override needs covered populations to split it by region tier` };
    annual = overridden;
    central = mulDivRound(overridden, weightedBp, population * BP_WHOLE);
  }
  if (annual > INT64_MAX) return { problem: `${label}: annual cost exceeds the int64 range` };
  const asOf = pkg.level.asOf
    ? `，截至 ${pkg.level.asOf.year}-${String(pkg.level.asOf.month).padStart(2, '0')}-${String(pkg.level.asOf.day).padStart(2, '0')}`
    : '';
  return {
    annual,
    central,
    line: {
      changeId: input.changeId,
      itemCode: code,
      itemName: pkg.level.name,
      packageCode: code,
      metric: metric.metric,
      unitLevel: change.value,
      baseLevel: metric.value,
      pricedLevel: formatScaled(increment, 2),
      ...costFields(input, shares.kind, priced, annual, central),
      working: [
        `${label} ${pkg.level.name}：现行水平 ${metric.value} 元/人/年（第 ${pkg.version} 版${asOf}；${pkg.level.itemCodes.length} 个项目共用，整包只测算一次）`,
        `拟调整为 ${change.value} 元/人/年，只测算增量 ${change.value} − ${metric.value} = ${formatScaled(increment, 2)} 元/人/年`,
        ...tierWorking(tiers, increment),
        ...overrideWorking(input, annual),
      ],
    },
  };
}

export function computeFiscalEstimate(content: ProposalContent, current: CurrentItems, packages: PackageView = new Map()): FiscalEstimate {
  const fiscal = content.fiscal;
  const problems: string[] = [];
  const lines: FiscalLine[] = [];
  let annual = 0n;
  let central = 0n;
  const setsPackage = new Map(packageChanges(content).map((p) => [p.changeId, p.change]));
  const claims: Claims = new Map();
  // Package level changes first: they claim their package, so items of it in the same proposal are not priced again.
  const inputs = [...(fiscal?.lines ?? [])].sort((a, b) => Number(setsPackage.has(b.changeId)) - Number(setsPackage.has(a.changeId)));
  for (const input of inputs) {
    const pkgChange = setsPackage.get(input.changeId);
    const pkgCode = pkgChange?.base?.packageCode ?? '';
    const claimed = claims.get(pkgCode);
    if (pkgChange && claimed) {
      problems.push(`${input.changeId} (${pkgCode}): package ${pkgCode} is already priced by ${claimed.changeId}; a package is priced once`);
      continue;
    }
    if (pkgChange) claims.set(pkgCode, { changeId: input.changeId, value: pkgChange.value });
    const result = pkgChange ? computePackageLine(input, pkgChange, packages) : computeLine(input, content, current, packages, claims);
    if ('problem' in result) {
      problems.push(result.problem);
      continue;
    }
    lines.push(result.line);
    annual += result.annual;
    central += result.central;
  }
  const covered = new Set(fiscal?.lines.map((l) => l.changeId) ?? []);
  for (const { changeId, item } of costedChanges(content)) {
    if (typeof pricingMetric(item, '') !== 'string' && !covered.has(changeId))
      problems.push(`${changeId} (${item.itemCode}): raises a money level but has no fiscal input line`);
  }
  for (const { changeId, change } of packageChanges(content)) {
    if (!covered.has(changeId)) problems.push(`${changeId} (${change.base?.packageCode ?? ''}): sets a package level but has no fiscal input line`);
  }

  const years = fiscal?.years ?? 0;
  const firstYear = content.effectiveFrom?.year ?? 0;
  if (years < 1) problems.push('fiscal.years must be at least 1');
  if (firstYear === 0) problems.push('no proposed effective date: the years cannot be named');
  const span = years >= 1 && firstYear > 0 ? years : 0;
  const local = annual - central;
  const working = [
    `每年合计 ${lines.map((l) => yuan(fenOf(l.annual))).join(' + ') || '0'} = ${yuan(annual)} 元（中央 ${yuan(central)} 元，地方 ${yuan(local)} 元）`,
    ...(span > 0
      ? [
          `${yuan(annual)} 元 × ${span} 年（${firstYear}–${firstYear + span - 1}）= ${yuan(annual * BigInt(span))} 元（中央 ${yuan(central * BigInt(span))} 元，地方 ${yuan(local * BigInt(span))} 元）`,
        ]
      : []),
  ];
  return {
    working,
    lines,
    years: Array.from({ length: span }, (_, i) => ({ year: firstYear + i, total: cny(annual), central: cny(central), local: cny(local) })),
    annualTotal: cny(annual),
    total: cny(annual * BigInt(span)),
    centralTotal: cny(central * BigInt(span)),
    localTotal: cny(local * BigInt(span)),
    affordabilityAssessment: fiscal?.affordabilityAssessment ?? '',
    problems,
  };
}

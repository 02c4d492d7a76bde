// Fiscal cost estimate (财政经费投入测算): for each costed change, covered population x unit level (the item's
// CNY-per-person-per-year metric) = annual cost in fen, split central/local by expenditure responsibility and
// region tier, then totalled by year (from the effective year) and by level of government. Exact: BigInt only.
import {
  ExpenditureKind,
  RegionTier,
  type CentralShare,
  type MoneyAmount,
  type QualityMetric,
  type ServiceItem,
} from '../../../proto/gen/bps/common/v1/common';
import type { FiscalEstimate, FiscalInput, FiscalLine, FiscalTierLine, ProposalContent } from '../../../proto/gen/bps/proposals/v1/proposal';
import { formatScaled, INT64_MAX, mulDivRound, parseInt64, scaleDecimal } from '../../shared/standards/decimal';

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
function resolveShares(line: FiscalInput, proposed: ServiceItem, current: ServiceItem | undefined): ShareResolution {
  if (line.centralShares.length > 0) {
    const bp = sharesToBp(line.centralShares);
    return typeof bp === 'string' ? bp : { kind: ExpenditureKind.EXPENDITURE_KIND_SHARED, bpByTier: bp };
  }
  const stated = [proposed.expenditureResponsibility, current?.expenditureResponsibility].find(
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

function computeLine(input: FiscalInput, content: ProposalContent, current: CurrentItems): LineResult {
  const target = costedChanges(content).find((c) => c.changeId === input.changeId);
  if (!target) return { problem: `${input.changeId}: no add_item/modify_item change with this id` };
  const { item } = target;
  const label = `${input.changeId} (${item.itemCode})`;
  const shares = resolveShares(input, item, current.get(item.itemCode));
  if (typeof shares === 'string') return { problem: `${label}: ${shares}` };

  const tiers: FiscalTierLine[] = [];
  let population = 0n;
  let weightedBp = 0n; // Σ population x central bp: the line's central share, weighted by who is covered
  const metric = pricingMetric(item, input.metric);
  const proposedFen = typeof metric === 'string' ? undefined : scaleDecimal(metric.value, 2);
  if (typeof metric !== 'string' && (proposedFen === undefined || proposedFen < 0n))
    return { problem: `${label}: unit level "${metric.value}" is not an amount in yuan (at most 2 decimals)` };
  if (typeof metric === 'string' && !input.override) return { problem: `${label}: ${metric}` };
  // Issue #17: a change to an item in force costs the increase over the level in force, not the whole new level
  // (raising 40 → 89 yuan costs 49 yuan per person). A new item or a new metric costs its whole level.
  const base = typeof metric === 'string' ? undefined : baseLevel(current.get(item.itemCode), metric);
  if (base !== undefined && base.fen === undefined)
    return { problem: `${label}: the level in force "${base.value}" is not an amount in yuan (at most 2 decimals)` };
  const fenPerPerson = proposedFen === undefined ? undefined : base?.fen !== undefined ? (proposedFen > base.fen ? proposedFen - base.fen : 0n) : proposedFen;

  let computed = 0n;
  let computedCentral = 0n;
  for (const p of input.populations) {
    const covered = parseInt64(p.coveredPopulation);
    if (covered === undefined || covered < 0n) return { problem: `${label}: covered population "${p.coveredPopulation}" is not a whole number` };
    const bp = shares.bpByTier.get(p.regionTier);
    if (bp === undefined) return { problem: `${label}: no central share for region tier ${RegionTier[p.regionTier]}` };
    population += covered;
    weightedBp += covered * bp;
    const annual = fenPerPerson === undefined ? 0n : covered * fenPerPerson;
    const central = mulDivRound(annual, bp, BP_WHOLE);
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

  return {
    annual,
    central,
    line: {
      changeId: input.changeId,
      itemCode: item.itemCode,
      itemName: item.name,
      metric: typeof metric === 'string' ? '' : metric.metric,
      unitLevel: typeof metric === 'string' ? '' : metric.value,
      baseLevel: base?.value ?? '',
      pricedLevel: fenPerPerson === undefined ? '' : formatScaled(fenPerPerson, 2),
      coveredPopulation: population.toString(),
      expenditureKind: shares.kind,
      tiers,
      computedAnnual: cny(computed),
      annual: cny(annual),
      centralAnnual: cny(central),
      localAnnual: cny(annual - central),
      overridden: input.override !== undefined,
      overrideReason: input.override?.reason ?? '',
    },
  };
}

export function computeFiscalEstimate(content: ProposalContent, current: CurrentItems): FiscalEstimate {
  const fiscal = content.fiscal;
  const problems: string[] = [];
  const lines: FiscalLine[] = [];
  let annual = 0n;
  let central = 0n;
  for (const input of fiscal?.lines ?? []) {
    const result = computeLine(input, content, current);
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

  const years = fiscal?.years ?? 0;
  const firstYear = content.effectiveFrom?.year ?? 0;
  if (years < 1) problems.push('fiscal.years must be at least 1');
  if (firstYear === 0) problems.push('no proposed effective date: the years cannot be named');
  const span = years >= 1 && firstYear > 0 ? years : 0;
  const local = annual - central;
  return {
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

// The fiscal cost estimate, checked by hand. Figures: EXAMPLE INPUTS (see proposals-fixtures.ts) — the seeds
// give 40 yuan per person per year (2015) for the basic public health service package; 89 is an example level.
import { describe, expect, it } from 'vitest';
import { ExpenditureKind, RegionTier } from '../../proto/gen/bps/common/v1/common';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { computeFiscalEstimate } from '../../services/proposals/domain/fiscal';
import { examplePopulations, fundedHealthItem, healthProposal, raiseFunding } from './proposals-fixtures';

const noCurrent = new Map();

describe('fiscal estimate', () => {
  it('HEA-01 at 89 yuan (example) x 1.36 billion covered (example) = 121.04 billion yuan a year, split by tier', () => {
    const estimate = computeFiscalEstimate(healthProposal(), noCurrent);
    expect(estimate.problems).toEqual([]);
    const [line] = estimate.lines;
    // By hand: 8,900 fen x 560,000,000 = 4,984,000,000,000 fen (east); 30% central = 1,495,200,000,000.
    //          8,900 fen x 420,000,000 = 3,738,000,000,000 (central tier); 60% = 2,242,800,000,000.
    //          8,900 fen x 380,000,000 = 3,382,000,000,000 (west); 80% = 2,705,600,000,000.
    expect(line?.tiers.map((t) => [t.regionTier, t.annual?.fen, t.central?.fen, t.local?.fen])).toEqual([
      [RegionTier.REGION_TIER_EAST, '4984000000000', '1495200000000', '3488800000000'],
      [RegionTier.REGION_TIER_CENTRAL, '3738000000000', '2242800000000', '1495200000000'],
      [RegionTier.REGION_TIER_WEST, '3382000000000', '2705600000000', '676400000000'],
    ]);
    expect(line).toMatchObject({
      itemCode: 'HEA-01',
      itemName: '居民健康档案',
      metric: 'funding_per_capita',
      unitLevel: '89',
      coveredPopulation: '1360000000',
      overridden: false,
    });
    expect(line?.computedAnnual?.fen).toBe('12104000000000'); // 1,360,000,000 x 8,900 fen
    expect(line?.centralAnnual?.fen).toBe('6443600000000');
    expect(line?.localAnnual?.fen).toBe('5660400000000');
    expect(line?.expenditureKind).toBe(ExpenditureKind.EXPENDITURE_KIND_SHARED);

    // Three years from the effective year 2027, by level of government.
    expect(estimate.years.map((y) => [y.year, y.total?.fen, y.central?.fen, y.local?.fen])).toEqual([
      [2027, '12104000000000', '6443600000000', '5660400000000'],
      [2028, '12104000000000', '6443600000000', '5660400000000'],
      [2029, '12104000000000', '6443600000000', '5660400000000'],
    ]);
    expect(estimate.annualTotal).toEqual({ currency: 'CNY', fen: '12104000000000' });
    expect(estimate.total?.fen).toBe('36312000000000');
    expect(estimate.centralTotal?.fen).toBe('19330800000000');
    expect(estimate.localTotal?.fen).toBe('16981200000000');
  });

  it('prices the increase over the level in force: 40 → 89 yuan (example) costs 49 yuan per person, and shows its working', () => {
    const current = new Map([['HEA-01', fundedHealthItem('HEA-01', '40')]]);
    const estimate = computeFiscalEstimate(healthProposal(), current);
    expect(estimate.problems).toEqual([]);
    const [line] = estimate.lines;
    expect(line).toMatchObject({ unitLevel: '89', baseLevel: '40', pricedLevel: '49' });
    // By hand: 4,900 fen x 1,360,000,000 = 6,664,000,000,000 fen a year (not 89 x: 12,104,000,000,000).
    expect(line?.computedAnnual?.fen).toBe('6664000000000');
    expect(line?.tiers.map((t) => t.annual?.fen)).toEqual(['2744000000000', '2058000000000', '1862000000000']);
    // A level not raised costs nothing; a new item (nothing in force) costs its whole level.
    expect(computeFiscalEstimate(healthProposal({ level: '40' }), current).lines[0]).toMatchObject({ pricedLevel: '0', computedAnnual: { fen: '0' } });
    expect(computeFiscalEstimate(healthProposal(), noCurrent).lines[0]).toMatchObject({ baseLevel: '', pricedLevel: '89' });
  });

  it('keeps an override with its reason and splits it by the population-weighted central share', () => {
    const content = healthProposal();
    const line = content.fiscal!.lines[0]!;
    line.override = { annualFen: '10000000000000', reason: '部分经费已由既有项目承担（测试）' };
    const estimate = computeFiscalEstimate(content, noCurrent);
    const [l] = estimate.lines;
    expect(l).toMatchObject({ overridden: true, overrideReason: '部分经费已由既有项目承担（测试）' });
    expect(l?.computedAnnual?.fen).toBe('12104000000000'); // the computed figure stays visible
    expect(l?.annual?.fen).toBe('10000000000000');
    // Weighted share = (560e6x30% + 420e6x60% + 380e6x80%) / 1.36e9 = 53.2352941...%; x 10e12 fen, rounded half up.
    expect(l?.centralAnnual?.fen).toBe('5323529411765');
    expect(l?.localAnnual?.fen).toBe('4676470588235');
    expect(estimate.total?.fen).toBe('30000000000000');
  });

  it('is exact with fractional yuan and fractional shares (rounding half up, central + local = total)', () => {
    const content = healthProposal({ level: '89.5' });
    content.fiscal!.lines[0] = {
      changeId: 'c1',
      metric: '',
      override: undefined,
      populations: [{ regionTier: RegionTier.REGION_TIER_WEST, coveredPopulation: '3' }],
      centralShares: [{ regionTier: RegionTier.REGION_TIER_WEST, percent: '62.5' }],
    };
    const [line] = computeFiscalEstimate(content, noCurrent).lines;
    expect(line?.annual?.fen).toBe('26850'); // 3 x 8,950 fen
    expect(line?.centralAnnual?.fen).toBe('16781'); // 16,781.25 rounded
    expect(line?.localAnnual?.fen).toBe('10069');
    expect(line?.tiers[0]?.centralSharePercent).toBe('62.5');
  });

  it('stays exact far beyond Number.MAX_SAFE_INTEGER, and refuses what int64 cannot hold', () => {
    const content = healthProposal({ level: '99999999.99' });
    content.fiscal!.lines[0]!.populations = [{ regionTier: RegionTier.REGION_TIER_EAST, coveredPopulation: '500000000' }];
    const [line] = computeFiscalEstimate(content, noCurrent).lines;
    expect(line?.annual?.fen).toBe('4999999999500000000'); // 500,000,000 x 9,999,999,999 fen
    expect(BigInt(line!.annual!.fen)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));

    content.fiscal!.lines[0]!.populations = [{ regionTier: RegionTier.REGION_TIER_EAST, coveredPopulation: '2000000000' }];
    const overflow = computeFiscalEstimate(content, noCurrent);
    expect(overflow.lines).toEqual([]);
    expect(overflow.problems[0]).toMatch(/exceeds the int64 range/);
  });

  it('uses the item expenditure responsibility (proposed, else current) when the input gives no shares', () => {
    const content = healthProposal();
    content.fiscal!.lines[0]!.centralShares = [];
    const central = fundedHealthItem('HEA-01', '40');
    central.expenditureResponsibility = { kind: ExpenditureKind.EXPENDITURE_KIND_CENTRAL, text: '中央承担', centralShares: [] };
    const fromCurrent = computeFiscalEstimate(content, new Map([['HEA-01', central]]));
    expect(fromCurrent.problems).toEqual([]);
    expect(fromCurrent.lines[0]?.centralAnnual?.fen).toBe('6664000000000'); // the increase 40 → 89 only;
    expect(fromCurrent.lines[0]?.localAnnual?.fen).toBe('0');

    const unstated = computeFiscalEstimate(content, noCurrent);
    expect(unstated.lines).toEqual([]);
    expect(unstated.problems[0]).toMatch(/expenditure responsibility is not stated/);
  });

  it('reports what cannot be computed instead of guessing', () => {
    const noLine = ProposalContent.fromPartial({ ...healthProposal(), fiscal: { years: 3, lines: [], affordabilityAssessment: '' } });
    expect(computeFiscalEstimate(noLine, noCurrent).problems).toEqual(['c1 (HEA-01): raises a money level but has no fiscal input line']);

    const noMetric = healthProposal();
    const change = raiseFunding('c1', 'HEA-01', 1, '89');
    if (change.change?.$case === 'modifyItem') change.change.modifyItem.item!.qualityStandard!.metrics = [];
    noMetric.changes = [change];
    expect(computeFiscalEstimate(noMetric, noCurrent).problems[0]).toMatch(/states no CNY per_person_per_year metric/);

    const noYears = healthProposal();
    noYears.fiscal!.years = 0;
    noYears.effectiveFrom = undefined;
    const estimate = computeFiscalEstimate(noYears, noCurrent);
    expect(estimate.years).toEqual([]);
    expect(estimate.problems).toEqual(['fiscal.years must be at least 1', 'no proposed effective date: the years cannot be named']);
    expect(examplePopulations).toHaveLength(3);
  });
});

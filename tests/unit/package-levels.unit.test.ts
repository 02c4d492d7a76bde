// Issue #17, shared levels, the pure parts: the seeded package level (value, as-of date and quote from seed 001),
// the registry's decision on a set_package_level change (versions, stale base, lowering), and the fiscal estimate's
// pricing of a package: the increase over the level in force, once per package.
import { describe, expect, it } from 'vitest';
import { ReleaseKind, type ChangeSet, type ItemChange } from '../../proto/gen/bps/standards/v1/changes';
import { computeFiscalEstimate } from '../../services/proposals/domain/fiscal';
import type { PackageView } from '../../services/proposals/domain/checks';
import { contentViolations } from '../../services/proposals/domain/validation';
import { decide } from './registry-change-sets';
import type { CurrentPackage } from '../../services/registry/domain/model';
import { knownTaxonomy, seedPackageLevels } from '../../services/registry/seed/baseline';
import { healthProposal, raiseFunding } from './proposals-fixtures';

const [bphs] = seedPackageLevels();
const level = bphs!.level!;

const setPackage = (changeId: string, value: string, version = 1, lowersLevel = false, loweringJustification = ''): ItemChange => ({
  changeId,
  change: { $case: 'setPackageLevel', setPackageLevel: { base: { packageCode: 'BPHS', version }, value, lowersLevel, loweringJustification } },
});
const changeSet = (changes: ItemChange[]): ChangeSet => ({
  changeSetId: 'cs-pkg',
  kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
  title: '国家基本公共卫生服务经费调整（测试）',
  effectiveFrom: { year: 2027, month: 1, day: 1 },
  provenance: undefined,
  fieldCodes: [],
  changes,
});
const inForce = new Map<string, CurrentPackage>([['BPHS', { packageCode: 'BPHS', version: 1, effectiveFrom: '2017-01-23', level }]]);
const packages: PackageView = new Map([['BPHS', { version: 1, level }]]);

const withChanges = (changes: ItemChange[]) => {
  const base = healthProposal();
  const line = base.fiscal!.lines[0]!;
  return { ...base, changes, fiscal: { ...base.fiscal!, lines: changes.map((c) => ({ ...line, changeId: c.changeId })) } };
};

describe('package levels (issue #17)', () => {
  it('seeds the basic public health service package from seed 001 line 23: 40 yuan per person per year as of 2015', () => {
    expect(level).toMatchObject({ packageCode: 'BPHS', metric: { metric: 'funding_per_capita', value: '40', unit: 'CNY', basis: 'per_person_per_year' } });
    expect(level.asOf).toEqual({ year: 2015, month: 12, day: 31 });
    expect(level.source).toMatch(/^seed 001 第23行：.*每人每年40元和380元/);
    expect(level.membershipStated).toBe(false);
    expect(level.leadUnitStated).toBe(false);
  });

  it('the registry publishes version 2 of the package; a stale base or an undeclared lowering is a conflict', () => {
    const raised = decide(changeSet([setPackage('c1', '89')]), new Map(), knownTaxonomy, inForce);
    expect(raised.type).toBe('ReleasePublished');
    if (raised.type !== 'ReleasePublished') return;
    expect(raised.release.packageVersions).toHaveLength(1);
    expect(raised.release.packageVersions?.[0]).toMatchObject({ packageCode: 'BPHS', version: 2, level: { metric: { value: '89' }, asOf: { year: 2027 } } });
    expect(raised.release.fieldCodes).toEqual(['F21-HEALTH']);

    const stale = decide(changeSet([setPackage('c1', '89', 2)]), new Map(), knownTaxonomy, inForce);
    expect(stale.type === 'ChangeSetRejected' && stale.conflicts[0]?.reason).toMatch(/stale base/);
    const lowered = decide(changeSet([setPackage('c1', '30')]), new Map(), knownTaxonomy, inForce);
    expect(lowered.type === 'ChangeSetRejected' && lowered.conflicts[0]?.reason).toMatch(/without declaring lowers_level/);
    const declared = decide(changeSet([setPackage('c1', '30', 1, true, '国家财政调整（测试）')]), new Map(), knownTaxonomy, inForce);
    expect(declared.type).toBe('ReleasePublished');
    const twice = decide(changeSet([setPackage('c1', '89'), setPackage('c2', '90')]), new Map(), knownTaxonomy, inForce);
    expect(twice.type === 'ChangeSetRejected' && twice.conflicts.map((c) => c.reason).join()).toMatch(/changed more than once/);
  });

  it('prices 40 → 89 as 49 yuan per person, once for the package however many of its items are raised', () => {
    const e = computeFiscalEstimate(withChanges([setPackage('c1', '89')]), new Map(), packages);
    expect(e.problems).toEqual([]);
    expect(e.lines[0]).toMatchObject({ packageCode: 'BPHS', baseLevel: '40', pricedLevel: '49' });
    expect(e.annualTotal?.fen).toBe('6664000000000');

    const items = computeFiscalEstimate(withChanges([raiseFunding('c1', 'HEA-01', 1, '89'), raiseFunding('c2', 'HEA-02', 1, '89')]), new Map(), packages);
    expect(items.problems).toEqual([]);
    expect(items.annualTotal?.fen).toBe('6664000000000');

    const without = computeFiscalEstimate(withChanges([setPackage('c1', '89')]), new Map(), new Map());
    expect(without.problems.join()).toMatch(/package BPHS is not in the registry/);
  });

  it('refuses a malformed package change with field violations', () => {
    const v = contentViolations(withChanges([setPackage('c1', '-5', 0), setPackage('c2', '89.123'), setPackage('c3', '90', 1, false, '理由')]));
    expect(v.map((x) => x.field)).toEqual(
      expect.arrayContaining([
        'content.changes[0].set_package_level.base.version',
        'content.changes[0].set_package_level.value',
        'content.changes[1].set_package_level.value',
        'content.changes[1].set_package_level.base.package_code',
        'content.changes[2].set_package_level.lowering_justification',
      ]),
    );
  });
});

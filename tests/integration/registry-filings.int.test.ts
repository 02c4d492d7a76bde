// Provincial implementation standards: filing below / at / above the national floor, precise refusals that
// leave stored data untouched, the provincial view and compliance report, and floor-breach events after a
// national raise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import type { FileLocalStandardRequest } from '../../proto/gen/bps/registry/v1/registry';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { toDateMessage } from '../../services/registry/domain/dates';
import { startTestRegistry, standardEvents, type TestRegistry } from './registry-helpers';
import { refused } from '../support/grpc';

const d = (iso: string) => toDateMessage(iso);
const METRIC = 'government_subsidy_per_capita';

describe('registry: provincial filings', () => {
  let r: TestRegistry;
  let beijing: string;
  let guangdong: string;
  const request = (over: Partial<FileLocalStandardRequest>): FileLocalStandardRequest => ({
    provinceCode: '110000',
    itemCode: 'INS-05',
    effectiveFrom: d('2018-01-01'),
    metrics: [{ metric: METRIC, value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
    localFunding: undefined,
    localFundingSource: '',
    note: '',
    ...over,
  });
  const file = (req: FileLocalStandardRequest, token: string) => unary(r.client.fileLocalStandard.bind(r.client), req, token);
  const fileRefused = (req: FileLocalStandardRequest, token: string) => refused(file(req, token));
  const filingCount = () => r.running.store.filings.countDocuments({});

  beforeAll(async () => {
    r = await startTestRegistry('reg-fil', { refileDays: 60 });
    beijing = await r.token('beijing-officer');
    guangdong = await r.token('guangdong-officer');
  });
  afterAll(async () => r.stop());

  it('accepts a filing at the floor, and publishes local.filed', async () => {
    const res = await file(request({}), beijing);
    expect(res).toMatchObject({ filingId: '110000:INS-05:1', exceedsNationalLevel: false, nationalVersion: 1 });
    expect(res.comparisons).toEqual([expect.objectContaining({ metric: METRIC, nationalValue: '380', localValue: '380', compliant: true, exceeds: false })]);
    await expect.poll(() => r.eventsOf(standardEvents.localStandardFiled).length, { timeout: 30_000 }).toBe(1);
    expect(r.eventsOf(standardEvents.localStandardFiled)[0]).toMatchObject({
      provinceCode: '110000',
      itemCode: 'INS-05',
      nationalVersion: 1,
      actor: { subject: 'bj.officer.liu', organisation: '110000' },
    });
  });

  it('refuses below the floor with FAILED_PRECONDITION naming every failing metric, storing nothing', async () => {
    const before = await filingCount();
    const e = await fileRefused(
      request({ provinceCode: '440000', metrics: [{ metric: METRIC, value: '379.5', unit: 'CNY', basis: 'per_person_per_year' }] }),
      guangdong,
    );
    expect(e.code).toBe(grpc.status.FAILED_PRECONDITION);
    const status = decodeStatus(e);
    expect(status.reason).toBe('BELOW_NATIONAL_LEVEL');
    expect(status.preconditionViolations).toEqual([expect.objectContaining({ type: 'BELOW_NATIONAL_LEVEL', subject: `INS-05/${METRIC}` })]);
    expect(await filingCount()).toBe(before);
  });

  it('accepts above the floor only with declared local funding', async () => {
    const above = request({ provinceCode: '440000', metrics: [{ metric: METRIC, value: '420', unit: 'CNY', basis: 'per_person_per_year' }] });
    const e = await fileRefused(above, guangdong);
    expect(e.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(decodeStatus(e).fieldViolations.map((v) => v.field)).toEqual(['local_funding']);
    const res = await file({ ...above, localFunding: { currency: 'CNY', fen: '400000000' }, localFundingSource: '省级财政' }, guangdong);
    expect(res.exceedsNationalLevel).toBe(true);
    expect(res.comparisons[0]).toMatchObject({ compliant: true, exceeds: true, localValue: '420' });
  });

  it('gives precise errors for bad input: unit, metric, date, item, province, caller', async () => {
    const before = await filingCount();
    const unit = await fileRefused(request({ metrics: [{ metric: METRIC, value: '500', unit: 'percent', basis: '' }] }), beijing);
    expect(unit.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(decodeStatus(unit).fieldViolations).toEqual([expect.objectContaining({ field: 'metrics[0].unit', reason: 'UNIT_MISMATCH' })]);
    const metric = await fileRefused(request({ metrics: [{ metric: 'no_such_metric', value: '1', unit: 'CNY', basis: '' }] }), beijing);
    expect(decodeStatus(metric).fieldViolations.map((v) => v.field)).toEqual(['metrics[0].metric', 'metrics']);
    const date = await fileRefused(request({ effectiveFrom: { year: 2019, month: 13, day: 1 } }), beijing);
    expect(decodeStatus(date).fieldViolations.map((v) => v.field)).toEqual(['effective_from']);
    expect((await fileRefused(request({ itemCode: 'NOPE-01' }), beijing)).code).toBe(grpc.status.NOT_FOUND);
    expect((await fileRefused(request({ effectiveFrom: d('2016-01-01') }), beijing)).code).toBe(grpc.status.NOT_FOUND);
    expect((await fileRefused(request({ provinceCode: '990000' }), beijing)).code).toBe(grpc.status.NOT_FOUND);
    // Another province's officer, and a ministry official, may not file for Beijing.
    expect((await fileRefused(request({}), guangdong)).code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await fileRefused(request({}), await r.token('nhc-staff'))).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await filingCount()).toBe(before);
  });

  it('records a filing for an item whose national level is not stated, without comparisons', async () => {
    const res = await file(
      request({ itemCode: 'HEA-01', metrics: [{ metric: 'records_coverage', value: '80', unit: 'percent', basis: 'of_residents' }] }),
      beijing,
    );
    expect(res.comparisons).toEqual([]);
    expect(res.exceedsNationalLevel).toBe(false);
  });

  it('shows the provincial value where filed and reports compliance per item', async () => {
    const got = await unary(
      r.client.getItem.bind(r.client),
      { itemCode: 'INS-05', asOf: { date: d('2019-01-01'), knownAt: undefined }, provinceCode: '440000' },
      beijing,
    );
    expect(got.provincial).toMatchObject({ provinceCode: '440000', filingId: '440000:INS-05:1', compliant: true, exceedsNationalLevel: true });
    const notFiled = await unary(r.client.getItem.bind(r.client), { itemCode: 'EDU-01', asOf: undefined, provinceCode: '440000' }, beijing);
    expect(notFiled.provincial).toBeUndefined();
    const report = await unary(
      r.client.getComplianceReport.bind(r.client),
      { provinceCode: '110000', asOf: { date: d('2019-01-01'), knownAt: undefined } },
      beijing,
    );
    expect(report.lines).toHaveLength(81);
    expect(report.filedCount).toBe(2);
    expect(report.breachCount).toBe(0);
  });

  it('emits floor.breached for every province below a raised floor, with the refile deadline', async () => {
    const ins = (await unary(r.client.getItem.bind(r.client), { itemCode: 'INS-05', asOf: undefined, provinceCode: '' }, beijing)).national!.item!;
    const raised: ServiceItem = {
      ...ins,
      qualityStandard: { ...ins.qualityStandard!, metrics: ins.qualityStandard!.metrics.map((m) => ({ ...m, value: '450' })) },
    };
    await r.approve({
      changeSetId: 'cs-raise',
      kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
      title: '提高补助标准',
      effectiveFrom: d('2020-01-01'),
      fieldCodes: ['F17-INS'],
      changes: [
        {
          changeId: 'c1',
          change: {
            $case: 'modifyItem',
            modifyItem: { base: { itemCode: 'INS-05', version: 1 }, item: raised, lowersFloor: false, loweringJustification: '' },
          },
        },
      ],
    });
    await expect.poll(() => r.eventsOf(standardEvents.floorBreached).length, { timeout: 30_000 }).toBe(2);
    const breaches = r.eventsOf(standardEvents.floorBreached).sort((a, b) => a.provinceCode.localeCompare(b.provinceCode));
    expect(breaches.map((b) => [b.provinceCode, b.itemCode, b.metric, b.requiredValue, b.actualValue, b.releaseId])).toEqual([
      ['110000', 'INS-05', METRIC, '450', '380', 'release-cs-raise'],
      ['440000', 'INS-05', METRIC, '450', '420', 'release-cs-raise'],
    ]);
    expect(breaches[0]?.refileDeadline).toEqual(d('2020-03-01')); // 60 days after 2020-01-01 (configured)

    const report = await unary(
      r.client.getComplianceReport.bind(r.client),
      { provinceCode: '440000', asOf: { date: d('2020-01-01'), knownAt: undefined } },
      guangdong,
    );
    expect(report.breachCount).toBe(1);
    expect(report.lines.find((l) => l.itemCode === 'INS-05')).toMatchObject({ filed: true, breach: true, nationalVersion: 2 });
    // Before the raise took effect the same filing was compliant.
    const earlier = await unary(
      r.client.getComplianceReport.bind(r.client),
      { provinceCode: '440000', asOf: { date: d('2019-12-31'), knownAt: undefined } },
      guangdong,
    );
    expect(earlier.breachCount).toBe(0);

    // Re-filing at the new floor is checked against the version in force on its date.
    const refiled = await file(
      request({ effectiveFrom: d('2020-02-01'), metrics: [{ metric: METRIC, value: '450', unit: 'CNY', basis: 'per_person_per_year' }] }),
      beijing,
    );
    expect(refiled).toMatchObject({ filingId: '110000:INS-05:2', nationalVersion: 2, exceedsNationalLevel: false });
    const backdated = await fileRefused(request({ effectiveFrom: d('2019-06-01') }), beijing);
    expect(backdated.code).toBe(grpc.status.FAILED_PRECONDITION);
  });
});

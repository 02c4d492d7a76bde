// Seeding and point-in-time reads of the real catalogue through gRPC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { PaymentCategory, ExpenditureKind } from '../../proto/gen/bps/common/v1/common';
import { startTestRegistry, standardEvents, type TestRegistry } from './registry-helpers';
import { refused } from '../support/grpc';

describe('registry: seeded catalogue', () => {
  let r: TestRegistry;
  let token: string;
  beforeAll(async () => {
    r = await startTestRegistry('reg-cat');
    token = await r.token('nhc-staff');
  });
  afterAll(async () => r.stop());

  it('seeds the 2017 list: 81 items in 8 fields, every version 1 of release 2017-national-list', async () => {
    const res = await unary(
      r.client.listItems.bind(r.client),
      { asOf: { date: { year: 2018, month: 1, day: 1 }, knownAt: undefined }, fieldCode: '', categoryCode: '', provinceCode: '' },
      token,
    );
    expect(res.items).toHaveLength(81);
    expect(new Set(res.items.map((i) => i.item?.fieldCode)).size).toBe(8);
    expect(res.items.every((i) => i.version === 1 && i.releaseId === '2017-national-list')).toBe(true);
    const counts = Object.fromEntries(
      ['F17-EDU', 'F17-EMP', 'F17-INS', 'F17-HEA', 'F17-SOC', 'F17-HOU', 'F17-CUL', 'F17-DIS'].map((f) => [
        f,
        res.items.filter((i) => i.item?.fieldCode === f).length,
      ]),
    );
    expect(counts).toEqual({ 'F17-EDU': 8, 'F17-EMP': 10, 'F17-INS': 7, 'F17-HEA': 20, 'F17-SOC': 13, 'F17-HOU': 3, 'F17-CUL': 10, 'F17-DIS': 10 });
    expect(res.asOfDate).toEqual({ year: 2018, month: 1, day: 1 });
  });

  it('answers GetItem with the six attributes: stated values from the seeds, the rest not stated', async () => {
    const { national } = await unary(r.client.getItem.bind(r.client), { itemCode: 'INS-05', asOf: undefined, provinceCode: '' }, token);
    expect(national?.item?.name).toBe('城乡居民基本医疗保险');
    expect(national?.item?.qualityStandard?.stated).toBe(true);
    expect(national?.item?.qualityStandard?.metrics[0]).toMatchObject({
      metric: 'government_subsidy_per_capita',
      value: '380',
      unit: 'CNY',
      basis: 'per_person_per_year',
    });
    expect(national?.effectiveFrom).toEqual({ year: 2017, month: 1, day: 23 });

    const hea01 = (await unary(r.client.getItem.bind(r.client), { itemCode: 'HEA-01', asOf: undefined, provinceCode: '' }, token)).national?.item;
    expect(hea01?.qualityStandard?.stated).toBe(false);
    expect(hea01?.qualityStandard?.metrics).toEqual([]);
    expect(hea01?.paymentCategory).toBe(PaymentCategory.PAYMENT_CATEGORY_NOT_STATED);
    expect(hea01?.expenditureResponsibility?.kind).toBe(ExpenditureKind.EXPENDITURE_KIND_NOT_STATED);
    // Lead unit attributed from seed 000's annex (row 7), flagged as not stated per item by the seeds.
    expect(hea01?.leadUnit?.code).toBe('NHC');
    expect(hea01?.leadUnitStated).toBe(false);
  });

  it('knows nothing before the list took effect, and filters by field', async () => {
    const before = await refused(
      unary(
        r.client.getItem.bind(r.client),
        { itemCode: 'EDU-01', asOf: { date: { year: 2016, month: 12, day: 31 }, knownAt: undefined }, provinceCode: '' },
        token,
      ),
    );
    expect((before as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
    const edu = await unary(r.client.listItems.bind(r.client), { asOf: undefined, fieldCode: 'F17-EDU', categoryCode: '', provinceCode: '' }, token);
    expect(edu.items.map((i) => i.item?.itemCode)).toEqual(['EDU-01', 'EDU-02', 'EDU-03', 'EDU-04', 'EDU-05', 'EDU-06', 'EDU-07', 'EDU-08']);
  });

  it('refuses unknown ids and impossible dates precisely', async () => {
    const unknown = await refused(unary(r.client.getItem.bind(r.client), { itemCode: 'XXX-99', asOf: undefined, provinceCode: '' }, token));
    expect((unknown as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
    const badDate = await refused(
      unary(
        r.client.getItem.bind(r.client),
        { itemCode: 'EDU-01', asOf: { date: { year: 2021, month: 2, day: 30 }, knownAt: undefined }, provinceCode: '' },
        token,
      ),
    );
    expect((badDate as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(decodeStatus(badDate as grpc.ServiceError).fieldViolations[0]?.field).toBe('as_of.date');
    const badProvince = await refused(unary(r.client.getItem.bind(r.client), { itemCode: 'EDU-01', asOf: undefined, provinceCode: '999999' }, token));
    expect((badProvince as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
    const badField = await refused(unary(r.client.listItems.bind(r.client), { asOf: undefined, fieldCode: 'F99', categoryCode: '', provinceCode: '' }, token));
    expect((badField as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
  });

  it('serves the 8-field taxonomy before 2021-03-30 and the 9-field / 22-category one from then on', async () => {
    const t2020 = await unary(r.client.getTaxonomy.bind(r.client), { asOf: { date: { year: 2021, month: 3, day: 29 }, knownAt: undefined } }, token);
    expect(t2020.taxonomyId).toBe('taxonomy-2017');
    expect(t2020.fields).toHaveLength(8);
    const t2021 = await unary(r.client.getTaxonomy.bind(r.client), { asOf: { date: { year: 2021, month: 3, day: 30 }, knownAt: undefined } }, token);
    expect(t2021.taxonomyId).toBe('taxonomy-2021');
    expect(t2021.fields).toHaveLength(9);
    expect(t2021.fields.flatMap((f) => f.categories)).toHaveLength(22);
  });

  it('publishes the baseline release on bps.standards.v1 and seeding again changes nothing', async () => {
    await expect.poll(() => r.eventsOf(standardEvents.versionPublished).length, { timeout: 30_000 }).toBe(1);
    const published = r.eventsOf(standardEvents.versionPublished)[0];
    expect(published?.releaseId).toBe('2017-national-list');
    expect(published?.itemVersions).toHaveLength(81);
    // The baseline's date is long past: its version.effective fires at once.
    await expect.poll(() => r.eventsOf(standardEvents.versionEffective).length, { timeout: 30_000 }).toBe(1);

    await r.restart();
    expect(await r.running.store.versions.countDocuments({})).toBe(81);
    expect(await r.running.store.releases.countDocuments({})).toBe(1);
    const releases = await unary(r.client.listReleases.bind(r.client), {}, await r.token('nhc-staff'));
    expect(releases.releases.map((x) => x.releaseId)).toEqual(['2017-national-list']);
  });
});

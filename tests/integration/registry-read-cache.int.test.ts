// The reads the registry keeps between requests (issue #16: the item heads and taxonomies under the catalogue's
// stamp, a province's filing heads under its own, timeline pages under their head, write-once records) never
// outlive a write. Two instances on one database, each keeping its own reads, are read once their stamps have
// settled (so that what they keep is what they answer from), then written to by every kind of write; once the
// stamps have settled again, both must answer exactly what a new instance (nothing kept) answers, and the answer
// must show the write. Timeline pages of 2 versions, so that old versions and their corrections live outside
// the heads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import type { AsOf } from '../../proto/gen/bps/registry/v1/registry';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { RegistryStore } from '../../services/registry/adapters/mongo/store';
import type { FilingHead, TaxonomyDoc } from '../../services/registry/application/records';
import { Registry } from '../../services/registry/application/registry';
import { toDateMessage } from '../../services/registry/domain/dates';
import { personas } from '../../services/shared/auth/personas';
import { DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT } from '../../services/shared/standards/monitoring';
import { testLogger } from '../support/stack';
import { startTestRegistry, type TestRegistry } from './registry-helpers';

const SETTLE_MS = 300;
const PAGE = 2;
const PROVINCE = '110000';
const PAST: AsOf = { date: toDateMessage('2019-06-01'), knownAt: undefined };

let r: TestRegistry;
/** A second instance of the registry on the same database, keeping its own reads. */
let other: Registry;

function instance(): Registry {
  return new Registry({
    store: new RegistryStore(r.running.store.db, { pageSize: PAGE }),
    topicNamespace: r.namespace,
    logger: testLogger,
    now: () => new Date(),
    refileDays: 90,
    blindlyHighMarginPercent: DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT,
    stampSettleMs: SETTLE_MS,
  });
}

const settled = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 200));

/** Every read that answers from kept reads. */
async function everything(reg: Registry) {
  return {
    today: await reg.listItems(undefined, '', '', PROVINCE),
    past: await reg.listItems(PAST, '', '', PROVINCE),
    item: await reg.getItem('HEA-02', PAST, PROVINCE),
    itemToday: await reg.getItem('HEA-02', undefined, PROVINCE),
    report: await reg.complianceReport(PROVINCE, undefined),
    pastReport: await reg.complianceReport(PROVINCE, PAST),
    diff: await reg.diff({
      from: { $case: 'fromDate', fromDate: toDateMessage('2018-01-01') },
      to: { $case: 'toDate', toDate: toDateMessage('2030-01-01') },
      fieldCode: '',
    }),
  };
}
type Everything = Awaited<ReturnType<typeof everything>>;

/**
 * Both instances read (and keep) everything, `write` runs in the first, and after the stamps settle both answer
 * what a new instance answers; `shows` checks the write is in that answer.
 */
async function afterWrite(write: () => Promise<unknown>, shows: (before: Everything, after: Everything) => void): Promise<void> {
  await settled();
  const before = await everything(other);
  await everything(r.running.registry);
  expect(await everything(other)).toEqual(before); // served from what it keeps
  await write();
  await settled();
  const truth = await everything(instance());
  expect(await everything(r.running.registry)).toEqual(truth);
  expect(await everything(other)).toEqual(truth);
  shows(before, truth);
}

const item = (e: Everything, code: string, which: 'today' | 'past' = 'today') => e[which].items.find((i) => i.item?.itemCode === code);

beforeAll(async () => {
  r = await startTestRegistry('reg-cache', { stampSettleMs: SETTLE_MS, timelinePageSize: PAGE });
  other = instance();
}, 120_000);
afterAll(async () => r?.stop());

const modify = (version: number, effectiveFrom: string, base: ServiceItem, text: string) =>
  r.running.registry.applyChangeSet({
    changeSetId: `cs-cache-${version}`,
    kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
    title: `v${version}`,
    effectiveFrom: toDateMessage(effectiveFrom),
    provenance: undefined,
    fieldCodes: [],
    changes: [
      {
        changeId: 'c1',
        change: {
          $case: 'modifyItem',
          modifyItem: {
            base: { itemCode: 'HEA-02', version: version - 1 },
            item: { ...base, serviceContent: { stated: true, text } },
            lowersFloor: false,
            loweringJustification: '',
          },
        },
      },
    ],
  });

describe('kept reads after each kind of write (two instances)', () => {
  it('publication: new versions, in force at a past date and today', async () => {
    const base = (await r.running.registry.getItem('HEA-02', undefined, '')).national.item!;
    await afterWrite(
      async () => {
        // v2 in force at the past date read; v3..v7 after it, so v2 leaves the head (4 versions) and its page.
        const dates = ['2019-01-01', '2020-01-01', '2021-06-01', '2022-01-01', '2023-01-01', '2024-01-01'];
        for (const [i, date] of dates.entries()) expect(await modify(i + 2, date, base, `第${i + 2}版`)).toBe('published');
      },
      (before, after) => {
        expect(before.item.national.version).toBe(1);
        expect(after.item.national.version).toBe(2);
        expect(after.itemToday.national.version).toBe(7);
        expect(item(after, 'HEA-02', 'past')?.version).toBe(2);
      },
    );
  }, 60_000);

  it('correction of a version older than the head (its page only)', async () => {
    const v2 = (await r.running.registry.getItem('HEA-02', PAST, '')).national;
    expect(v2.version).toBe(2);
    const name = `${v2.item!.name}（勘误）`;
    await afterWrite(
      async () => {
        const erratum = await r.running.registry.correct(personas.operator, 'HEA-02', 2, { ...v2.item!, name }, '名称用字勘误');
        await r.running.registry.approveErratum(personas['final-approver'], 'HEA-02', 2, erratum.erratumId);
      },
      (before, after) => {
        expect(before.item.national.item?.name).not.toBe(name);
        expect(after.item.national).toMatchObject({ version: 2, correctionOf: 'HEA-02:v2:r0', item: { name } });
        expect(item(after, 'HEA-02', 'past')?.item?.name).toBe(name);
      },
    );
  }, 60_000);

  it('correction of a version in the head', async () => {
    const v7 = (await r.running.registry.getItem('HEA-02', undefined, '')).national;
    const name = `${v7.item!.name}（更正）`;
    await afterWrite(
      async () => {
        const erratum = await r.running.registry.correct(personas.operator, 'HEA-02', 7, { ...v7.item!, name }, '名称用字勘误');
        await r.running.registry.approveErratum(personas['final-approver'], 'HEA-02', 7, erratum.erratumId);
      },
      (_before, after) => {
        expect(after.itemToday.national).toMatchObject({ version: 7, item: { name } });
        expect(item(after, 'HEA-02')?.item?.name).toBe(name);
      },
    );
  }, 60_000);

  it('retirement', async () => {
    await afterWrite(
      async () =>
        expect(
          await r.running.registry.applyChangeSet({
            changeSetId: 'cs-cache-retire',
            kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
            title: 'retire HEA-03',
            effectiveFrom: toDateMessage('2019-03-01'),
            provenance: undefined,
            fieldCodes: [],
            changes: [{ changeId: 'c1', change: { $case: 'retireItem', retireItem: { base: { itemCode: 'HEA-03', version: 1 }, reason: '合并' } } }],
          }),
        ).toBe('published'),
      (before, after) => {
        expect(item(before, 'HEA-03', 'past')).toBeDefined();
        expect(item(after, 'HEA-03', 'past')).toBeUndefined();
        expect(item(after, 'HEA-03')).toBeUndefined();
        expect(after.report.lines.map((l) => l.itemCode)).not.toContain('HEA-03');
      },
    );
  }, 60_000);

  it('local filings, at a past date and today', async () => {
    const file = (effectiveFrom: string, value: string) =>
      r.running.registry.fileLocalStandard(personas['beijing-officer'], {
        provinceCode: PROVINCE,
        itemCode: 'INS-05',
        effectiveFrom: toDateMessage(effectiveFrom),
        metrics: [{ metric: 'government_subsidy_per_capita', value, unit: 'CNY', basis: 'per_person_per_year' }],
        localFunding: undefined,
        localFundingSource: '',
        note: '',
      });
    const line = (e: Everything, which: 'report' | 'pastReport') => e[which].lines.find((l) => l.itemCode === 'INS-05');
    await afterWrite(
      () => file('2019-01-01', '380'),
      (before, after) => {
        expect(line(before, 'pastReport')?.filed).toBe(false);
        expect(line(after, 'pastReport')?.filed).toBe(true);
        expect(after.past.provincial.map((p) => p.filingId)).toContain('110000:INS-05:1');
      },
    );
    await afterWrite(
      () => file('2024-01-01', '380'),
      (_before, after) => {
        expect(line(after, 'report')?.filingId).toBe('110000:INS-05:2');
        expect(line(after, 'pastReport')?.filingId).toBe('110000:INS-05:1');
      },
    );
  }, 60_000);

  it('a taxonomy recorded (seeding)', async () => {
    const latest = (await r.running.store.allTaxonomies()).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0]!;
    const renamed: TaxonomyDoc = {
      ...latest,
      _id: 'taxonomy-cache-test',
      taxonomyId: 'taxonomy-cache-test',
      effectiveFrom: '2022-06-01',
      fields: latest.fields.map((f) => ({ ...f, name: `${f.name}（新）` })),
      recordedAt: new Date(),
    };
    await afterWrite(
      () => r.running.store.recordTaxonomy(renamed),
      (before, after) => {
        expect(item(before, 'HEA-01')?.placement?.fieldName).not.toMatch(/（新）$/);
        expect(item(after, 'HEA-01')?.placement?.fieldName).toMatch(/（新）$/);
      },
    );
  }, 60_000);

  it('keeps what it read: a write that does not stamp is not seen until the stamp changes (why every write stamps)', async () => {
    await settled();
    const kept = await other.complianceReport(PROVINCE, undefined);
    const line = kept.lines.find((l) => l.itemCode === 'EDU-01');
    expect(line?.filed).toBe(false);
    const head: FilingHead = {
      _id: `${PROVINCE}:EDU-01`,
      provinceCode: PROVINCE,
      itemCode: 'EDU-01',
      rev: 1,
      latest: 1,
      recent: [
        {
          _id: `${PROVINCE}:EDU-01:1`,
          provinceCode: PROVINCE,
          itemCode: 'EDU-01',
          fieldCode: '',
          effectiveFrom: '2020-01-01',
          recordedAt: new Date(),
          metrics: [],
          comparisons: [],
          exceeds: false,
          nationalVersion: 1,
          localFunding: null,
          localFundingSource: '',
          note: '',
          actor: { subject: 'x', organisation: PROVINCE, roles: [] },
        },
      ],
      pages: [],
    };
    await r.running.store.filingHeads.insertOne(head);
    expect((await instance().complianceReport(PROVINCE, undefined)).lines.find((l) => l.itemCode === 'EDU-01')?.filed).toBe(true);
    expect((await other.complianceReport(PROVINCE, undefined)).lines.find((l) => l.itemCode === 'EDU-01')?.filed).toBe(false);
    await r.running.store.touch(`filings:${PROVINCE}`);
    expect((await other.complianceReport(PROVINCE, undefined)).lines.find((l) => l.itemCode === 'EDU-01')?.filed).toBe(true); // unsettled: read anew
    await settled();
    expect((await other.complianceReport(PROVINCE, undefined)).lines.find((l) => l.itemCode === 'EDU-01')?.filed).toBe(true);
  }, 60_000);
});

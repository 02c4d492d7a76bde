// Applying approved change sets from Kafka: point in time before/after an amendment, future-dated versions and
// version.effective, duplicates applied once, stale bases rejected, split/merge lineage, edition diff, and
// bitemporal corrections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ReleaseKind, type ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import { ChangeType } from '../../proto/gen/bps/standards/v1/events';
import { toDateMessage } from '../../services/registry/domain/dates';
import { addDays, todayInChina } from '../../services/shared/standards/china-date';
import { createLogger } from '../../services/shared/log/logger';
import { startTestRegistry, standardEvents, type TestRegistry } from './registry-helpers';
import { refused } from '../support/grpc';

const d = (iso: string) => toDateMessage(iso);
const provenance = {
  proposalIds: ['proposal-ins-1'],
  proposalRevisions: [2],
  workflowId: 'adhoc-proposal-ins-1',
  workflowRunId: 'run-1',
  cycleId: '',
  approvalRouteVersion: 'v1',
  approvedBy: { subject: 'sco.final.zhou', organisation: 'SCO', roles: ['final-approver'] },
  approvedAt: new Date('2019-12-01T00:00:00Z'),
};

describe('registry: approved change sets', () => {
  let r: TestRegistry;
  let token: string;
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);

  const getItem = (itemCode: string, date?: string, knownAt?: Date) =>
    unary(r.client.getItem.bind(r.client), { itemCode, asOf: { date: date ? d(date) : undefined, knownAt }, provinceCode: '' }, token);
  const item = async (code: string): Promise<ServiceItem> => (await getItem(code)).national!.item!;
  const withSubsidy = (base: ServiceItem, value: string): ServiceItem => ({
    ...base,
    qualityStandard: {
      stated: true,
      text: `城乡居民基本医疗保险补助标准每人每年${value}元`,
      metrics: base.qualityStandard!.metrics.map((m) => ({ ...m, value })),
    },
  });
  const modify = (id: string, code: string, version: number, content: ServiceItem, effective: string, extra: Partial<ChangeSet> = {}): Partial<ChangeSet> => ({
    changeSetId: id,
    kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
    title: `调整 ${code}`,
    effectiveFrom: d(effective),
    provenance,
    fieldCodes: [content.fieldCode],
    changes: [
      {
        changeId: 'c1',
        change: { $case: 'modifyItem', modifyItem: { base: { itemCode: code, version }, item: content, lowersFloor: false, loweringJustification: '' } },
      },
    ],
    ...extra,
  });

  beforeAll(async () => {
    // Warnings on stderr (the test logger is silent): the split/merge change set below was not applied within 30 s in
    // three loaded full-suite runs on 2026-12-02 (it takes ~1 s alone); its handler's retries, a dead letter or a
    // consumer stall will show here when it happens again.
    r = await startTestRegistry('reg-chg', { now, logger: createLogger('reg-chg', 'warn') });
    token = await r.token('nhc-staff');
  });
  afterAll(async () => r.stop());

  it('publishes an amendment: the old version before its effective date, the new one from it, with provenance', async () => {
    const before = await item('INS-05');
    await r.approve(modify('cs-ins-2020', 'INS-05', 1, withSubsidy(before, '450'), '2020-01-01'));
    await expect.poll(async () => (await getItem('INS-05', '2020-01-01')).national?.version, { timeout: 30_000 }).toBe(2);

    const old = (await getItem('INS-05', '2019-12-31')).national!;
    expect(old.version).toBe(1);
    expect(old.item?.qualityStandard?.metrics[0]?.value).toBe('380');
    expect(old.effectiveTo).toEqual(d('2019-12-31'));
    const cur = (await getItem('INS-05', '2020-01-01')).national!;
    expect(cur.item?.qualityStandard?.metrics[0]?.value).toBe('450');
    expect(cur.releaseId).toBe('release-cs-ins-2020');
    expect(cur.releaseKind).toBe(ReleaseKind.RELEASE_KIND_AMENDMENT);
    expect(cur.provenance).toMatchObject({ proposalIds: ['proposal-ins-1'], workflowId: 'adhoc-proposal-ins-1', workflowRunId: 'run-1' });

    const history = await unary(r.client.getItemHistory.bind(r.client), { itemCode: 'INS-05', includeCorrections: false }, token);
    expect(history.versions.map((v) => [v.version, v.releaseId])).toEqual([
      [1, '2017-national-list'],
      [2, 'release-cs-ins-2020'],
    ]);

    await expect
      .poll(() => r.eventsOf(standardEvents.versionPublished).filter((e) => e.releaseId === 'release-cs-ins-2020').length, { timeout: 30_000 })
      .toBe(1);
    const published = r.eventsOf(standardEvents.versionPublished).find((e) => e.releaseId === 'release-cs-ins-2020')!;
    expect(published.effectiveFrom).toEqual(d('2020-01-01'));
    expect(published.itemVersions.map((v) => [v.itemCode, v.version, v.changeType])).toEqual([['INS-05', 2, ChangeType.CHANGE_TYPE_MODIFIED]]);
  });

  it('applies a change set delivered twice (two events, same change set) only once', async () => {
    const base = await item('EMP-01');
    const content = { ...base, serviceTarget: { stated: true, text: '劳动者' } };
    await r.approve(modify('cs-emp-dup', 'EMP-01', 1, content, '2021-06-01'));
    await r.approve(modify('cs-emp-dup', 'EMP-01', 1, content, '2021-06-01'));
    await expect.poll(async () => (await getItem('EMP-01')).national?.version, { timeout: 30_000 }).toBe(2);
    await expect
      .poll(() => r.eventsOf(standardEvents.versionPublished).filter((e) => e.releaseId === 'release-cs-emp-dup').length, { timeout: 30_000 })
      .toBe(1);
    // Let the second delivery be handled, then check nothing more happened and no conflict was raised.
    // Three deliveries so far in this test file: the 2020 amendment and this change set twice.
    await expect.poll(async () => r.running.store.db.collection('processed_events').countDocuments({}), { timeout: 30_000 }).toBe(3);
    const history = await unary(r.client.getItemHistory.bind(r.client), { itemCode: 'EMP-01', includeCorrections: true }, token);
    expect(history.versions).toHaveLength(2);
    expect(await r.running.store.rejections.countDocuments({})).toBe(0);
  });

  it('rejects a change set made against a stale version, names the item and applies none of its changes', async () => {
    const ins = await item('INS-05');
    const edu = await item('EDU-02');
    await r.approve({
      changeSetId: 'cs-stale',
      kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
      title: 'stale',
      effectiveFrom: d('2022-01-01'),
      provenance,
      fieldCodes: [],
      changes: [
        {
          changeId: 'c1',
          change: {
            $case: 'modifyItem',
            modifyItem: {
              base: { itemCode: 'EDU-02', version: 1 },
              item: { ...edu, serviceContent: { stated: true, text: '营养膳食补助（调整）' } },
              lowersFloor: false,
              loweringJustification: '',
            },
          },
        },
        {
          changeId: 'c2',
          change: {
            $case: 'modifyItem',
            modifyItem: { base: { itemCode: 'INS-05', version: 1 }, item: withSubsidy(ins, '500'), lowersFloor: false, loweringJustification: '' },
          },
        },
      ],
    });
    await expect.poll(() => r.eventsOf(standardEvents.changeSetRejected).filter((e) => e.changeSetId === 'cs-stale').length, { timeout: 30_000 }).toBe(1);
    const rejected = r.eventsOf(standardEvents.changeSetRejected).find((e) => e.changeSetId === 'cs-stale')!;
    expect(rejected.conflicts).toEqual([expect.objectContaining({ itemCode: 'INS-05', baseVersion: 1, currentVersion: 2 })]);
    expect(rejected.provenance?.proposalIds).toEqual(['proposal-ins-1']);
    expect((await getItem('EDU-02', '2023-01-01')).national?.version).toBe(1);
    expect((await getItem('INS-05', '2023-01-01')).national?.version).toBe(2);
  });

  it('records lineage through a split and a merge, and diffs two releases', async () => {
    const soc06 = await item('SOC-06');
    const cul03 = await item('CUL-03');
    await r.approve({
      changeSetId: 'cs-edition-2023',
      kind: ReleaseKind.RELEASE_KIND_EDITION,
      title: '测试版',
      effectiveFrom: d('2023-01-01'),
      provenance: { ...provenance, cycleId: 'cycle-2023' },
      fieldCodes: [],
      changes: [
        {
          changeId: 's1',
          change: {
            $case: 'splitItem',
            splitItem: {
              base: { itemCode: 'SOC-06', version: 1 },
              into: [
                { ...soc06, itemCode: 'SOC-14', name: '法律援助（刑事）' },
                { ...soc06, itemCode: 'SOC-15', name: '法律援助（民事）' },
              ],
            },
          },
        },
        {
          changeId: 'm1',
          change: {
            $case: 'mergeItems',
            mergeItems: {
              bases: [
                { itemCode: 'CUL-03', version: 1 },
                { itemCode: 'CUL-04', version: 1 },
              ],
              into: { ...cul03, itemCode: 'CUL-11', name: '收听广播和观看电视' },
            },
          },
        },
        {
          changeId: 'v1',
          change: {
            $case: 'moveItem',
            moveItem: { base: { itemCode: 'CUL-09', version: 1 }, newName: '公共体育场馆免费或低收费开放', newFieldCode: '', newCategoryCode: '' },
          },
        },
      ],
    });
    await expect
      .poll(async () => await r.running.store.releases.countDocuments({ _id: 'release-cs-edition-2023', projected: true }), { timeout: 90_000 })
      .toBe(1);

    const merged = await unary(r.client.getItemLineage.bind(r.client), { itemCode: 'CUL-11' }, token);
    expect(merged.links.map((l) => [l.fromItemCode, l.toItemCode, l.changeType])).toEqual([
      ['CUL-03', 'CUL-11', ChangeType.CHANGE_TYPE_MERGED],
      ['CUL-04', 'CUL-11', ChangeType.CHANGE_TYPE_MERGED],
    ]);
    const split = await unary(r.client.getItemLineage.bind(r.client), { itemCode: 'SOC-15' }, token);
    expect(split.links.map((l) => [l.fromItemCode, l.toItemCode, l.changeType])).toEqual([['SOC-06', 'SOC-15', ChangeType.CHANGE_TYPE_SPLIT]]);
    const fromParent = await unary(r.client.getItemLineage.bind(r.client), { itemCode: 'SOC-06' }, token);
    expect(fromParent.links.map((l) => l.toItemCode).sort()).toEqual(['SOC-14', 'SOC-15']);

    // Retired items leave the catalogue; the new ones join it.
    const after = await unary(
      r.client.listItems.bind(r.client),
      { asOf: { date: d('2023-01-01'), knownAt: undefined }, fieldCode: '', categoryCode: '', provinceCode: '' },
      token,
    );
    const codes = after.items.map((i) => i.item?.itemCode);
    expect(codes).not.toContain('SOC-06');
    expect(codes).not.toContain('CUL-03');
    expect(codes).toEqual(expect.arrayContaining(['SOC-14', 'SOC-15', 'CUL-11']));
    expect(after.items).toHaveLength(81 + 2 - 1 + 1 - 2);
    const retired = await getItem('SOC-06', '2023-01-01');
    expect(retired.national?.retired).toBe(true);

    const diff = await unary(
      r.client.diffStandards.bind(r.client),
      {
        from: { $case: 'fromReleaseId', fromReleaseId: '2017-national-list' },
        to: { $case: 'toReleaseId', toReleaseId: 'release-cs-edition-2023' },
        fieldCode: '',
      },
      token,
    );
    const byCode = new Map(diff.items.map((i) => [i.itemCode, i]));
    expect(byCode.get('SOC-06')?.changeType).toBe(ChangeType.CHANGE_TYPE_SPLIT);
    expect(byCode.get('SOC-14')?.changeType).toBe(ChangeType.CHANGE_TYPE_SPLIT);
    expect(byCode.get('CUL-04')?.changeType).toBe(ChangeType.CHANGE_TYPE_MERGED);
    expect(byCode.get('CUL-11')?.changeType).toBe(ChangeType.CHANGE_TYPE_MERGED);
    // Each side is read in the structure in force on its date: 2017 fields, then the 9 fields / 22 categories.
    expect(byCode.get('CUL-09')).toMatchObject({
      changeType: ChangeType.CHANGE_TYPE_MOVED,
      fromVersion: 1,
      toVersion: 2,
      changes: [
        { attribute: 'name', before: '公共体育场馆开放', after: '公共体育场馆免费或低收费开放' },
        { attribute: 'field_code', before: 'F17-CUL', after: 'F21-CULTURE-SPORTS' },
        { attribute: 'category_code', before: '', after: 'C21-PUBLIC-SPORTS' },
      ],
    });
    expect(byCode.get('INS-05')).toMatchObject({ changeType: ChangeType.CHANGE_TYPE_MODIFIED, fromVersion: 1, toVersion: 2 });
    expect(byCode.get('INS-05')?.changes).toContainEqual({
      attribute: 'quality_standard.metrics[government_subsidy_per_capita].value',
      before: '380',
      after: '450',
    });
    expect(byCode.get('EDU-01')).toMatchObject({
      changeType: ChangeType.CHANGE_TYPE_MOVED,
      fromVersion: 1,
      toVersion: 1,
      changes: [
        { attribute: 'field_code', before: 'F17-EDU', after: 'F21-EDUCATION' },
        { attribute: 'category_code', before: '', after: 'C21-COMPULSORY-EDUCATION' },
      ],
    });

    const unknown = await refused(
      unary(
        r.client.diffStandards.bind(r.client),
        { from: { $case: 'fromReleaseId', fromReleaseId: 'no-such-edition' }, to: { $case: 'toDate', toDate: d('2023-01-01') }, fieldCode: '' },
        token,
      ),
    );
    expect((unknown as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
  }, 150_000);

  it('records a correction bitemporally: what was known before stays answerable', async () => {
    const v2 = (await getItem('INS-05', '2020-06-01')).national!;
    const knownBefore = new Date();
    await new Promise((res) => setTimeout(res, 20));
    const corrected: ServiceItem = { ...v2.item!, name: `${v2.item!.name}（勘误）` };
    const denied = await refused(
      unary(r.client.correctItemVersion.bind(r.client), { itemCode: 'INS-05', version: 2, item: corrected, reason: '名称勘误' }, await r.token('moe-staff')),
    );
    expect((denied as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    const noReason = await refused(
      unary(r.client.correctItemVersion.bind(r.client), { itemCode: 'INS-05', version: 2, item: corrected, reason: '' }, await r.token('operator')),
    );
    expect(decodeStatus(noReason as grpc.ServiceError).fieldViolations.map((v) => v.field)).toContain('reason');

    const proposed = await unary(
      r.client.correctItemVersion.bind(r.client),
      { itemCode: 'INS-05', version: 2, item: corrected, reason: '名称勘误' },
      await r.token('operator'),
    );
    expect(proposed.corrected).toBeUndefined();
    expect((await getItem('INS-05', '2020-06-01')).national?.item?.name).toBe(v2.item!.name); // nothing changes until approved
    const res = await unary(
      r.client.approveErratum.bind(r.client),
      { itemCode: 'INS-05', version: 2, erratumId: proposed.erratum!.erratumId },
      await r.token('final-approver'),
    );
    expect(res.corrected).toMatchObject({ version: 2, correctionOf: 'INS-05:v2:r0', correctionReason: '名称勘误' });

    expect((await getItem('INS-05', '2020-06-01')).national?.item?.name).toBe(corrected.name);
    const asKnownBefore = (await getItem('INS-05', '2020-06-01', knownBefore)).national!;
    expect(asKnownBefore.item?.name).toBe(v2.item!.name);
    expect(asKnownBefore.version).toBe(2);
    // Before the amendment was even recorded, the registry knew only version 1 for that date.
    const asKnownAtStart = (await getItem('INS-05', '2020-06-01', new Date(v2.recordedAt!.getTime() - 1))).national!;
    expect(asKnownAtStart.version).toBe(1);

    const history = await unary(r.client.getItemHistory.bind(r.client), { itemCode: 'INS-05', includeCorrections: true }, token);
    expect(history.versions.map((v) => [v.version, v.correctionOf])).toEqual([
      [1, ''],
      [2, ''],
      [2, 'INS-05:v2:r0'],
    ]);
    const current = await unary(r.client.getItemHistory.bind(r.client), { itemCode: 'INS-05', includeCorrections: false }, token);
    expect(current.versions.map((v) => [v.version, v.correctionOf])).toEqual([
      [1, ''],
      [2, 'INS-05:v2:r0'],
    ]);
  });
  it('keeps a future-dated version invisible until its date, then fires version.effective once (across a restart)', async () => {
    const today = todayInChina(now());
    const effective = addDays(today, 10);
    const base = await item('EMP-03');
    const raised: ServiceItem = {
      ...base,
      qualityStandard: { ...base.qualityStandard!, metrics: base.qualityStandard!.metrics.map((m) => ({ ...m, value: '2' })) },
    };
    await r.approve(modify('cs-emp-future', 'EMP-03', 1, raised, effective));
    await expect.poll(async () => (await getItem('EMP-03', effective)).national?.version, { timeout: 30_000 }).toBe(2);
    expect((await getItem('EMP-03')).national?.version).toBe(1); // today
    expect((await getItem('EMP-03')).national?.effectiveTo).toEqual(d(addDays(effective, -1)));
    const list = await unary(
      r.client.listItems.bind(r.client),
      { asOf: { date: d(effective), knownAt: undefined }, fieldCode: 'F17-EMP', categoryCode: '', provinceCode: '' },
      token,
    );
    expect(list.items.find((i) => i.item?.itemCode === 'EMP-03')?.version).toBe(2);

    const effectiveEvents = () => r.eventsOf(standardEvents.versionEffective).filter((e) => e.releaseId === 'release-cs-emp-future');
    await new Promise((res) => setTimeout(res, 1000)); // a few scheduler passes
    expect(effectiveEvents()).toHaveLength(0);

    await r.restart({ now }); // the due list is persisted
    offsetMs = 11 * 24 * 3600_000;
    await expect.poll(() => effectiveEvents().length, { timeout: 30_000 }).toBe(1);
    expect((await getItem('EMP-03')).national?.version).toBe(2);
    expect(effectiveEvents()[0]?.itemVersions).toEqual([{ itemCode: 'EMP-03', version: 2 }]);
    await new Promise((res) => setTimeout(res, 1500));
    expect(effectiveEvents()).toHaveLength(1);
    offsetMs = 0;
  });
});

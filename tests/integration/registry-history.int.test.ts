// Long histories: point-in-time reads older than the head's window go through the paged timeline (national
// versions across three pages, a correction of an old version, provincial filings beyond the window).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from '../../services/shared/grpc/client';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { toDateMessage } from '../../services/registry/domain/dates';
import { addDays } from '../../services/shared/standards/china-date';
import { startTestRegistry, type TestRegistry } from './registry-helpers';

const VERSIONS = 12; // three pages of 4 (configured small) and well beyond the head's window (4)
const dateOf = (version: number) => addDays('2018-01-01', (version - 2) * 7);

describe('registry: long histories', () => {
  let r: TestRegistry;
  let token: string;
  const getItem = (date: string, knownAt?: Date) =>
    unary(r.client.getItem.bind(r.client), { itemCode: 'HEA-02', asOf: { date: toDateMessage(date), knownAt }, provinceCode: '' }, token);

  beforeAll(async () => {
    r = await startTestRegistry('reg-hist', { timelinePageSize: 4 });
    token = await r.token('nhc-staff');
    const base = (await getItem('2017-06-01')).national!.item!;
    for (let v = 2; v <= VERSIONS; v++) {
      const item: ServiceItem = { ...base, serviceContent: { stated: true, text: `第${v}版服务内容` } };
      const outcome = await r.running.registry.applyChangeSet({
        changeSetId: `cs-hist-${v}`,
        kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
        title: `v${v}`,
        effectiveFrom: toDateMessage(dateOf(v)),
        provenance: undefined,
        fieldCodes: [],
        changes: [
          {
            changeId: 'c1',
            change: { $case: 'modifyItem', modifyItem: { base: { itemCode: 'HEA-02', version: v - 1 }, item, lowersFloor: false, loweringJustification: '' } },
          },
        ],
      });
      if (outcome !== 'published') throw new Error(`v${v}: ${outcome}`);
    }
  }, 90_000);
  afterAll(async () => r.stop());

  it('answers any date of a long history, on every page, with its successor date', async () => {
    for (const v of [1, 2, 3, 4, 5, 7, 8, 9, VERSIONS]) {
      const date = v === 1 ? '2017-06-01' : dateOf(v);
      const got = (await getItem(date)).national!;
      expect(got.version).toBe(v);
      expect(got.item?.serviceContent?.text).toBe(v === 1 ? '' : `第${v}版服务内容`);
      if (v < VERSIONS) expect(got.effectiveTo).toEqual(toDateMessage(addDays(dateOf(v + 1), -1)));
    }
    expect((await getItem(addDays(dateOf(6), 3))).national?.version).toBe(6); // between two versions
    const heads = await r.running.store.heads.findOne({ _id: 'HEA-02' });
    expect(heads?.recent).toHaveLength(4);
    expect(heads?.pages.map((p) => p.page)).toEqual([0, 1, 2]);
  });

  it('serves a correction of an old version (outside the head) bitemporally', async () => {
    const before = new Date();
    await new Promise((res) => setTimeout(res, 20));
    const v3 = (await getItem(dateOf(3))).national!;
    const name = `${v3.item!.name}（勘误）`;
    const { erratum } = await unary(
      r.client.correctItemVersion.bind(r.client),
      { itemCode: 'HEA-02', version: 3, item: { ...v3.item!, name }, reason: '名称用字勘误' },
      await r.token('operator'),
    );
    await unary(r.client.approveErratum.bind(r.client), { itemCode: 'HEA-02', version: 3, erratumId: erratum!.erratumId }, await r.token('final-approver'));
    expect((await getItem(dateOf(3))).national).toMatchObject({ version: 3, correctionOf: 'HEA-02:v3:r0', item: { name } });
    expect((await getItem(dateOf(3), before)).national).toMatchObject({ version: 3, correctionOf: '' });
    expect((await getItem(dateOf(4))).national?.correctionOf).toBe('');
  });

  it('finds provincial filings older than the head window', async () => {
    const beijing = await r.token('beijing-officer');
    for (let n = 1; n <= 6; n++) {
      await unary(
        r.client.fileLocalStandard.bind(r.client),
        {
          provinceCode: '110000',
          itemCode: 'HEA-02',
          effectiveFrom: toDateMessage(`202${n}-01-01`),
          metrics: [],
          localFunding: undefined,
          localFundingSource: '',
          note: `filing ${n}`,
        },
        beijing,
      );
    }
    const at = async (date: string) =>
      (
        await unary(
          r.client.getItem.bind(r.client),
          { itemCode: 'HEA-02', asOf: { date: toDateMessage(date), knownAt: undefined }, provinceCode: '110000' },
          beijing,
        )
      ).provincial;
    expect((await at('2021-06-01'))?.filingId).toBe('110000:HEA-02:1');
    expect((await at('2022-01-01'))?.filingId).toBe('110000:HEA-02:2');
    expect((await at('2026-02-01'))?.filingId).toBe('110000:HEA-02:6');
    expect(await at('2020-12-31')).toBeUndefined();
  });
});

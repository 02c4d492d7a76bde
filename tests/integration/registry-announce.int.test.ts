// What the registry announces can be read when the announcement goes out. Downstream systems act on an event by
// reading the registry (the edition-import test reads an item's history on version.published), so each event is
// handed to the outbox only once the reads find what it announces:
// - a release's version.published once every item's log and head hold the new version;
// - a filing's local.standard.filed once the filing head holds the filing;
// - an erratum's erratum.approved once the corrected record is in the log and the erratum is marked approved.
// Each test watches the moment the event becomes sendable (its document gains `outbox`, which is what the relay and
// its sweep look for) and reads through the public use cases at that moment. Before, the event was in the first
// write, so the relay could send it while the projection was still running (a CI run failed on exactly that).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { toDateMessage } from '../../services/registry/domain/dates';
import { personas } from '../../services/shared/auth/personas';
import { startTestRegistry, standardEvents, type TestRegistry } from './registry-helpers';

describe('registry: an announced change is readable', () => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startTestRegistry('reg-ann');
  });
  afterAll(async () => r?.stop());

  const sendable = async (collection: 'releases' | 'filings' | 'erratumApprovals', id: string): Promise<boolean> =>
    ((await r.running.store[collection].findOne({ _id: id }, { projection: { outbox: 1 } })) as { outbox?: unknown } | null)?.outbox !== undefined;

  /**
   * Polls `announced` back to back from now on; the first time it holds, reads `seen` at once (what a consumer of
   * the event would read). Resolves with that reading, or fails after `timeoutMs` if it never held (a failure the
   * test awaits; left unawaited when the test failed before, so it is not reported twice).
   */
  const atAnnouncement = <T>(announced: () => Promise<boolean>, seen: () => Promise<T>, timeoutMs = 60_000): Promise<T> => {
    const reading = (async () => {
      const deadline = Date.now() + timeoutMs;
      while (!(await announced())) if (Date.now() > deadline) throw new Error(`not announced within ${timeoutMs} ms`);
      return seen();
    })();
    reading.catch(() => undefined);
    return reading;
  };

  it('version.published: every item of the release is in its history and in force when the event is sendable', async () => {
    const codes = (await r.running.store.heads.find({}).sort({ _id: 1 }).limit(6).toArray()).map((h) => h._id);
    expect(codes).toHaveLength(6);
    const bases = new Map<string, ServiceItem>();
    for (const code of codes) bases.set(code, (await r.running.registry.getItem(code, undefined, '')).national.item!);
    const releaseId = 'release-cs-announce';
    const reading = atAnnouncement(
      () => sendable('releases', releaseId),
      () =>
        Promise.all(
          codes.map(async (code) => ({
            code,
            history: Math.max(...(await r.running.registry.getItemHistory(code, false)).map((v) => v.version)),
            inForce: (await r.running.registry.getItem(code, undefined, '')).national.version,
          })),
        ),
    );
    const outcome = await r.running.registry.applyChangeSet({
      changeSetId: 'cs-announce',
      kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
      title: '调整服务内容（测试）',
      effectiveFrom: toDateMessage('2020-01-01'),
      provenance: undefined,
      fieldCodes: [],
      changes: codes.map((code, i) => ({
        changeId: `c${i}`,
        change: {
          $case: 'modifyItem' as const,
          modifyItem: {
            base: { itemCode: code, version: 1 },
            item: { ...bases.get(code)!, serviceContent: { stated: true, text: `${code} 服务内容（测试调整）` } },
            lowersFloor: false,
            loweringJustification: '',
          },
        },
      })),
    });
    expect(outcome).toBe('published');
    expect(await reading).toEqual(codes.map((code) => ({ code, history: 2, inForce: 2 })));
    // And it does go out, once.
    await expect.poll(() => r.eventsOf(standardEvents.versionPublished).filter((e) => e.releaseId === releaseId).length, { timeout: 30_000 }).toBe(1);
  }, 120_000);

  it('local.standard.filed: the filing is the province’s value when the event is sendable', async () => {
    const filingId = '110000:INS-05:1';
    const reading = atAnnouncement(
      () => sendable('filings', filingId),
      async () => (await r.running.registry.getItem('INS-05', undefined, '110000')).provincial?.filingId,
    );
    const filed = await r.running.registry.fileLocalStandard(personas['beijing-officer'], {
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: toDateMessage('2020-01-01'),
      metrics: [{ metric: 'government_subsidy_per_capita', value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
      localFunding: undefined,
      localFundingSource: '',
      note: '',
    });
    expect(filed.filingId).toBe(filingId);
    expect(await reading).toBe(filingId);
    await expect.poll(() => r.eventsOf(standardEvents.localStandardFiled).filter((e) => e.itemCode === 'INS-05').length, { timeout: 30_000 }).toBe(1);
  }, 120_000);

  it('erratum.approved: the corrected record is in force and the erratum approved when the event is sendable', async () => {
    const current = (await r.running.registry.getItem('HEA-02', undefined, '')).national;
    const name = `${current.item!.name}（勘误）`;
    const erratum = await r.running.registry.correct(personas.operator, 'HEA-02', current.version, { ...current.item!, name }, '名称用字勘误（测试）');
    const recordId = `HEA-02:v${current.version}:r1`;
    const reading = atAnnouncement(
      () => sendable('erratumApprovals', recordId),
      async () => ({
        name: (await r.running.registry.getItem('HEA-02', undefined, '')).national.item?.name,
        status: (await r.running.registry.listErrata('HEA-02')).find((e) => e.erratumId === erratum.erratumId)?.status,
      }),
    );
    await r.running.registry.approveErratum(personas['final-approver'], 'HEA-02', current.version, erratum.erratumId);
    const seen = await reading;
    expect(seen.name).toBe(name);
    expect(seen.status).toMatch(/approved/i);
    await expect.poll(() => r.eventsOf(standardEvents.erratumApproved).length, { timeout: 30_000 }).toBe(1);
  }, 120_000);
});

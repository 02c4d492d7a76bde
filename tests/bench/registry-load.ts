// The registry benchmark's history, written straight into a seeded registry's database: national versions 2..V of
// the 81 seeded items (one every 30 days), one item with LONG versions, and V filings of every item by each of the
// chosen provinces (one every 30 days), with their heads and timeline pages. The documents are the ones the service
// writes (pagesOfVersions / pagesOfFilings build pages and summaries as appendVersion and the filing log do; a
// filing carries its bps.standard.local.filed event, already relayed), only written in bulk: filing 125,000
// documents through the API would take hours here.
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { ChangeType } from '../../proto/gen/bps/standards/v1/events';
import { pagesOfFilings, pagesOfVersions, type RegistryStore } from '../../services/registry/adapters/mongo/store';
import type { FilingDoc, FilingHead, FilingPage, HeadEntry, ItemHead, VersionDoc, VersionPage } from '../../services/registry/application/records';
import { SOURCE } from '../../services/registry/application/catalogue';
import { toDateMessage } from '../../services/registry/domain/dates';
import { compareMetrics, nationalMetrics } from '../../services/registry/domain/filing';
import { baselineRelease, provinces } from '../../services/registry/seed/baseline';
import { standardEvents } from '../../services/shared/events/standards';
import { newEvent } from '../../services/shared/kafka/kafka';
import { toOutboxFields } from '../../services/shared/mongo/outbox';
import { addDays } from '../../services/shared/standards/china-date';

export const START = '2017-01-23';
export const FILINGS_FROM = '2017-02-01';
export const STEP_DAYS = 30;

/** Writes batches of 1,000 documents, two at a time (the database has two cores). */
async function insertChunked<T>(insert: (docs: T[]) => Promise<unknown>, docs: T[]): Promise<void> {
  const chunks: T[][] = [];
  for (let i = 0; i < docs.length; i += 1000) chunks.push(docs.slice(i, i + 1000));
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < chunks.length) await insert(chunks[next++]!);
    }),
  );
}

export type Loaded = { versions: number; filings: number; seconds: number; provinceCodes: string[]; itemCodes: string[] };

/** National history (once per database). */
export async function loadNational(store: RegistryStore, versions: number, long: number, recordedBase: number): Promise<number> {
  const base = baselineRelease();
  const versionDocs: VersionDoc[] = [];
  const heads: ItemHead[] = [];
  const versionPages: VersionPage[] = [];
  const makeVersions = (itemCode: string, template: VersionDoc['item'], count: number, stepDays: number, fromVersion: number): VersionDoc[] =>
    Array.from({ length: count - fromVersion + 1 }, (_, k) => {
      const version = fromVersion + k;
      return {
        _id: `${itemCode}:v${version}:r0`,
        aggregateId: itemCode,
        sequence: version * 1000,
        itemCode,
        version,
        revision: 0,
        effectiveFrom: addDays(START, (version - 1) * stepDays),
        recordedAt: new Date(recordedBase + version * 1000),
        item: { ...template, itemCode, serviceContent: { stated: true, text: `bench version ${version}` } },
        retired: false,
        releaseId: `bench-${version}`,
        releaseKind: ReleaseKind.RELEASE_KIND_AMENDMENT,
        changeType: ChangeType.CHANGE_TYPE_MODIFIED,
        lineageFrom: [],
        provenance: null,
        correctionOf: '',
        correctionReason: '',
      };
    });
  const headOf = (itemCode: string, all: VersionDoc[]): ItemHead => {
    const { pages, summaries } = pagesOfVersions(itemCode, all);
    versionPages.push(...pages);
    return {
      _id: itemCode,
      rev: 1000,
      latest: all.at(-1)!.version,
      pages: summaries,
      recent: all.slice(-4).map((v): HeadEntry => ({ version: v.version, effectiveFrom: v.effectiveFrom, records: [v] })),
    };
  };
  for (const v of base.versions) {
    const v1 = await store.versions.findOne({ _id: `${v.itemCode}:v1:r0` });
    const rest = makeVersions(v.itemCode, v.item, versions, STEP_DAYS, 2);
    versionDocs.push(...rest);
    heads.push(headOf(v.itemCode, [v1!, ...rest]));
  }
  await store.touch('catalogue'); // as every write of the catalogue does, before and after
  const longHistory = makeVersions('BENCH-1K', base.versions[0]!.item, long, 1, 1).map((v) => ({ ...v, item: { ...v.item, fieldCode: 'F17-EDU' } }));
  versionDocs.push(...longHistory);
  heads.push(headOf('BENCH-1K', longHistory));
  await insertChunked((d) => store.versions.insertMany(d, { ordered: false }), versionDocs);
  await store.pages.deleteMany({});
  await insertChunked((d) => store.pages.insertMany(d, { ordered: false }), versionPages);
  for (const h of heads) await store.heads.replaceOne({ _id: h._id }, h, { upsert: true });
  await store.touch('catalogue');
  return versionDocs.length + base.versions.length;
}

/** `count` filings of every item by each province of `chosen`, as the filing log writes them. */
export async function loadFilings(
  store: RegistryStore,
  chosen: readonly { code: string }[],
  count: number,
  recordedBase: number,
  namespace: string,
): Promise<number> {
  const base = baselineRelease();
  const sent = new Date();
  let filingCount = 0;
  for (const p of chosen) {
    const filings: FilingDoc[] = [];
    const filingHeads: FilingHead[] = [];
    const filingPages: FilingPage[] = [];
    const actor = { subject: 'bench', organisation: p.code, roles: ['province-officer'] };
    for (const v of base.versions) {
      const mine: FilingDoc[] = Array.from({ length: count }, (_, k) => {
        const filingId = `${p.code}:${v.itemCode}:${k + 1}`;
        const effectiveFrom = addDays(FILINGS_FROM, k * STEP_DAYS);
        const recordedAt = new Date(recordedBase + k * 1000);
        const metrics = (v.item.qualityStandard?.metrics ?? []).map((m) => ({
          metric: m.metric,
          value: String(Number(m.value) + k),
          unit: m.unit,
          basis: m.basis,
        }));
        const comparisons = compareMetrics(nationalMetrics(v.item), metrics);
        const exceeds = comparisons.some((c) => c.exceeds);
        // The national version in force on the filing's date (versions every STEP_DAYS from START).
        const nationalVersion = 1 + Math.floor((k * STEP_DAYS + 9) / STEP_DAYS);
        const payload = standardEvents.localStandardFiled.codec.fromPartial({
          filingId,
          provinceCode: p.code,
          itemCode: v.itemCode,
          nationalVersion,
          effectiveFrom: toDateMessage(effectiveFrom),
          comparisons,
          exceedsNationalLevel: exceeds,
          localFundingSource: '',
          actor,
          fieldCode: v.item.fieldCode,
        });
        const event = newEvent(standardEvents.localStandardFiled, payload, {
          source: SOURCE,
          key: `${p.code}:${v.itemCode}`,
          topicNamespace: namespace,
          time: recordedAt,
        });
        const outbox = toOutboxFields(event).outbox;
        return {
          _id: filingId,
          provinceCode: p.code,
          itemCode: v.itemCode,
          fieldCode: v.item.fieldCode,
          effectiveFrom,
          recordedAt,
          metrics,
          comparisons,
          exceeds,
          nationalVersion,
          localFunding: null,
          localFundingSource: '',
          note: '',
          actor,
          outbox: { ...outbox, sentAt: sent }, // already relayed: the relay has nothing to do for the bulk load
        };
      });
      filings.push(...mine);
      const { pages, summaries } = pagesOfFilings(`${p.code}:${v.itemCode}`, mine);
      filingPages.push(...pages);
      filingHeads.push({
        _id: `${p.code}:${v.itemCode}`,
        provinceCode: p.code,
        itemCode: v.itemCode,
        rev: count,
        latest: count,
        recent: mine.slice(-4).map(({ outbox: _o, ...f }) => f),
        pages: summaries,
      });
    }
    await store.touch(`filings:${p.code}`);
    await insertChunked((d) => store.filings.insertMany(d, { ordered: false }), filings);
    await insertChunked((d) => store.filingPages.insertMany(d, { ordered: false }), filingPages);
    await store.filingHeads.insertMany(filingHeads, { ordered: false });
    await store.touch(`filings:${p.code}`);
    filingCount += filings.length;
  }
  return filingCount;
}

export { provinces };

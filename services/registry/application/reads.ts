// Reads at a date and timelines: an item (and a province's value of it) in force on a date as known at a time, the
// catalogue, an item's history and lineage, package levels, releases, the diff of two dates, the taxonomy.
import { NotFoundError, ValidationError } from '../../shared/errors/errors';
import type { DateMessage, PackageLevelVersion } from '../../../proto/gen/bps/common/v1/common';
import { Provenance } from '../../../proto/gen/bps/standards/v1/changes';
import type {
  AsOf,
  DiffStandardsRequest,
  DiffStandardsResponse,
  GetTaxonomyResponse,
  ItemVersion,
  LineageLink,
  ProvincialValue,
  Release,
} from '../../../proto/gen/bps/registry/v1/registry';
import { toDateMessage, type LocalDate } from '../domain/dates';
import { diffCatalogues, type ResolvedItem } from '../domain/diff';
import { inField } from '../domain/placement';
import { knownTaxonomy } from '../seed/baseline';
import { assertNever, type Catalogue } from './catalogue';
import type { Compliance } from './compliance';
import type { CatalogueReader, FilingRecords } from './ports';
import type { FilingHead, PackageLevelRecord, ReleaseDoc } from './records';

export class Reads {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly compliance: Compliance,
    private readonly records: CatalogueReader & FilingRecords,
  ) {}

  async getItem(itemCode: string, asOf: AsOf | undefined, provinceCode: string): Promise<{ national: ItemVersion; provincial: ProvincialValue | undefined }> {
    if (itemCode === '') throw new ValidationError([{ field: 'item_code', description: 'required' }]);
    const at = this.catalogue.resolveAsOf(asOf);
    if (provinceCode !== '') this.catalogue.requireProvince(provinceCode);
    // The catalogue's stamp and the province's at once; the item's head and taxonomies are kept under the first,
    // the filing head under the second (read by _id when not).
    const filingHead = provinceCode === '' ? Promise.resolve(null) : this.compliance.filingHead(provinceCode, itemCode);
    filingHead.catch(() => undefined);
    const parts = await this.catalogue.current();
    const classifiers = this.catalogue.classifiers(at.knownAt, parts);
    classifiers.catch(() => undefined);
    const head = await this.catalogue.head(itemCode, parts);
    if (!head) throw new NotFoundError('item', itemCode);
    const doc = await this.records.versionAsOf(itemCode, at.date, at.knownAt, head);
    if (!doc) throw new NotFoundError('item version', `${itemCode} in force on ${at.date}`);
    const national = await this.catalogue.toItemVersion(doc, at.knownAt, head, (await classifiers)(at.date));
    const provincial = provinceCode === '' ? undefined : await this.compliance.provincialValue(provinceCode, doc, at, await filingHead);
    return { national, provincial };
  }

  async listItems(
    asOf: AsOf | undefined,
    fieldCode: string,
    categoryCode: string,
    provinceCode: string,
  ): Promise<{ items: ItemVersion[]; provincial: ProvincialValue[]; asOfDate: DateMessage }> {
    const at = this.catalogue.resolveAsOf(asOf);
    if (fieldCode !== '' && !knownTaxonomy.fieldCodes.has(fieldCode)) throw new NotFoundError('field', fieldCode);
    if (categoryCode !== '' && !knownTaxonomy.categoryCodes.has(categoryCode)) throw new NotFoundError('category', categoryCode);
    if (provinceCode !== '') this.catalogue.requireProvince(provinceCode);
    // Filters apply to the taxonomy in force on the date; a field code of an earlier taxonomy selects the items
    // recorded under it (so old codes keep working).
    const parts = await this.catalogue.current();
    const classify = (await this.catalogue.classifiers(at.knownAt, parts))(at.date);
    const docs = (await this.catalogue.resolveCatalogue(at, parts)).filter(({ doc: d }) => {
      if (d.retired) return false;
      const classified = classify(d.item);
      return inField(fieldCode, classified) && (categoryCode === '' || classified.item.categoryCode === categoryCode);
    });
    const items = await Promise.all(docs.map(({ doc, head }) => this.catalogue.toItemVersion(doc, at.knownAt, head, classify)));
    const filingHeads = provinceCode === '' ? new Map<string, FilingHead>() : await this.compliance.filingHeadsOfProvince(provinceCode);
    const provincial =
      provinceCode === ''
        ? []
        : (await Promise.all(docs.map(({ doc }) => this.compliance.provincialValue(provinceCode, doc, at, filingHeads.get(doc.itemCode) ?? null)))).filter(
            (p): p is ProvincialValue => p !== undefined,
          );
    return { items, provincial, asOfDate: toDateMessage(at.date) };
  }

  async getItemHistory(itemCode: string, includeCorrections: boolean): Promise<ItemVersion[]> {
    if (itemCode === '') throw new ValidationError([{ field: 'item_code', description: 'required' }]);
    const records = await this.records.versionRecords(itemCode);
    if (records.length === 0) throw new NotFoundError('item', itemCode);
    const latestRevision = new Map<number, number>();
    for (const r of records) latestRevision.set(r.version, Math.max(latestRevision.get(r.version) ?? 0, r.revision));
    const shown = includeCorrections ? records : records.filter((r) => r.revision === latestRevision.get(r.version));
    const now = this.catalogue.settings.now();
    const head = await this.records.head(itemCode);
    // Each version as classified on its own effective date: the structure in force then.
    const classifyOn = await this.catalogue.classifiers(now);
    return Promise.all(shown.map((r) => this.catalogue.toItemVersion(r, now, head, classifyOn(r.effectiveFrom))));
  }

  async getItemLineage(itemCode: string): Promise<LineageLink[]> {
    if (itemCode === '') throw new ValidationError([{ field: 'item_code', description: 'required' }]);
    if (!(await this.records.itemCodeExists(itemCode))) throw new NotFoundError('item', itemCode);
    const links = new Map<string, LineageLink>();
    // Ancestors (walking `to` -> `from`) and descendants (`from` -> `to`), each direction transitively.
    for (const direction of ['back', 'forward'] as const) {
      const seen = new Set<string>([itemCode]);
      const queue = [itemCode];
      while (queue.length > 0) {
        const code = queue.shift() as string;
        const docs = await this.records.lineageLinks(direction === 'back' ? 'to' : 'from', code);
        for (const d of docs) {
          links.set(d._id, {
            fromItemCode: d.from,
            toItemCode: d.to,
            changeType: d.changeType,
            releaseId: d.releaseId,
            effectiveFrom: toDateMessage(d.effectiveFrom),
          });
          const nextCode = direction === 'back' ? d.from : d.to;
          if (nextCode !== '' && !seen.has(nextCode)) {
            seen.add(nextCode);
            queue.push(nextCode);
          }
        }
      }
    }
    return [...links.values()].sort(
      (a, b) => compareDates(a.effectiveFrom, b.effectiveFrom) || a.fromItemCode.localeCompare(b.fromItemCode) || a.toItemCode.localeCompare(b.toItemCode),
    );
  }

  // ---- package levels (issue #17) ------------------------------------------------------------------------

  /** The version of each package in force on the date (as known at the time), optionally only those covering an item. */
  async listPackageLevels(asOf: AsOf | undefined, itemCode: string): Promise<PackageLevelVersion[]> {
    const at = this.catalogue.resolveAsOf(asOf);
    const inForce = new Map<string, PackageLevelRecord>();
    for (const r of await this.records.packageVersions()) {
      if (r.effectiveFrom <= at.date && r.recordedAt <= at.knownAt) inForce.set(r.packageCode, r);
    }
    return [...inForce.values()].filter((r) => itemCode === '' || r.level.itemCodes.includes(itemCode)).map(packageVersionOf);
  }

  async getPackageLevel(packageCode: string, asOf: AsOf | undefined): Promise<{ level: PackageLevelVersion; history: PackageLevelVersion[] }> {
    if (packageCode === '') throw new ValidationError([{ field: 'package_code', description: 'required' }]);
    const at = this.catalogue.resolveAsOf(asOf);
    const known = (await this.records.packageVersions(packageCode)).filter((r) => r.recordedAt <= at.knownAt);
    if (known.length === 0) throw new NotFoundError('package level', packageCode);
    const inForce = known.filter((r) => r.effectiveFrom <= at.date).at(-1);
    if (!inForce) throw new NotFoundError('package level', `${packageCode} in force on ${at.date}`);
    return { level: packageVersionOf(inForce), history: known.map(packageVersionOf) };
  }

  async listReleases(): Promise<Release[]> {
    return (await this.records.releasesInOrder()).map(toRelease);
  }

  private async dateOfSelector(selector: DiffStandardsRequest['from'] | DiffStandardsRequest['to'], field: string): Promise<LocalDate> {
    if (!selector) throw new ValidationError([{ field, description: 'a date or a release id is required' }]);
    switch (selector.$case) {
      case 'fromDate':
        return this.catalogue.parseRequiredDate(selector.fromDate, 'from_date');
      case 'toDate':
        return this.catalogue.parseRequiredDate(selector.toDate, 'to_date');
      case 'fromReleaseId':
      case 'toReleaseId': {
        const id = selector.$case === 'fromReleaseId' ? selector.fromReleaseId : selector.toReleaseId;
        const release = await this.records.release(id);
        if (!release) throw new NotFoundError('release', id);
        return release.effectiveFrom;
      }
      default:
        return assertNever(selector);
    }
  }

  async diff(request: DiffStandardsRequest): Promise<DiffStandardsResponse> {
    const from = await this.dateOfSelector(request.from, 'from');
    const to = await this.dateOfSelector(request.to, 'to');
    if (request.fieldCode !== '' && !knownTaxonomy.fieldCodes.has(request.fieldCode)) throw new NotFoundError('field', request.fieldCode);
    const knownAt = this.catalogue.settings.now();
    const parts = await this.catalogue.current();
    const classifyOn = await this.catalogue.classifiers(knownAt, parts);
    // Each side as classified by the taxonomy in force on its date: a reclassification shows as a move.
    const resolve = async (date: LocalDate): Promise<ResolvedItem[]> =>
      (await this.catalogue.resolveCatalogue({ date, knownAt }, parts)).map(({ doc: d }) => ({
        itemCode: d.itemCode,
        version: d.version,
        retired: d.retired,
        changeType: d.changeType,
        item: classifyOn(date)(d.item).item,
      }));
    const items = diffCatalogues(await resolve(from), await resolve(to), (item) => classifyOn(to)(item).item).filter(
      (d) => request.fieldCode === '' || d.fieldCodes.includes(request.fieldCode),
    );
    return { items: items.map(({ fieldCodes: _f, ...rest }) => rest), fromDate: toDateMessage(from), toDate: toDateMessage(to) };
  }

  async getTaxonomy(asOf: AsOf | undefined): Promise<GetTaxonomyResponse> {
    const at = this.catalogue.resolveAsOf(asOf);
    const doc = await this.records.taxonomyAsOf(at.date, at.knownAt);
    if (!doc) throw new NotFoundError('taxonomy', `in force on ${at.date}`);
    return {
      taxonomyId: doc.taxonomyId,
      title: doc.title,
      effectiveFrom: toDateMessage(doc.effectiveFrom),
      fields: doc.fields.map((f) => ({ code: f.code, name: f.name, categories: f.categories.map((c) => ({ code: c.code, name: c.name })) })),
      lineage: (doc.lineage ?? []).map((l) => ({
        fromFieldCode: l.fromFieldCode,
        fromFieldName: l.fromFieldName ?? '',
        toFieldCode: l.toFieldCode,
        itemCodes: [...l.itemCodes],
      })),
    };
  }
}

function packageVersionOf(r: PackageLevelRecord): PackageLevelVersion {
  return { level: r.level, version: r.version, effectiveFrom: toDateMessage(r.effectiveFrom), releaseId: r.releaseId };
}

function compareDates(a: DateMessage | undefined, b: DateMessage | undefined): number {
  const key = (d: DateMessage | undefined): number => (d ? d.year * 10_000 + d.month * 100 + d.day : 0);
  return key(a) - key(b);
}

export function toRelease(doc: ReleaseDoc): Release {
  return {
    releaseId: doc._id,
    kind: doc.kind,
    title: doc.title,
    effectiveFrom: toDateMessage(doc.effectiveFrom),
    publishedAt: doc.publishedAt,
    changeSetId: doc.changeSetId,
    provenance: doc.provenance ? Provenance.fromPartial(doc.provenance) : undefined,
    fieldCodes: doc.fieldCodes,
    itemVersions: doc.versions.map((v) => ({ itemCode: v.itemCode, version: v.version })),
  };
}

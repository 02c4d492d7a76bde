// What every use case of the registry reads the record with: its settings, the date a request asks about
// ("as of" a date, as known at a time), the taxonomy in force on a date (read once), an item version on the wire.
import { ValidationError, NotFoundError } from '../../shared/errors/errors';
import type { Logger } from '../../shared/log/logger';
import { addDays, todayInChina } from '../../shared/standards/china-date';
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';
import type { AsOf, ItemVersion } from '../../../proto/gen/bps/registry/v1/registry';
import type { Erratum } from '../../../proto/gen/bps/standards/v1/events';
import { isViolation, parseDate, toDateMessage, type LocalDate } from '../domain/dates';
import { classifier, type Classifier } from '../domain/placement';
import { provinceCodes } from '../seed/baseline';
import type { CatalogueReader } from './ports';
import type { ErratumEntry, ItemHead, VersionDoc } from './records';
import { StampedReads, type Parts } from './stamped';

export type RegistrySettings = {
  readonly topicNamespace: string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Days after a raised floor takes effect by which a province below it must re-file. */
  readonly refileDays: number;
  /** Percent above the national level from which a filed level is "blindly high" (national monitoring). */
  readonly blindlyHighMarginPercent: number;
  /** How long after a write its family's reads are not kept (stamped.ts; default STAMP_SETTLE_MS). */
  readonly stampSettleMs?: number;
};

/** The CloudEvents source of every event the registry writes. */
export const SOURCE = '/bps/registry';

/** A date asked about, as known at a time. */
export type Resolved = { readonly date: LocalDate; readonly knownAt: Date };

export class Catalogue {
  /**
   * The item heads (~100 documents holding the latest versions: a scan of the collection) and the taxonomies (a
   * handful), kept while the catalogue's stamp holds (stamped.ts): every append of a version record and every
   * taxonomy recorded, in any instance, changes it.
   */
  private readonly stamped: StampedReads;

  constructor(
    readonly records: CatalogueReader,
    readonly settings: RegistrySettings,
  ) {
    this.stamped = new StampedReads(records, 'catalogue', settings.stampSettleMs);
  }

  /** After seeding: the taxonomies are read again. */
  forgetTaxonomies(): void {
    this.stamped.forget();
  }

  /** What this request reads of the catalogue (one read: its stamp). */
  current(): Promise<Parts> {
    return this.stamped.current();
  }

  async heads(parts?: Parts): Promise<ItemHead[]> {
    return (parts ?? (await this.current())).get('heads', () => this.records.allHeads());
  }

  /** One item's head: from all the heads if a request has read them under this stamp, else read by `_id` (and kept). */
  async head(itemCode: string, parts: Parts): Promise<ItemHead | null> {
    const all = parts.peek<ItemHead[]>('heads');
    if (all) return all.find((h) => h._id === itemCode) ?? null;
    return parts.get(`head:${itemCode}`, () => this.records.head(itemCode));
  }

  resolveAsOf(asOf: AsOf | undefined, field = 'as_of'): Resolved {
    const now = this.settings.now();
    let date = todayInChina(now);
    if (asOf?.date && !(asOf.date.year === 0 && asOf.date.month === 0 && asOf.date.day === 0)) {
      const parsed = parseDate(asOf.date, `${field}.date`);
      if (isViolation(parsed)) throw new ValidationError([parsed]);
      date = parsed;
    }
    return { date, knownAt: asOf?.knownAt ?? now };
  }

  /** Classifies items by the taxonomy in force on any date, as known at `knownAt`. */
  async classifiers(knownAt: Date, parts?: Parts): Promise<(date: LocalDate) => Classifier> {
    const all = await (parts ?? (await this.current())).get('taxonomies', () => this.records.allTaxonomies());
    const cache = new Map<string, Classifier>();
    return (date) => {
      const known = all.filter((t) => t.effectiveFrom <= date && t.recordedAt <= knownAt).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
      const doc = known[0] ?? null;
      const key = doc?._id ?? '';
      let c = cache.get(key);
      if (!c) {
        c = classifier(doc, known.slice(1));
        cache.set(key, c);
      }
      return c;
    };
  }

  parseRequiredDate(date: DateMessage | undefined, field: string): LocalDate {
    if (!date) throw new ValidationError([{ field, description: 'required' }]);
    const parsed = parseDate(date, field);
    if (isViolation(parsed)) throw new ValidationError([parsed]);
    return parsed;
  }

  requireProvince(code: string, field = 'province_code'): void {
    if (code === '') throw new ValidationError([{ field, description: 'required' }]);
    if (!provinceCodes.has(code)) throw new NotFoundError('province', code);
  }

  /** `classify`: the taxonomy in force on the date read; without it the item is shown as recorded. */
  async toItemVersion(doc: VersionDoc, knownAt: Date, head?: ItemHead | null, classify?: Classifier): Promise<ItemVersion> {
    const next = await this.records.nextEffectiveFrom(doc.itemCode, doc.version, knownAt, head);
    const classified = classify?.(doc.item);
    return {
      item: classified?.item ?? doc.item,
      placement: classified?.placement,
      version: doc.version,
      effectiveFrom: toDateMessage(doc.effectiveFrom),
      effectiveTo: next ? toDateMessage(addDays(next, -1)) : undefined,
      releaseId: doc.releaseId,
      releaseKind: doc.releaseKind,
      provenance: doc.provenance ?? undefined,
      retired: doc.retired,
      recordedAt: doc.recordedAt,
      correctionOf: doc.correctionOf,
      correctionReason: doc.correctionReason,
      errata: (doc.errata ?? []).map(toErratum),
    };
  }

  /** Every item's record in force on the date (retired ones included, flagged), from the item heads. */
  async resolveCatalogue(at: Resolved, parts?: Parts): Promise<{ doc: VersionDoc; head: ItemHead }[]> {
    const heads = await this.heads(parts);
    const docs = await Promise.all(heads.map(async (head) => ({ doc: await this.records.versionAsOf(head._id, at.date, at.knownAt, head), head })));
    return docs.filter((d): d is { doc: VersionDoc; head: ItemHead } => d.doc !== null).sort((a, b) => a.doc.itemCode.localeCompare(b.doc.itemCode));
  }
}

export function toErratum(e: ErratumEntry): Erratum {
  return {
    erratumId: e.erratumId,
    itemCode: e.itemCode,
    version: e.version,
    status: e.status,
    changes: e.changes.map((c) => ({ ...c })),
    reason: e.reason,
    proposedBy: { ...e.proposedBy, roles: [...e.proposedBy.roles] },
    proposedAt: e.proposedAt,
    approvedBy: e.approvedBy ? { ...e.approvedBy, roles: [...e.approvedBy.roles] } : undefined,
    approvedAt: e.approvedAt ?? undefined,
    baseRecordId: e.baseRecordId,
    recordId: e.recordId,
  };
}

export function assertNever(x: never): never {
  throw new Error(`unexpected case: ${JSON.stringify(x)}`);
}

// The ports the registry's use cases need, one per family; adapters/mongo/store.ts implements them all on MongoDB
// (FerretDB-compatible: reads by _id, write-once documents, compare-and-set heads). The records they speak are in
// records.ts. Writes that carry an event take its outbox fields (toOutboxFields) inside the document they write.
import type { CloudEvent } from '../../shared/kafka/cloudevents';
import type { AggregateStore } from '../../shared/domain/command-handler';
import type { OutboxFields } from '../../shared/mongo/outbox';
import type { LocalDate } from '../domain/dates';
import type { FilingState, LocalStandardFiled } from '../domain/filing';
import type {
  ActorDoc,
  BreachDoc,
  ErratumApprovalDoc,
  ErratumDoc,
  FilingDoc,
  FilingHead,
  FilingRecord,
  ItemHead,
  LineageDoc,
  MonitoringCellsDoc,
  PackageLevelRecord,
  ReadStamp,
  RejectionDoc,
  ReleaseDoc,
  ScheduleDoc,
  TaxonomyDoc,
  VersionDoc,
  WarningDoc,
} from './records';

export type Written = 'inserted' | 'exists';

/**
 * The stamps of families of reads (`catalogue`; `filings:<province>`): a value that every write of the family
 * changes just before and just after it writes, with when it was last written (application/stamped.ts).
 */
export interface ReadStamps {
  stamp(family: string): Promise<ReadStamp>;
}

/** The item timelines, package levels, lineage and taxonomies as recorded (bitemporal reads). */
export interface CatalogueReader extends ReadStamps {
  head(itemCode: string): Promise<ItemHead | null>;
  allHeads(): Promise<ItemHead[]>;
  /** The record in force on `date` as known at `knownAt` (`head`: already read, null = no such item). */
  versionAsOf(itemCode: string, date: LocalDate, knownAt: Date, head?: ItemHead | null): Promise<VersionDoc | null>;
  nextEffectiveFrom(itemCode: string, version: number, knownAt: Date, head?: ItemHead | null): Promise<LocalDate | undefined>;
  latestVersion(itemCode: string): Promise<VersionDoc | null>;
  /** Every record of an item (or of one version), in log order. */
  versionRecords(itemCode: string, version?: number): Promise<VersionDoc[]>;
  itemCodeExists(itemCode: string): Promise<boolean>;
  /** Lineage links into (`to`) or out of (`from`) an item code. */
  lineageLinks(end: 'from' | 'to', itemCode: string): Promise<LineageDoc[]>;
  /** Every version of every package level (or of one), oldest first. */
  packageVersions(packageCode?: string): Promise<PackageLevelRecord[]>;
  allTaxonomies(): Promise<TaxonomyDoc[]>;
  taxonomyAsOf(date: LocalDate, knownAt: Date): Promise<TaxonomyDoc | null>;
  release(releaseId: string): Promise<ReleaseDoc | null>;
  /** Every release, by effective date then publication. */
  releasesInOrder(): Promise<ReleaseDoc[]>;
}

/** Recording releases (the commit point, holding version.published) and projecting them. */
export interface ReleaseLog {
  insertRelease(doc: ReleaseDoc): Promise<Written>;
  /** Hands the release's held version.published to the outbox (once): called when the item logs hold it. */
  releaseAnnouncement(releaseId: string): Promise<void>;
  release(releaseId: string): Promise<ReleaseDoc | null>;
  /** Releases whose projection a crash interrupted, oldest first. */
  unprojectedReleases(): Promise<ReleaseDoc[]>;
  markProjected(releaseId: string): Promise<void>;
  appendVersion(record: Omit<VersionDoc, 'aggregateId' | 'sequence'>): Promise<'appended' | 'exists'>;
  appendPackageVersion(record: PackageLevelRecord): Promise<Written>;
  addLineage(doc: LineageDoc): Promise<void>;
  /** Puts a release on the version.effective due list (once). */
  scheduleEffective(releaseId: string, due: LocalDate): Promise<void>;
  recordBreach(doc: BreachDoc): Promise<Written>;
  hasRejection(changeSetId: string): Promise<boolean>;
  recordRejection(doc: RejectionDoc): Promise<Written>;
}

/** The persisted version.effective due list. */
export interface DueList {
  /** Entries due by `today` that are pending, or claimed before `staleClaim` (at most `limit`, earliest first). */
  due(today: LocalDate, staleClaim: Date, limit: number): Promise<ScheduleDoc[]>;
  /** Claims an entry in the state it was read in; false when another scheduler has it. */
  claim(entry: ScheduleDoc, now: Date, schedulerId: string): Promise<boolean>;
  /** Writes the release's version.effective event once (outbox id `effective:<release>`). */
  recordEffective(releaseId: string, event: OutboxFields): Promise<Written>;
  markFired(releaseId: string, schedulerId: string, now: Date): Promise<void>;
}

/** One province's filings of one item as an aggregate; `filingId` is `PROV:ITEM:n`. */
export type FilingLog = AggregateStore<FilingState, LocalStandardFiled>;

export interface FilingRecords {
  filingHead(provinceCode: string, itemCode: string): Promise<FilingHead | null>;
  filingAsOf(provinceCode: string, itemCode: string, date: LocalDate, knownAt: Date, head?: FilingHead | null): Promise<FilingRecord | null>;
  latestFilingsForItem(itemCode: string): Promise<FilingRecord[]>;
  allFilingHeads(): Promise<Map<string, Map<string, FilingHead>>>;
  filingHeadsOfProvince(provinceCode: string): Promise<Map<string, FilingHead>>;
  /** The filing log of one province and item (aggregate id `PROV:ITEM`), storing each filing as `document` makes it. */
  filingLog(document: (filingId: string, event: LocalStandardFiled) => FilingDoc): FilingLog;
}

export interface ErrataRecords {
  insertErratum(doc: ErratumDoc): Promise<void>;
  erratum(erratumId: string): Promise<ErratumDoc | null>;
  errataOf(itemCode: string): Promise<ErratumDoc[]>;
  insertErratumApproval(doc: ErratumApprovalDoc): Promise<Written>;
  /** Marks the erratum approved, then hands the approval's held erratum.approved to the outbox. */
  markErratumApproved(erratumId: string, approvedBy: ActorDoc, approvedAt: Date, recordId: string): Promise<void>;
  /** Events with no document of their own (erratum.refused), through the outbox. */
  appendEvents(events: readonly (CloudEvent & { topic: string })[]): Promise<void>;
}

export interface MonitoringRecords {
  /** What the monitor last observed of a province. */
  observedCells(provinceCode: string): Promise<MonitoringCellsDoc | null>;
  saveObservedCells(doc: MonitoringCellsDoc): Promise<void>;
  recordWarning(doc: WarningDoc): Promise<Written>;
}

export interface SeedRecords {
  /** Records a taxonomy once; one recorded before placements existed gets them. */
  recordTaxonomy(doc: TaxonomyDoc): Promise<void>;
}

/** Everything the registry's use cases need (one adapter implements it all). */
export type RegistryPorts = CatalogueReader & ReleaseLog & DueList & FilingRecords & ErrataRecords & MonitoringRecords & SeedRecords;

// The registry's stored records: what its ports read and write (adapters/mongo/store.ts keeps them in MongoDB).
// Declared here, with the ports, so that the use cases depend on no adapter.
import type { PackageLevel, ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { Provenance, ReleaseKind } from '../../../proto/gen/bps/standards/v1/changes';
import type { ChangeConflict, ChangeType, MetricComparison } from '../../../proto/gen/bps/standards/v1/events';
import type { HeldOutboxFields, OutboxFields } from '../../shared/mongo/outbox';
import type { MonitoringState } from '../../shared/standards/monitoring';
import type { LocalDate } from '../domain/dates';
import type { LocalMetric } from '../domain/filing';
import type { LineageEdge, VersionDraft } from '../domain/model';
import type { TaxonomyVersion } from '../seed/baseline';

export type ReleaseDoc = {
  _id: string;
  changeSetId: string;
  kind: ReleaseKind;
  title: string;
  effectiveFrom: LocalDate;
  publishedAt: Date;
  provenance: Provenance | null;
  fieldCodes: string[];
  versions: VersionDraft[];
  lineage: LineageEdge[];
  /** Package levels the release sets (issue #17); `level` is the proto PackageLevel as JSON. */
  packageVersions?: { packageCode: string; version: number; level: unknown }[];
  projected: boolean;
  // version.published is held until the release is in the item logs (releases recorded before that carry `outbox`).
} & Partial<OutboxFields> &
  HeldOutboxFields;

export type VersionDoc = {
  _id: string;
  aggregateId: string;
  sequence: number;
  itemCode: string;
  version: number;
  /** 0 = as published; n = the n-th correction of that version */
  revision: number;
  effectiveFrom: LocalDate;
  recordedAt: Date;
  item: ServiceItem;
  retired: boolean;
  releaseId: string;
  releaseKind: ReleaseKind;
  changeType: ChangeType;
  lineageFrom: string[];
  provenance: Provenance | null;
  correctionOf: string;
  correctionReason: string;
  /** The approved errata of this version up to this record, oldest first (absent on records written before errata). */
  errata?: ErratumEntry[];
};

export type ActorDoc = { subject: string; organisation: string; roles: string[] };
/** An erratum as kept on the version records it produced (and in `errata`). */
export type ErratumEntry = {
  erratumId: string;
  itemCode: string;
  version: number;
  status: 'proposed' | 'approved';
  changes: { field: string; before: string; after: string }[];
  reason: string;
  proposedBy: ActorDoc;
  proposedAt: Date;
  approvedBy: ActorDoc | null;
  approvedAt: Date | null;
  baseRecordId: string;
  recordId: string;
};
/** A proposed erratum (with its erratum.proposed event) and the corrected item it would put in effect. */
export type ErratumDoc = { _id: string; fieldCode: string; item: ServiceItem } & ErratumEntry & OutboxFields;
/**
 * The commit point of an erratum's approval: one per new version record (_id = its record id), with erratum.approved
 * held until the corrected record is in the item log and the erratum is marked approved.
 */
export type ErratumApprovalDoc = { _id: string; erratumId: string; approvedBy: ActorDoc; approvedAt: Date } & Partial<OutboxFields> & HeldOutboxFields;

export type LineageDoc = { _id: string; from: string; to: string; changeType: ChangeType; releaseId: string; effectiveFrom: LocalDate };

export type FilingDoc = {
  _id: string;
  provinceCode: string;
  itemCode: string;
  fieldCode: string;
  effectiveFrom: LocalDate;
  recordedAt: Date;
  metrics: LocalMetric[];
  comparisons: MetricComparison[];
  exceeds: boolean;
  nationalVersion: number;
  localFunding: { currency: string; fen: string } | null;
  localFundingSource: string;
  note: string;
  actor: { subject: string; organisation: string; roles: string[] };
  // local.standard.filed is held until the filing is in its head, where reads find it.
} & Partial<OutboxFields> &
  HeldOutboxFields;

export type BreachDoc = {
  _id: string;
  releaseId: string;
  provinceCode: string;
  itemCode: string;
  metric: string;
  filingId: string;
  recordedAt: Date;
} & OutboxFields;
/** What the monitor last observed of one province: one cell per item (an array: item codes are not field names). */
export type MonitoringCellsDoc = {
  _id: string;
  cells: { itemCode: string; state: MonitoringState; nationalVersion: number; filingId: string }[];
  observedOn: LocalDate;
  updatedAt: Date;
};
/** An early warning, written once per transition with its bps.standard.compliance.warning event. */
export type WarningDoc = { _id: string; provinceCode: string; itemCode: string; state: string; observedOn: LocalDate; recordedAt: Date } & OutboxFields;
export type RejectionDoc = { _id: string; conflicts: ChangeConflict[]; recordedAt: Date } & OutboxFields;
export type ScheduleDoc = {
  _id: string;
  due: LocalDate;
  status: 'pending' | 'claimed' | 'fired';
  claimedAt: Date | null;
  claimedBy: string;
  firedAt: Date | null;
};
export type TaxonomyDoc = TaxonomyVersion & { _id: string; recordedAt: Date };
/**
 * One version of a package level (issue #17), _id `CODE:vN`, written once by seeding or by a release's projection.
 * `level` is the proto PackageLevel as JSON. A handful of documents: read by scanning the collection.
 */
export type PackageLevelDoc = {
  _id: string;
  packageCode: string;
  version: number;
  effectiveFrom: LocalDate;
  recordedAt: Date;
  releaseId: string;
  level: unknown;
};
export type PackageLevelRecord = Omit<PackageLevelDoc, 'level'> & { level: PackageLevel };

/** The stamp of a family of reads (see application/stamped.ts). */
export type ReadStamp = { value: string; at: Date };

/** First entry of a page of a timeline: where the page starts in valid time and in transaction time. */
export type PageSummary = { page: number; effectiveFrom: LocalDate; recordedAt: Date };
export type VersionPage = {
  _id: string;
  rev: number;
  entries: { version: number; effectiveFrom: LocalDate; revisions: { revision: number; recordedAt: Date }[] }[];
};
export type FilingPage = { _id: string; rev: number; entries: { n: number; effectiveFrom: LocalDate; recordedAt: Date }[] };

export type HeadEntry = { version: number; effectiveFrom: LocalDate; records: VersionDoc[] };
/**
 * `recent`: the last few versions inline (the usual answer); `pages`: one summary per PAGE_SIZE versions;
 * `corrected`: the last corrections of versions older than `recent` (recorded so that the head changes with them).
 */
export type ItemHead = { _id: string; rev: number; latest: number; recent: HeadEntry[]; pages: PageSummary[]; corrected?: string[] };
export type FilingHead = { _id: string; provinceCode: string; itemCode: string; rev: number; latest: number; recent: FilingRecord[]; pages: PageSummary[] };
export type FilingRecord = Omit<FilingDoc, 'outbox' | 'heldOutbox'>;

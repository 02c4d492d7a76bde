// The registry's vocabulary. Item content is the proto ServiceItem (the contract every service shares);
// what the registry adds is how versions of it are numbered, dated and linked.
import type { PackageLevel, ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { Provenance, ReleaseKind } from '../../../proto/gen/bps/standards/v1/changes';
import type { ChangeType } from '../../../proto/gen/bps/standards/v1/events';
import type { LocalDate } from './dates';

/** The latest version of an item the registry knows of (in force or scheduled). */
export type CurrentVersion = {
  readonly itemCode: string;
  readonly version: number;
  readonly effectiveFrom: LocalDate;
  readonly retired: boolean;
  readonly item: ServiceItem;
};

/** The latest version of a package level the registry knows of (in force or scheduled), issue #17. */
export type CurrentPackage = {
  readonly packageCode: string;
  readonly version: number;
  readonly effectiveFrom: LocalDate;
  readonly level: PackageLevel;
};

/** One new version of a package level a release publishes. */
export type PackageVersionDraft = { readonly packageCode: string; readonly version: number; readonly level: PackageLevel };

/** One new item version a release publishes. A retirement is a version too (retired = true, content kept). */
export type VersionDraft = {
  readonly itemCode: string;
  readonly version: number;
  readonly item: ServiceItem;
  readonly retired: boolean;
  readonly changeType: ChangeType;
  readonly lineageFrom: readonly string[];
};

export type LineageEdge = { readonly from: string; readonly to: string; readonly changeType: ChangeType };

/** An edition or amendment ready to be recorded: every version it publishes, on one effective date. */
export type ReleaseDraft = {
  readonly releaseId: string;
  readonly changeSetId: string;
  readonly kind: ReleaseKind;
  readonly title: string;
  readonly effectiveFrom: LocalDate;
  readonly fieldCodes: readonly string[];
  readonly provenance: Provenance | undefined;
  readonly versions: readonly VersionDraft[];
  readonly lineage: readonly LineageEdge[];
  /** Package levels the release sets (absent on releases recorded before package levels existed). */
  readonly packageVersions?: readonly PackageVersionDraft[];
};

/** Field and category codes of every taxonomy the registry holds (2017 sector fields, 2021 9-field structure). */
export type KnownTaxonomy = {
  readonly fieldCodes: ReadonlySet<string>;
  readonly categoryCodes: ReadonlySet<string>;
};

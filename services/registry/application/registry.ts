// The registry's use cases behind one facade (what the gRPC adapter, the change-set consumer, the schedulers and
// app.ts call): publication (publication.ts), reads at a date (reads.ts), compliance (compliance.ts), filings
// (filings.ts), errata (errata.ts) and national monitoring (monitoring.ts). Each family declares the ports it needs
// (ports.ts); adapters/mongo/store.ts implements them.
import type { Identity } from '../../shared/auth/identity';
import type { DateMessage, PackageLevelVersion, ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { ChangeSet } from '../../../proto/gen/bps/standards/v1/changes';
import type { Erratum, SignedDecision } from '../../../proto/gen/bps/standards/v1/events';
import type {
  AsOf,
  DiffStandardsRequest,
  DiffStandardsResponse,
  FileLocalStandardRequest,
  FileLocalStandardResponse,
  GetComplianceHistoryRequest,
  GetComplianceHistoryResponse,
  GetComplianceReportResponse,
  GetTaxonomyResponse,
  ItemVersion,
  LineageLink,
  ProvincialValue,
  Release,
} from '../../../proto/gen/bps/registry/v1/registry';
import type { ReleaseDraft } from '../domain/model';
import { Catalogue, type RegistrySettings } from './catalogue';
import { Compliance } from './compliance';
import { Errata } from './errata';
import { Filings } from './filings';
import { Monitoring } from './monitoring';
import type { RegistryPorts } from './ports';
import { Publication } from './publication';
import { Reads } from './reads';
import type { ReleaseDoc } from './records';

export type RegistryOptions = RegistrySettings & { readonly store: RegistryPorts };

export class Registry {
  private readonly publication: Publication;
  private readonly reads: Reads;
  private readonly compliance: Compliance;
  private readonly filings: Filings;
  private readonly errata: Errata;
  private readonly monitoring: Monitoring;

  constructor(options: RegistryOptions) {
    const { store, ...settings } = options;
    const catalogue = new Catalogue(store, settings);
    this.compliance = new Compliance(catalogue, store);
    this.monitoring = new Monitoring(this.compliance, store, settings);
    const monitorSoon = (): void => this.monitoring.monitorSoon();
    this.publication = new Publication(catalogue, store, settings, monitorSoon);
    this.reads = new Reads(catalogue, this.compliance, store);
    this.filings = new Filings(catalogue, store, monitorSoon);
    this.errata = new Errata(catalogue, store);
  }

  // ---- publication ---------------------------------------------------------------------------------------

  seed(): Promise<void> {
    return this.publication.seed();
  }
  recordRelease(draft: ReleaseDraft, decision?: SignedDecision): Promise<ReleaseDoc> {
    return this.publication.recordRelease(draft, decision);
  }
  projectPending(): Promise<void> {
    return this.publication.projectPending();
  }
  applyChangeSet(changeSet: ChangeSet, signed?: SignedDecision): Promise<'published' | 'rejected' | 'duplicate'> {
    return this.publication.applyChangeSet(changeSet, signed);
  }
  fireDue(schedulerId: string, claimLeaseMs?: number): Promise<number> {
    return this.publication.fireDue(schedulerId, claimLeaseMs);
  }

  // ---- reads at a date -----------------------------------------------------------------------------------

  getItem(itemCode: string, asOf: AsOf | undefined, provinceCode: string): Promise<{ national: ItemVersion; provincial: ProvincialValue | undefined }> {
    return this.reads.getItem(itemCode, asOf, provinceCode);
  }
  listItems(
    asOf: AsOf | undefined,
    fieldCode: string,
    categoryCode: string,
    provinceCode: string,
  ): Promise<{ items: ItemVersion[]; provincial: ProvincialValue[]; asOfDate: DateMessage }> {
    return this.reads.listItems(asOf, fieldCode, categoryCode, provinceCode);
  }
  getItemHistory(itemCode: string, includeCorrections: boolean): Promise<ItemVersion[]> {
    return this.reads.getItemHistory(itemCode, includeCorrections);
  }
  getItemLineage(itemCode: string): Promise<LineageLink[]> {
    return this.reads.getItemLineage(itemCode);
  }
  listPackageLevels(asOf: AsOf | undefined, itemCode: string): Promise<PackageLevelVersion[]> {
    return this.reads.listPackageLevels(asOf, itemCode);
  }
  getPackageLevel(packageCode: string, asOf: AsOf | undefined): Promise<{ level: PackageLevelVersion; history: PackageLevelVersion[] }> {
    return this.reads.getPackageLevel(packageCode, asOf);
  }
  listReleases(): Promise<Release[]> {
    return this.reads.listReleases();
  }
  diff(request: DiffStandardsRequest): Promise<DiffStandardsResponse> {
    return this.reads.diff(request);
  }
  getTaxonomy(asOf: AsOf | undefined): Promise<GetTaxonomyResponse> {
    return this.reads.getTaxonomy(asOf);
  }

  // ---- provincial filings and compliance -----------------------------------------------------------------

  fileLocalStandard(caller: Identity, req: FileLocalStandardRequest): Promise<FileLocalStandardResponse> {
    return this.filings.fileLocalStandard(caller, req);
  }
  complianceReport(provinceCode: string, asOf: AsOf | undefined): Promise<GetComplianceReportResponse> {
    return this.compliance.complianceReport(provinceCode, asOf);
  }
  nationalCompliance(asOf: AsOf | undefined): Promise<{ asOfDate: DateMessage; provinces: GetComplianceReportResponse[] }> {
    return this.compliance.nationalCompliance(asOf);
  }
  complianceHistory(req: GetComplianceHistoryRequest): Promise<GetComplianceHistoryResponse> {
    return this.compliance.complianceHistory(req);
  }

  // ---- national monitoring -------------------------------------------------------------------------------

  monitor(): Promise<number> {
    return this.monitoring.monitor();
  }
  monitorSoon(): void {
    this.monitoring.monitorSoon();
  }
  monitorIdle(): Promise<void> {
    return this.monitoring.monitorIdle();
  }

  // ---- errata --------------------------------------------------------------------------------------------

  correct(caller: Identity, itemCode: string, version: number, item: ServiceItem | undefined, reason: string): Promise<Erratum> {
    return this.errata.correct(caller, itemCode, version, item, reason);
  }
  approveErratum(caller: Identity, itemCode: string, version: number, erratumId: string): Promise<{ corrected: ItemVersion; erratum: Erratum }> {
    return this.errata.approveErratum(caller, itemCode, version, erratumId);
  }
  listErrata(itemCode: string): Promise<Erratum[]> {
    return this.errata.listErrata(itemCode);
  }
}

// Compliance at a date: each province's filings against the national level in force (a province's report, every
// province's, and the counts of every monitoring state over a series of dates), all read from the bitemporal record.
import { NotFoundError, ValidationError, type FieldViolation } from '../../shared/errors/errors';
import { todayInChina } from '../../shared/standards/china-date';
import { emptyCounts, monitoringState, type StateCounts } from '../../shared/standards/monitoring';
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';
import type {
  AsOf,
  ComplianceLine,
  GetComplianceHistoryRequest,
  GetComplianceHistoryResponse,
  GetComplianceReportResponse,
  MonitoringCounts,
  ProvincialValue,
} from '../../../proto/gen/bps/registry/v1/registry';
import { isViolation, parseDate, toDateMessage, type LocalDate } from '../domain/dates';
import { compareMetrics, nationalMetrics } from '../domain/filing';
import { historyDates, historyIntervals, MAX_HISTORY_POINTS, refileDeadline, refilingOverdue, type HistoryInterval } from '../domain/monitoring';
import type { Classifier } from '../domain/placement';
import { knownTaxonomy, provinceCodes } from '../seed/baseline';
import type { Catalogue, Resolved } from './catalogue';
import type { CatalogueReader, FilingRecords } from './ports';
import type { FilingHead, FilingRecord, VersionDoc } from './records';
import { StampedReads, type Parts } from './stamped';

export class Compliance {
  /** Each province's filing heads, kept while its stamp (`filings:<province>`) holds: every filing changes it. */
  private readonly provinces = new Map<string, StampedReads>();

  constructor(
    private readonly catalogue: Catalogue,
    private readonly records: CatalogueReader & FilingRecords,
  ) {}

  /** What this request reads of a province's filings (one read: its stamp). */
  filingParts(provinceCode: string): Promise<Parts> {
    let stamped = this.provinces.get(provinceCode);
    if (!stamped) {
      stamped = new StampedReads(this.records, `filings:${provinceCode}`, this.catalogue.settings.stampSettleMs);
      this.provinces.set(provinceCode, stamped);
    }
    return stamped.current();
  }

  /** A province's filing heads by item code (one read, the stamp, while they are kept). */
  async filingHeadsOfProvince(provinceCode: string): Promise<Map<string, FilingHead>> {
    return (await this.filingParts(provinceCode)).get('heads', () => this.records.filingHeadsOfProvince(provinceCode));
  }

  /** One filing head: from the province's heads if read under this stamp, else by `_id` (and kept). */
  async filingHead(provinceCode: string, itemCode: string): Promise<FilingHead | null> {
    const parts = await this.filingParts(provinceCode);
    const all = parts.peek<Map<string, FilingHead>>('heads');
    if (all) return all.get(itemCode) ?? null;
    return parts.get(`head:${itemCode}`, () => this.records.filingHead(provinceCode, itemCode));
  }

  /** A province's filing of a national item in force on the date, compared with it. */
  async provincialValue(provinceCode: string, national: VersionDoc, at: Resolved, head?: FilingHead | null): Promise<ProvincialValue | undefined> {
    const filing = await this.records.filingAsOf(provinceCode, national.itemCode, at.date, at.knownAt, head);
    if (!filing) return undefined;
    const comparisons = compareMetrics(nationalMetrics(national.item), filing.metrics);
    return {
      provinceCode,
      filingId: filing._id,
      comparisons,
      compliant: comparisons.every((c) => c.compliant),
      exceedsNationalLevel: comparisons.some((c) => c.exceeds),
      effectiveFrom: toDateMessage(filing.effectiveFrom),
    };
  }

  async complianceReport(provinceCode: string, asOf: AsOf | undefined): Promise<GetComplianceReportResponse> {
    this.catalogue.requireProvince(provinceCode);
    const at = this.catalogue.resolveAsOf(asOf);
    const filingHeads = this.filingHeadsOfProvince(provinceCode);
    filingHeads.catch(() => undefined);
    const parts = await this.catalogue.current();
    const docs = (await this.catalogue.resolveCatalogue(at, parts)).filter(({ doc }) => !doc.retired).map(({ doc }) => doc);
    const classify = (await this.catalogue.classifiers(at.knownAt, parts))(at.date);
    return this.reportOf(provinceCode, docs, classify, at, await filingHeads);
  }

  /** Every province's report on one date: the catalogue resolved once, every filing head read in one query. */
  async nationalCompliance(asOf: AsOf | undefined): Promise<{ asOfDate: DateMessage; provinces: GetComplianceReportResponse[] }> {
    const at = this.catalogue.resolveAsOf(asOf);
    const parts = await this.catalogue.current();
    const docs = (await this.catalogue.resolveCatalogue(at, parts)).filter(({ doc }) => !doc.retired).map(({ doc }) => doc);
    const classify = (await this.catalogue.classifiers(at.knownAt, parts))(at.date);
    const heads = await this.records.allFilingHeads();
    const provinces = await Promise.all([...provinceCodes].sort().map((code) => this.reportOf(code, docs, classify, at, heads.get(code) ?? new Map())));
    return { asOfDate: toDateMessage(at.date), provinces };
  }

  private async reportOf(
    provinceCode: string,
    docs: readonly VersionDoc[],
    classify: Classifier,
    at: Resolved,
    filingHeads: ReadonlyMap<string, FilingHead>,
  ): Promise<GetComplianceReportResponse> {
    const refileDays = this.catalogue.settings.refileDays;
    const lines: ComplianceLine[] = await Promise.all(
      docs.map(async (d) => {
        const filing: FilingRecord | null = await this.records.filingAsOf(provinceCode, d.itemCode, at.date, at.knownAt, filingHeads.get(d.itemCode) ?? null);
        const comparisons = filing ? compareMetrics(nationalMetrics(d.item), filing.metrics) : [];
        const breach = filing !== null && comparisons.some((c) => !c.compliant);
        const deadline = filing && breach ? refileDeadline(d.effectiveFrom, filing.effectiveFrom, refileDays) : undefined;
        return {
          itemCode: d.itemCode,
          name: d.item.name,
          fieldCode: classify(d.item).item.fieldCode,
          filed: filing !== null,
          breach,
          comparisons,
          filingId: filing?._id ?? '',
          nationalVersion: d.version,
          refileDeadline: deadline ? toDateMessage(deadline) : undefined,
          refilingOverdue: deadline !== undefined && refilingOverdue(at.date, deadline),
        };
      }),
    );
    return {
      provinceCode,
      asOfDate: toDateMessage(at.date),
      lines,
      filedCount: lines.filter((l) => l.filed).length,
      breachCount: lines.filter((l) => l.breach).length,
    };
  }

  /** Every province's report on each date, from one read of the item heads and one of the filing heads. */
  async reportsOn(dates: readonly LocalDate[], knownAt: Date): Promise<{ date: LocalDate; reports: GetComplianceReportResponse[] }[]> {
    const parts = await this.catalogue.current();
    const [heads, filingHeads, classifiers] = await Promise.all([
      this.catalogue.heads(parts),
      this.records.allFilingHeads(),
      this.catalogue.classifiers(knownAt, parts),
    ]);
    const out: { date: LocalDate; reports: GetComplianceReportResponse[] }[] = [];
    for (const date of dates) {
      const at = { date, knownAt };
      const docs = (await Promise.all(heads.map((head) => this.records.versionAsOf(head._id, date, knownAt, head))))
        .filter((d): d is VersionDoc => d !== null && !d.retired)
        .sort((a, b) => a.itemCode.localeCompare(b.itemCode));
      const classify = classifiers(date);
      const reports = await Promise.all([...provinceCodes].sort().map((code) => this.reportOf(code, docs, classify, at, filingHeads.get(code) ?? new Map())));
      out.push({ date, reports });
    }
    return out;
  }

  /**
   * The counts of every monitoring state on a series of dates (nationally, per province, per field), each computed
   * from the bitemporal record exactly as the national compliance of that date (as known at `known_at`).
   */
  async complianceHistory(req: GetComplianceHistoryRequest): Promise<GetComplianceHistoryResponse> {
    const violations: FieldViolation[] = [];
    const now = this.catalogue.settings.now();
    let from: LocalDate = '';
    let to: LocalDate = todayInChina(now);
    if (!req.from) violations.push({ field: 'from', description: 'required' });
    else {
      const parsed = parseDate(req.from, 'from');
      if (isViolation(parsed)) violations.push(parsed);
      else from = parsed;
    }
    if (req.to && !(req.to.year === 0 && req.to.month === 0 && req.to.day === 0)) {
      const parsed = parseDate(req.to, 'to');
      if (isViolation(parsed)) violations.push(parsed);
      else to = parsed;
    }
    const interval = (req.interval === '' ? 'month' : req.interval) as HistoryInterval;
    if (!historyIntervals.includes(interval)) violations.push({ field: 'interval', description: `must be one of ${historyIntervals.join(', ')}` });
    const margin = req.marginPercent ?? this.catalogue.settings.blindlyHighMarginPercent;
    if (!Number.isInteger(margin) || margin < 0 || margin > 1000)
      violations.push({ field: 'margin_percent', description: 'must be a whole percent from 0 to 1000' });
    if (from !== '' && from > to) violations.push({ field: 'from', description: `must not be after ${to}` });
    if (violations.length > 0) throw new ValidationError(violations);
    if (req.fieldCode !== '' && !knownTaxonomy.fieldCodes.has(req.fieldCode)) throw new NotFoundError('field', req.fieldCode);
    const dates = historyDates(from, to, interval);
    if (dates.length > MAX_HISTORY_POINTS) {
      throw new ValidationError([{ field: 'from', description: `at most ${MAX_HISTORY_POINTS} dates per request: shorten the period or ask by year` }]);
    }
    const series = await this.reportsOn(dates, req.knownAt ?? now);
    return {
      marginPercent: margin,
      points: series.map(({ date, reports }) => {
        const totals = emptyCounts();
        const fields = new Map<string, StateCounts>();
        const provinces = reports.map((report) => {
          const counts = emptyCounts();
          for (const line of report.lines) {
            if (req.fieldCode !== '' && line.fieldCode !== req.fieldCode) continue;
            const state = monitoringState(line, margin);
            counts[state] += 1;
            totals[state] += 1;
            const field = fields.get(line.fieldCode) ?? emptyCounts();
            field[state] += 1;
            fields.set(line.fieldCode, field);
          }
          return { provinceCode: report.provinceCode, counts: toMonitoringCounts(counts) };
        });
        return {
          date: toDateMessage(date),
          totals: toMonitoringCounts(totals),
          provinces,
          fields: [...fields.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([fieldCode, counts]) => ({ fieldCode, counts: toMonitoringCounts(counts) })),
        };
      }),
    };
  }
}

function toMonitoringCounts(c: StateCounts): MonitoringCounts {
  return {
    belowFloor: c.BELOW_FLOOR,
    refilingOverdue: c.REFILING_OVERDUE,
    notFiled: c.NOT_FILED,
    atFloor: c.AT_FLOOR,
    aboveFloor: c.ABOVE_FLOOR,
    blindlyHigh: c.BLINDLY_HIGH,
  };
}

// Provincial filings of local standards: a province officer files the province's level of an item; the filing
// aggregate (domain/filing.ts) decides it against the national version in force, and the one command handler appends
// it as the next filing of that province and item (load → decide → append → retry on a concurrent filing).
import type { Identity } from '../../shared/auth/identity';
import { handleCommand } from '../../shared/domain/command-handler';
import { NotFoundError, PermissionDeniedError, ValidationError, ruleRefusalError, type FieldViolation } from '../../shared/errors/errors';
import { newEvent } from '../../shared/kafka/kafka';
import { toHeldOutboxFields } from '../../shared/mongo/outbox';
import { standardEvents } from '../../shared/events/standards';
import { isFen } from '../../shared/validation/input';
import type { FileLocalStandardRequest, FileLocalStandardResponse } from '../../../proto/gen/bps/registry/v1/registry';
import { isViolation, parseDate, toDateMessage, type LocalDate } from '../domain/dates';
import { filingDecider, type LocalMetric } from '../domain/filing';
import { SOURCE, type Catalogue } from './catalogue';
import type { CatalogueReader, FilingRecords } from './ports';
import type { FilingDoc } from './records';

/** A filing appended by another writer at the same position: decided and appended again, up to this many times. */
const FILING_ATTEMPTS = 10;

export class Filings {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly records: CatalogueReader & FilingRecords,
    /** Asks national monitoring for a pass (the province's state for the item may have changed). */
    private readonly monitorSoon: () => void,
  ) {}

  async fileLocalStandard(caller: Identity, req: FileLocalStandardRequest): Promise<FileLocalStandardResponse> {
    this.catalogue.requireProvince(req.provinceCode);
    if (!caller.roles.includes('province-officer') || caller.organisation !== req.provinceCode) {
      throw new PermissionDeniedError(`only a province officer of ${req.provinceCode} may file its local standards`, 'NOT_PROVINCE_OFFICER');
    }
    const violations: FieldViolation[] = [];
    if (req.itemCode === '') violations.push({ field: 'item_code', description: 'required' });
    let effectiveFrom: LocalDate = '';
    if (!req.effectiveFrom) violations.push({ field: 'effective_from', description: 'required' });
    else {
      const parsed = parseDate(req.effectiveFrom, 'effective_from');
      if (isViolation(parsed)) violations.push(parsed);
      else effectiveFrom = parsed;
    }
    let fundingFen = 0n;
    if (req.localFunding) {
      if (!isFen(req.localFunding.fen))
        violations.push({ field: 'local_funding.fen', description: 'must be a non-negative whole number of fen, at most 2^63-1' });
      else fundingFen = BigInt(req.localFunding.fen);
      if (req.localFunding.currency !== 'CNY') violations.push({ field: 'local_funding.currency', description: 'must be CNY' });
    }
    if (violations.length > 0) throw new ValidationError(violations);

    const { now: clock, topicNamespace } = this.catalogue.settings;
    const now = clock();
    const head = await this.records.head(req.itemCode);
    if (!head) throw new NotFoundError('item', req.itemCode);
    const national = await this.records.versionAsOf(req.itemCode, effectiveFrom, now, head);
    if (!national || national.retired) throw new NotFoundError('item version', `${req.itemCode} in force on ${effectiveFrom}`);
    const metrics: LocalMetric[] = req.metrics.map((m) => ({ metric: m.metric, value: m.value.trim(), unit: m.unit, basis: m.basis }));
    // The item's field in the taxonomy in force on the filing's date (what subscribers filter on).
    const fieldCode = (await this.catalogue.classifiers(now))(effectiveFrom)(national.item).item.fieldCode;
    const actor = { subject: caller.subject, organisation: caller.organisation, roles: [...caller.roles] };
    const localFunding = req.localFunding && fundingFen > 0n ? { currency: 'CNY', fen: fundingFen.toString() } : null;
    const log = this.records.filingLog((filingId, filed): FilingDoc => {
      const payload = standardEvents.localStandardFiled.codec.fromPartial({
        filingId,
        provinceCode: filed.provinceCode,
        itemCode: filed.itemCode,
        nationalVersion: filed.nationalVersion,
        effectiveFrom: toDateMessage(filed.effectiveFrom),
        comparisons: [...filed.comparisons],
        exceedsNationalLevel: filed.exceeds,
        localFunding: localFunding ?? undefined,
        localFundingSource: req.localFundingSource,
        actor,
        fieldCode,
      });
      const event = newEvent(standardEvents.localStandardFiled, payload, {
        source: SOURCE,
        key: `${filed.provinceCode}:${filed.itemCode}`,
        topicNamespace,
        time: now,
      });
      return {
        _id: filingId,
        provinceCode: filed.provinceCode,
        itemCode: filed.itemCode,
        fieldCode,
        effectiveFrom: filed.effectiveFrom,
        recordedAt: now,
        metrics: [...filed.metrics],
        comparisons: [...filed.comparisons],
        exceeds: filed.exceeds,
        nationalVersion: filed.nationalVersion,
        localFunding,
        localFundingSource: req.localFundingSource,
        note: req.note,
        actor,
        ...toHeldOutboxFields(event),
      };
    });
    const handled = await handleCommand(
      log,
      filingDecider,
      `${req.provinceCode}:${req.itemCode}`,
      {
        provinceCode: req.provinceCode,
        itemCode: req.itemCode,
        national: national.item,
        nationalVersion: national.version,
        effectiveFrom,
        metrics,
        declaresFunding: fundingFen > 0n,
      },
      FILING_ATTEMPTS,
    );
    if (!handled.ok) throw ruleRefusalError(handled.refusal, `${req.provinceCode}/${req.itemCode}`, 'metrics');
    const filed = handled.events[0];
    if (!filed) throw new Error('a filing decided no event');
    this.monitorSoon(); // the province's state for the item may have changed (e.g. to blindly high)
    return {
      filingId: `${req.provinceCode}:${req.itemCode}:${handled.revision}`,
      comparisons: [...filed.comparisons],
      exceedsNationalLevel: filed.exceeds,
      nationalVersion: national.version,
    };
  }
}

// Errata (corrections of a published version's wording): proposed by one person, in effect when a second approves
// it. domain/errata.ts decides who and what; every refusal is on record (bps.standard.erratum.refused) before it is
// answered.
import { randomUUID } from 'node:crypto';
import type { Identity } from '../../shared/auth/identity';
import type { Refusal } from '../../shared/domain/decider';
import { NotFoundError, ValidationError, ruleRefusalError, type FieldViolation, type PlatformError } from '../../shared/errors/errors';
import { newEvent } from '../../shared/kafka/kafka';
import { toHeldOutboxFields, toOutboxFields } from '../../shared/mongo/outbox';
import { standardEvents } from '../../shared/events/standards';
import { todayInChina } from '../../shared/standards/china-date';
import type { ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { ItemVersion } from '../../../proto/gen/bps/registry/v1/registry';
import type { Erratum } from '../../../proto/gen/bps/standards/v1/events';
import { decideErratumApproval, decideErratumProposal, erratumStale } from '../domain/errata';
import { itemViolations } from '../domain/items';
import { knownTaxonomy } from '../seed/baseline';
import { SOURCE, toErratum, type Catalogue } from './catalogue';
import type { CatalogueReader, ErrataRecords, ReleaseLog } from './ports';
import type { ActorDoc, ErratumEntry } from './records';

type Attempt = { readonly itemCode: string; readonly version: number; readonly erratumId: string; readonly action: 'propose' | 'approve' };

export class Errata {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly records: CatalogueReader & ErrataRecords & Pick<ReleaseLog, 'appendVersion'>,
  ) {}

  /**
   * Proposes an erratum of a published version: wording only (domain/errata.ts), by an operator or the item's lead
   * unit. Nothing changes until a second person approves it. Every refusal is on record (bps.standard.erratum.refused).
   */
  async correct(caller: Identity, itemCode: string, version: number, item: ServiceItem | undefined, reason: string): Promise<Erratum> {
    const { now, logger, topicNamespace } = this.catalogue.settings;
    const violations: FieldViolation[] = [];
    if (itemCode === '') violations.push({ field: 'item_code', description: 'required' });
    if (!Number.isInteger(version) || version < 1) violations.push({ field: 'version', description: 'must be a version number (1, 2, …)' });
    if (reason.trim() === '') violations.push({ field: 'reason', description: 'an erratum must say why' });
    violations.push(...itemViolations(item, 'item', knownTaxonomy));
    if (item && item.itemCode !== itemCode) violations.push({ field: 'item.item_code', description: `must be ${itemCode}` });
    if (violations.length > 0) throw new ValidationError(violations);
    const records = await this.records.versionRecords(itemCode, version);
    const latest = records.at(-1);
    if (!latest) throw new NotFoundError('item version', `${itemCode} v${version}`);
    const attempt: Attempt = { itemCode, version, erratumId: '', action: 'propose' };
    // Read in the current structure, the item comes back with the field and category the taxonomy in force places it
    // in: the same place as the version records, not a change of it (an erratum corrects the version as recorded).
    // The erratum's events name the field in force today (what subscribers filter on).
    const classifyOn = await this.catalogue.classifiers(now());
    const placedAs = [todayInChina(now()), latest.effectiveFrom].map((date) => classifyOn(date)(latest.item).item);
    const sent = item;
    if (sent && placedAs.some((p) => p.fieldCode === sent.fieldCode && p.categoryCode === sent.categoryCode)) {
      item = { ...sent, fieldCode: latest.item.fieldCode, categoryCode: latest.item.categoryCode };
    }
    const decision = decideErratumProposal({
      actor: caller,
      itemCode,
      leadUnit: latest.item.leadUnit?.code,
      current: latest.item,
      corrected: item as ServiceItem,
    });
    if (!decision.ok) throw await this.refuse(caller, attempt, decision.refusal);
    const changes = decision.events.flatMap((e) => e.changes);
    const proposedAt = now();
    const erratumId = `${itemCode}-v${version}-E${randomUUID().slice(0, 8)}`;
    const entry: ErratumEntry = {
      erratumId,
      itemCode,
      version,
      status: 'proposed',
      changes: changes.map((c) => ({ ...c })),
      reason: reason.trim(),
      proposedBy: actorDoc(caller),
      proposedAt,
      approvedBy: null,
      approvedAt: null,
      baseRecordId: latest._id,
      recordId: '',
    };
    await this.records.insertErratum({
      _id: erratumId,
      ...entry,
      fieldCode: placedAs[0]?.fieldCode ?? latest.item.fieldCode,
      item: item as ServiceItem,
      ...toOutboxFields(
        newEvent(
          standardEvents.erratumProposed,
          { erratum: toErratum(entry), fieldCode: placedAs[0]?.fieldCode ?? latest.item.fieldCode, actor: actorDoc(caller) },
          { source: SOURCE, key: itemCode, topicNamespace, time: proposedAt },
        ),
      ),
    });
    logger.info({ itemCode, version, erratumId, by: caller.subject }, 'erratum proposed');
    return toErratum(entry);
  }

  /**
   * Approves a proposed erratum: a second person (never its proposer), an approver of the item's lead unit or the
   * final approver. The corrected wording becomes a new record of the same version (what was known before stays
   * queryable); the approval document is the commit point and carries bps.standard.erratum.approved.
   */
  async approveErratum(caller: Identity, itemCode: string, version: number, erratumId: string): Promise<{ corrected: ItemVersion; erratum: Erratum }> {
    const { now, logger, topicNamespace } = this.catalogue.settings;
    const violations: FieldViolation[] = [];
    if (itemCode === '') violations.push({ field: 'item_code', description: 'required' });
    if (!Number.isInteger(version) || version < 1) violations.push({ field: 'version', description: 'must be a version number (1, 2, …)' });
    if (erratumId === '') violations.push({ field: 'erratum_id', description: 'required' });
    if (violations.length > 0) throw new ValidationError(violations);
    const doc = await this.records.erratum(erratumId);
    if (!doc || doc.itemCode !== itemCode || doc.version !== version) throw new NotFoundError('erratum', `${erratumId} of ${itemCode} v${version}`);
    const records = await this.records.versionRecords(itemCode, version);
    const latest = records.at(-1);
    if (!latest) throw new NotFoundError('item version', `${itemCode} v${version}`);
    const attempt: Attempt = { itemCode, version, erratumId, action: 'approve' };
    const applied = latest.errata?.find((e) => e.erratumId === erratumId);
    const command = {
      actor: caller,
      itemCode,
      version,
      erratumId,
      leadUnit: latest.item.leadUnit?.code,
      proposedBy: doc.proposedBy.subject,
      approved: doc.status === 'approved' || applied !== undefined,
      baseRecordId: doc.baseRecordId,
      latestRecordId: latest._id,
    };
    const decision = decideErratumApproval(command);
    if (!decision.ok) {
      // Applied to the version but not marked on the erratum: finish the crashed approval, then answer as approved.
      if (command.approved && applied && doc.status !== 'approved' && decision.refusal.code === 'FAILED_PRECONDITION') {
        await this.records.markErratumApproved(erratumId, applied.approvedBy!, applied.approvedAt!, applied.recordId);
      }
      throw await this.refuse(caller, attempt, decision.refusal);
    }

    const approvedAt = now();
    const revision = Math.max(...records.map((r) => r.revision)) + 1;
    const recordId = `${itemCode}:v${version}:r${revision}`;
    const approvedBy = actorDoc(caller);
    const entry: ErratumEntry = { ...erratumEntryOf(doc), status: 'approved', approvedBy, approvedAt, recordId };
    const event = newEvent(
      standardEvents.erratumApproved,
      { erratum: toErratum(entry), fieldCode: doc.fieldCode, actor: approvedBy, proposedBy: doc.proposedBy },
      { source: SOURCE, key: itemCode, topicNamespace, time: approvedAt },
    );
    if ((await this.records.insertErratumApproval({ _id: recordId, erratumId, approvedBy, approvedAt, ...toHeldOutboxFields(event) })) === 'exists') {
      // Another erratum of this version was approved at the same moment.
      const stale = erratumStale(command);
      if (!stale.ok) throw await this.refuse(caller, attempt, stale.refusal);
    }
    const record = {
      ...latest,
      _id: recordId,
      revision,
      recordedAt: approvedAt,
      item: doc.item,
      correctionOf: latest._id,
      correctionReason: doc.reason,
      errata: [...(latest.errata ?? []), entry],
    };
    const { aggregateId: _a, sequence: _s, ...rest } = record;
    await this.records.appendVersion(rest);
    await this.records.markErratumApproved(erratumId, approvedBy, approvedAt, recordId);
    logger.info({ itemCode, version, erratumId, proposedBy: doc.proposedBy.subject, approvedBy: caller.subject }, 'erratum approved');
    return { corrected: await this.catalogue.toItemVersion(record, now()), erratum: toErratum(entry) };
  }

  async listErrata(itemCode: string): Promise<Erratum[]> {
    if (itemCode === '') throw new ValidationError([{ field: 'item_code', description: 'required' }]);
    if (!(await this.records.head(itemCode))) throw new NotFoundError('item', itemCode);
    return (await this.records.errataOf(itemCode)).map((d) => toErratum(erratumEntryOf(d)));
  }

  /**
   * Puts a refused erratum action on record (who, what, why: the specific reason, a violation's when it names one)
   * through the outbox, and returns the error to answer with: the refusal's status and reason, and its own message
   * as the status message (as the registry has always answered).
   */
  private async refuse(caller: Identity, what: Attempt, refusal: Refusal): Promise<PlatformError> {
    const { now, logger, topicNamespace } = this.catalogue.settings;
    const reason = refusal.violations?.[0]?.reason ?? refusal.reason;
    const fields = refusal.code === 'INVALID_ARGUMENT' ? (refusal.violations ?? []).map((v) => v.field) : [];
    await this.records.appendEvents([
      newEvent(
        standardEvents.erratumRefused,
        { ...what, reason, message: refusal.message, fields, actor: actorDoc(caller), attemptedAt: now() },
        { source: SOURCE, key: what.itemCode, topicNamespace },
      ),
    ]);
    logger.info({ ...what, by: caller.subject, reason }, 'erratum refused');
    const error = ruleRefusalError(refusal, what.erratumId || what.itemCode, 'item');
    error.message = refusal.message;
    return error;
  }
}

function actorDoc(caller: Identity): ActorDoc {
  return { subject: caller.subject, organisation: caller.organisation, roles: [...caller.roles] };
}

function erratumEntryOf(doc: ErratumEntry): ErratumEntry {
  return {
    erratumId: doc.erratumId,
    itemCode: doc.itemCode,
    version: doc.version,
    status: doc.status,
    changes: doc.changes.map((c) => ({ field: c.field, before: c.before, after: c.after })),
    reason: doc.reason,
    proposedBy: doc.proposedBy,
    proposedAt: doc.proposedAt,
    approvedBy: doc.approvedBy ?? null,
    approvedAt: doc.approvedAt ?? null,
    baseRecordId: doc.baseRecordId,
    recordId: doc.recordId ?? '',
  };
}

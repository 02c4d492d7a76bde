// National monitoring's early warnings (issue #17): passes compare every province × item's state today with the
// state last observed and write bps.standard.compliance.warning on each entry into a warning state.
import { withCallContext } from '../../shared/grpc/client';
import { newEvent } from '../../shared/kafka/kafka';
import { toOutboxFields } from '../../shared/mongo/outbox';
import { standardEvents } from '../../shared/events/standards';
import { todayInChina } from '../../shared/standards/china-date';
import { monitoringState } from '../../shared/standards/monitoring';
import { toDateMessage } from '../domain/dates';
import { observeCell, type ObservedCell } from '../domain/monitoring';
import { assertNever, SOURCE, type RegistrySettings } from './catalogue';
import type { Compliance } from './compliance';
import type { MonitoringRecords } from './ports';
import type { MonitoringCellsDoc } from './records';

export class Monitoring {
  /** Monitoring passes run one at a time: the one running, and whether another was asked for meanwhile. */
  private monitoring: Promise<number> = Promise.resolve(0);
  private monitorQueued: Promise<number> | undefined;

  constructor(
    private readonly compliance: Compliance,
    private readonly records: MonitoringRecords,
    private readonly settings: RegistrySettings,
  ) {}

  /**
   * Asks for a monitoring pass soon (after a filing or a national change), outside the request being served: passes
   * coalesce (one running, at most one waiting) and a failure is only logged (the scheduler's next pass catches up).
   */
  monitorSoon(): void {
    withCallContext({}, () => {
      this.monitor().catch((error: unknown) => this.settings.logger.warn({ err: String(error) }, 'monitoring pass failed; the next one catches up'));
    });
  }

  /** Resolves when no monitoring pass is running or waiting (before closing the database). */
  async monitorIdle(): Promise<void> {
    for (;;) {
      const current = this.monitoring;
      await current.catch(() => 0);
      if (this.monitoring === current) return;
    }
  }

  /**
   * One monitoring pass (the scheduler's tick; tests call it after moving the clock): every province × item's state
   * today, compared with the state last observed; each entry into a warning state (domain/monitoring.ts) writes
   * bps.standard.compliance.warning through the outbox under the transition's id (so never twice), then the
   * province's observed cells are remembered. Returns how many warnings this pass wrote.
   */
  async monitor(): Promise<number> {
    if (this.monitorQueued) return this.monitorQueued;
    const queued = this.monitoring
      .catch(() => 0)
      .then(() => {
        if (this.monitorQueued === queued) this.monitorQueued = undefined;
        return this.monitorPass();
      });
    this.monitorQueued = queued;
    this.monitoring = queued;
    return queued;
  }

  private async monitorPass(): Promise<number> {
    const now = this.settings.now();
    const today = todayInChina(now);
    const margin = this.settings.blindlyHighMarginPercent;
    const reports = (await this.compliance.reportsOn([today], now))[0]?.reports ?? [];
    let written = 0;
    for (const report of reports) {
      const province = report.provinceCode;
      const stored = await this.records.observedCells(province);
      const cells = new Map<string, ObservedCell>((stored?.cells ?? []).map((c) => [c.itemCode, c]));
      let changed = stored === null;
      for (const line of report.lines) {
        const previous = cells.get(line.itemCode);
        const current: ObservedCell = { state: monitoringState(line, margin), nationalVersion: line.nationalVersion, filingId: line.filingId };
        const transition = observeCell(province, line.itemCode, previous, current);
        switch (transition.kind) {
          case 'unchanged':
            continue;
          case 'changed':
            break;
          case 'warn': {
            const payload = standardEvents.complianceWarning.codec.fromPartial({
              provinceCode: province,
              itemCode: line.itemCode,
              fieldCode: line.fieldCode,
              state: transition.to.state,
              previousState: previous?.state ?? '',
              nationalVersion: line.nationalVersion,
              filingId: line.filingId,
              observedOn: toDateMessage(today),
              refileDeadline: line.refileDeadline,
              marginPercent: margin,
              comparisons: line.comparisons,
            });
            const event = newEvent(standardEvents.complianceWarning, payload, {
              source: SOURCE,
              key: `${province}:${line.itemCode}`,
              id: transition.transitionId,
              topicNamespace: this.settings.topicNamespace,
              time: now,
            });
            const inserted = await this.records.recordWarning({
              _id: transition.transitionId,
              provinceCode: province,
              itemCode: line.itemCode,
              state: transition.to.state,
              observedOn: today,
              recordedAt: now,
              ...toOutboxFields(event),
            });
            if (inserted === 'inserted') written += 1;
            break;
          }
          default:
            assertNever(transition);
        }
        cells.set(line.itemCode, transition.to);
        changed = true;
      }
      if (!changed) continue;
      const doc: MonitoringCellsDoc = {
        _id: province,
        cells: [...cells.entries()].map(([itemCode, c]) => ({ itemCode, state: c.state, nationalVersion: c.nationalVersion, filingId: c.filingId })),
        observedOn: today,
        updatedAt: now,
      };
      await this.records.saveObservedCells(doc);
    }
    if (written > 0) this.settings.logger.info({ warnings: written, on: today }, 'national monitoring: early warnings');
    return written;
  }
}

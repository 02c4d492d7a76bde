// Provincial re-filing after a cycle's edition: the registry reports a province below a new floor
// (bps.standard.floor.breached) and later an accepted filing (bps.standard.local.filed); both are forwarded to the
// cycle whose edition caused the breach. A breach is remembered by `_id` (province/item) so a later filing finds
// its cycle with one key lookup. Redelivery is harmless: ce_ids are deduplicated and the workflow ignores repeats.
import { endOfDayInChina } from '../../../shared/standards/china-date';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { Collection, Db } from 'mongodb';
import { floorBreachedSignal, provinceRefiledSignal, type FloorBreachedSignal, type ProvinceRefiledSignal } from '../../../../workflows/contracts';
import { decodeData, topicName, topics } from '../../../shared/events/catalog';
import { standardEvents } from '../../../shared/events/standards';
import { ValidationError } from '../../../shared/errors/errors';
import { EventConsumer, ProcessedEvents } from '../../../shared/kafka/kafka';
import type { Logger } from '../../../shared/log/logger';

type BreachDoc = { _id: string; cycleId: string; releaseId: string; at: Date };

/** The cycle whose edition a release id belongs to (the edition's change set id is `<cycleId>-edition`). */
export function cycleOfRelease(releaseId: string): string | undefined {
  return /^release-(.+)-edition$/.exec(releaseId)?.[1];
}

export function refilingConsumer(options: { kafka: Kafka; db: Db; groupId: string; topicNamespace: string; temporal: Client; logger: Logger }): EventConsumer {
  const { temporal, logger } = options;
  const breaches: Collection<BreachDoc> = options.db.collection<BreachDoc>('refiling_breaches');
  const signal = async (cycleId: string, name: string, payload: FloorBreachedSignal | ProvinceRefiledSignal): Promise<void> => {
    try {
      await temporal.workflow.getHandle(cycleId).signal(name, payload);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        logger.warn({ cycleId, signal: name }, 're-filing: the cycle is not running; nothing to track');
        return;
      }
      throw error;
    }
  };

  return new EventConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [topicName(topics.standards, options.topicNamespace)],
    processed: new ProcessedEvents(options.db),
    logger,
    handler: async (event) => {
      if (event.type === standardEvents.floorBreached.type) {
        const breach = decodeData(standardEvents.floorBreached, event.data);
        const cycleId = cycleOfRelease(breach.releaseId);
        if (!cycleId) return; // an ad-hoc amendment: no cycle tracks its re-filing
        if (!breach.refileDeadline) throw new ValidationError([{ field: 'refile_deadline', description: 'required' }]);
        const key = `${breach.provinceCode}/${breach.itemCode}`;
        await breaches.updateOne({ _id: key }, { $set: { cycleId, releaseId: breach.releaseId, at: new Date() } }, { upsert: true });
        await signal(cycleId, floorBreachedSignal, {
          provinceCode: breach.provinceCode,
          itemCode: breach.itemCode,
          refileDeadline: endOfDayInChina(breach.refileDeadline),
        });
        logger.info({ cycleId, province: breach.provinceCode, item: breach.itemCode }, 're-filing required');
        return;
      }
      if (event.type === standardEvents.localStandardFiled.type) {
        const filed = decodeData(standardEvents.localStandardFiled, event.data);
        if (!filed.comparisons.every((c) => c.compliant)) return; // still below the floor: the breach stands
        const open = await breaches.findOne({ _id: `${filed.provinceCode}/${filed.itemCode}` });
        if (!open) return;
        await signal(open.cycleId, provinceRefiledSignal, { provinceCode: filed.provinceCode, itemCode: filed.itemCode });
        await breaches.deleteOne({ _id: open._id });
        logger.info({ cycleId: open.cycleId, province: filed.provinceCode, item: filed.itemCode }, 'province re-filed');
      }
    },
  });
}

// Consumes approved change sets (bps.approval.changeset.approved) and applies them. Redelivery is harmless:
// the consumer skips processed ce_ids, and the registry itself applies a change set id only once.
import type { Kafka } from 'kafkajs';
import { approvalEvents } from '../../../shared/events/approvals';
import { decodeData, topicName } from '../../../shared/events/catalog';
import { ValidationError } from '../../../shared/errors/errors';
import { EventConsumer, ProcessedEvents } from '../../../shared/kafka/kafka';
import type { Logger } from '../../../shared/log/logger';
import type { Db } from 'mongodb';
import type { Registry } from '../../registry';

export function changeSetConsumer(options: { kafka: Kafka; db: Db; groupId: string; topicNamespace: string; registry: Registry; logger: Logger }): EventConsumer {
  const { registry, logger } = options;
  return new EventConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [topicName(approvalEvents.changeSetApproved.topic, options.topicNamespace)],
    processed: new ProcessedEvents(options.db),
    logger,
    handler: async (event) => {
      if (event.type !== approvalEvents.changeSetApproved.type) return; // other approval events are not ours
      const { changeSet } = decodeData(approvalEvents.changeSetApproved, event.data);
      if (!changeSet) throw new ValidationError([{ field: 'change_set', description: 'required' }]);
      const outcome = await registry.applyChangeSet(changeSet);
      logger.info({ ceId: event.id, changeSetId: changeSet.changeSetId, outcome }, 'approved change set handled');
    },
  });
}

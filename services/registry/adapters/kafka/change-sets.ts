// Consumes approved change sets (bps.approval.changeset.approved) and applies them — only when the approvals
// service's signature over the event's canonical bytes verifies against the configured decision keys (issue #13).
// A forged event (unsigned, signed by another key, or a signature over other content) is refused: it goes to the
// dead-letter topic and changes nothing. Redelivery is harmless: the consumer skips events it has processed (by id
// and content digest, so a forgery carrying a real event's id does not shadow it), and the registry itself applies
// a change set id only once.
import type { Kafka } from 'kafkajs';
import { approvalEvents } from '../../../shared/events/approvals';
import { decodeData, topicName } from '../../../shared/events/catalog';
import { canonicalEventBytes, DECISION_SIGNATURE_EXTENSION, type DecisionVerifier } from '../../../shared/events/decision-signature';
import { PermissionDeniedError, ValidationError } from '../../../shared/errors/errors';
import { EventConsumer, ProcessedEvents } from '../../../shared/kafka/kafka';
import type { Logger } from '../../../shared/log/logger';
import type { Db } from 'mongodb';
import type { Registry } from '../../application/registry';

export function changeSetConsumer(options: {
  kafka: Kafka;
  db: Db;
  groupId: string;
  topicNamespace: string;
  registry: Registry;
  logger: Logger;
  decisions: DecisionVerifier;
}): EventConsumer {
  const { registry, logger, decisions } = options;
  return new EventConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [topicName(approvalEvents.changeSetApproved.topic, options.topicNamespace)],
    processed: new ProcessedEvents(options.db),
    logger,
    handler: async (event) => {
      if (event.type !== approvalEvents.changeSetApproved.type) return; // other approval events are not ours
      const verified = await decisions.verify(event);
      if (!verified.ok) {
        logger.warn({ ceId: event.id, reason: verified.reason, keyId: verified.keyId }, 'forged approved change set refused');
        // Not retriable: the shared consumer sends it to the dead-letter topic with this message.
        throw new PermissionDeniedError(`decision signature refused (${verified.reason}): ${verified.detail}`, 'FORGED_DECISION');
      }
      const { changeSet } = decodeData(approvalEvents.changeSetApproved, event.data);
      if (!changeSet) throw new ValidationError([{ field: 'change_set', description: 'required' }]);
      const outcome = await registry.applyChangeSet(changeSet, {
        eventId: event.id,
        canonical: canonicalEventBytes(event).toString('utf8'),
        signature: event.extensions?.[DECISION_SIGNATURE_EXTENSION] ?? '',
        keyId: verified.keyId,
      });
      logger.info({ ceId: event.id, changeSetId: changeSet.changeSetId, outcome, keyId: verified.keyId }, 'approved change set handled');
    },
  });
}

// Follows approval outcomes (bps.approval.proposal.decided) so each proposal's state tracks its workflow.
// Redelivery is harmless: the consumer skips processed ce_ids and the domain ignores outcomes already recorded.
import type { Kafka } from 'kafkajs';
import type { Db } from 'mongodb';
import { approvalEvents } from '../../../shared/events/approvals';
import { decodeData, topicName } from '../../../shared/events/catalog';
import { ValidationError } from '../../../shared/errors/errors';
import { EventConsumer, ProcessedEvents } from '../../../shared/kafka/kafka';
import type { Logger } from '../../../shared/log/logger';
import type { Proposals } from '../../application/proposals';

export function decisionConsumer(options: {
  kafka: Kafka;
  db: Db;
  groupId: string;
  topicNamespace: string;
  proposals: Proposals;
  logger: Logger;
}): EventConsumer {
  const { proposals, logger } = options;
  return new EventConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [topicName(approvalEvents.proposalDecided.topic, options.topicNamespace)],
    processed: new ProcessedEvents(options.db),
    logger,
    handler: async (event) => {
      if (event.type !== approvalEvents.proposalDecided.type) return; // change sets etc. are the registry's
      const decided = decodeData(approvalEvents.proposalDecided, event.data);
      if (!decided.proposalId) throw new ValidationError([{ field: 'proposal_id', description: 'required' }]);
      await proposals.followDecision(decided, event.id);
      logger.info({ ceId: event.id, proposalId: decided.proposalId, decision: decided.decision }, 'approval outcome followed');
    },
  });
}

// The Kafka side: every platform event is recorded (application/record-event.ts). The shared consumer remembers
// the event only after this resolves, so a crash part-way is repaired on redelivery.
import type { DecisionVerifier } from '../../../shared/events/decision-signature';
import type { EventHandler } from '../../../shared/kafka/kafka';
import type { Logger } from '../../../shared/log/logger';
import { checkDecision, recordPlatformEvent, type LogAppender } from '../../application/record-event';

/** "bps.standards.v1.t-x-123" -> "bps.standards.v1" for a namespace "t-x-123". */
export function logicalTopic(topic: string, namespace: string): string {
  return namespace && topic.endsWith(`.${namespace}`) ? topic.slice(0, -(namespace.length + 1)) : topic;
}

export function auditHandler(store: LogAppender, topicNamespace: string, decisions: DecisionVerifier, logger?: Logger): EventHandler {
  return async (event, meta) => {
    const topic = logicalTopic(meta.topic, topicNamespace);
    if (await checkDecision(store, topic, event, decisions, logger)) await recordPlatformEvent(store, topic, event);
  };
}

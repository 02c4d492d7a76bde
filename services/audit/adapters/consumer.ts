// Records every platform event: first in the global log, then in the log of each aggregate it is about. The
// shared consumer remembers the ce_id only after this resolves, so a crash part-way is repaired on redelivery
// (each append is idempotent per (log, eventId)).
import type { CloudEvent } from '../../shared/kafka/cloudevents';
import type { EventHandler } from '../../shared/kafka/kafka';
import { actorLogsOf, GLOBAL_LOG, indexFieldsOf, logName } from '../domain/derive';
import { recordEvent } from '../domain/entry';
import type { LogStore } from './log-store';

/** "bps.standards.v1.t-x-123" -> "bps.standards.v1" for a namespace "t-x-123". */
export function logicalTopic(topic: string, namespace: string): string {
  return namespace && topic.endsWith(`.${namespace}`) ? topic.slice(0, -(namespace.length + 1)) : topic;
}

export async function recordPlatformEvent(store: LogStore, topic: string, event: CloudEvent): Promise<void> {
  const recorded = recordEvent(event);
  const global = await store.append(GLOBAL_LOG, topic, recorded);
  // Separate logs, separate documents: appended side by side. The actor's own log answers "what did X do".
  const logs = [...indexFieldsOf(recorded).aggregates.map(logName), ...actorLogsOf(recorded)];
  await Promise.all(logs.map((log) => store.append(log, topic, recorded, global.sequence)));
}

export function auditHandler(store: LogStore, topicNamespace: string): EventHandler {
  return (event, meta) => recordPlatformEvent(store, logicalTopic(meta.topic, topicNamespace), event);
}

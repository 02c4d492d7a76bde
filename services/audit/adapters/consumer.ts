// Records every platform event: first in the global log, then in the log of each aggregate it is about. The
// shared consumer remembers the event only after this resolves, so a crash part-way is repaired on redelivery
// (each append is idempotent per (log, eventId)). Events that change the standard are recorded as fact only when
// their decision signature verifies; a forgery is recorded as refused (global log only, attributed to nobody).
import {
  canonicalEventBytes,
  DECISION_SIGNATURE_EXTENSION,
  eventContentDigest,
  isStandardChanging,
  type DecisionVerifier,
} from '../../shared/events/decision-signature';
import type { CloudEvent } from '../../shared/kafka/cloudevents';
import type { EventHandler } from '../../shared/kafka/kafka';
import type { Logger } from '../../shared/log/logger';
import { actorLogsOf, GLOBAL_LOG, indexFieldsOf, logName } from '../domain/derive';
import { recordEvent } from '../domain/entry';
import { refusalEvent } from '../domain/refusal';
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

/** Verifies a standard-changing event; true when it may be recorded as fact, false when a refusal was recorded. */
export async function checkDecision(store: LogStore, topic: string, event: CloudEvent, decisions: DecisionVerifier, logger?: Logger): Promise<boolean> {
  if (!isStandardChanging(event.type)) return true;
  const verified = await decisions.verify(event);
  if (verified.ok) return true;
  const signature = event.extensions?.[DECISION_SIGNATURE_EXTENSION];
  const refusal = refusalEvent(
    event,
    {
      reason: verified.reason,
      detail: verified.detail,
      ...(verified.keyId ? { keyId: verified.keyId } : {}),
      contentDigest: eventContentDigest(event),
      canonicalBase64: canonicalEventBytes(event).toString('base64'),
      ...(signature ? { signature } : {}),
    },
    new Date(),
  );
  logger?.warn({ ceId: event.id, type: event.type, reason: verified.reason }, 'forged decision recorded as refused');
  await store.append(GLOBAL_LOG, topic, refusal);
  return false;
}

export function auditHandler(store: LogStore, topicNamespace: string, decisions: DecisionVerifier, logger?: Logger): EventHandler {
  return async (event, meta) => {
    const topic = logicalTopic(meta.topic, topicNamespace);
    if (await checkDecision(store, topic, event, decisions, logger)) await recordPlatformEvent(store, topic, event);
  };
}

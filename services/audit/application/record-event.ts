// Use case: record a platform event — first in the global log, then in the log of each aggregate it is about
// (each append idempotent per (log, eventId), so a crash part-way is repaired when the event comes again). An event
// that changes the standard is recorded as fact only when its decision signature verifies; a forgery is recorded
// as refused (global log only, attributed to nobody). Port: `LogAppender` (adapters/mongo/log-store.ts).
import {
  canonicalEventBytes,
  DECISION_SIGNATURE_EXTENSION,
  eventContentDigest,
  isStandardChanging,
  type DecisionVerifier,
} from '../../shared/events/decision-signature';
import type { CloudEvent } from '../../shared/kafka/cloudevents';
import type { Logger } from '../../shared/log/logger';
import { actorLogsOf, GLOBAL_LOG, indexFieldsOf, logName } from '../domain/derive';
import { recordEvent, type RecordedEvent } from '../domain/entry';
import { refusalEvent } from '../domain/refusal';

/** Appends to the hash-chained logs. */
export interface LogAppender {
  /** Appends `event` to `log` unless it is already there; returns the entry's sequence either way. */
  append(log: string, topic: string, event: RecordedEvent, globalSequence?: number): Promise<{ readonly sequence: number }>;
}

export async function recordPlatformEvent(store: LogAppender, topic: string, event: CloudEvent): Promise<void> {
  const recorded = recordEvent(event);
  const global = await store.append(GLOBAL_LOG, topic, recorded);
  // Separate logs, separate documents: appended side by side. The actor's own log answers "what did X do".
  const logs = [...indexFieldsOf(recorded).aggregates.map(logName), ...actorLogsOf(recorded)];
  await Promise.all(logs.map((log) => store.append(log, topic, recorded, global.sequence)));
}

/** Verifies a standard-changing event; true when it may be recorded as fact, false when a refusal was recorded. */
export async function checkDecision(store: LogAppender, topic: string, event: CloudEvent, decisions: DecisionVerifier, logger?: Logger): Promise<boolean> {
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

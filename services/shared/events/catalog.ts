// Every event type the platform emits: its CloudEvents type, its topic and the proto message that is its data.
// Payloads are encoded as the proto message's canonical JSON (readable by any consumer; schema in proto/).
// Adding an event means adding one entry here, the message in proto/, and the AsyncAPI document.
import { errorMessage, ValidationError } from '../errors/errors';

export type MessageCodec<T> = {
  fromJSON(object: any): T;
  toJSON(message: T): unknown;
  fromPartial(object: any): T;
};

export type EventDefinition<T> = {
  readonly type: string;
  readonly topic: string;
  readonly schema: string;
  readonly codec: MessageCodec<T>;
};

export const topics = {
  standards: 'bps.standards.v1',
  proposals: 'bps.proposals.v1',
  approvals: 'bps.approvals.v1',
  notifications: 'bps.notifications.v1',
  audit: 'bps.audit.v1',
  programme: 'bps.programme.v1',
} as const;

export type TopicFamily = keyof typeof topics;

/**
 * The one writer of each topic family: the Kafka principal allowed to produce to it (infra/local/kafka-acls.ts
 * turns this into broker ACLs) and the `ce_source` values that service stamps on its events. Consumers refuse
 * (dead-letter) an event whose ce_source is not its topic owner's, so a principal that somehow writes a topic can
 * still not speak for its owner.
 */
export const topicOwners = {
  standards: { principal: 'registry', sources: ['/bps/registry'] },
  proposals: { principal: 'proposals', sources: ['/bps/proposals'] },
  approvals: { principal: 'approvals', sources: ['/bps/approvals'] },
  notifications: { principal: 'notifications', sources: ['/bps/notifications'] },
  audit: { principal: 'audit', sources: ['/bps/audit'] },
  programme: { principal: 'programme', sources: ['/bps/programme'] },
} as const satisfies Record<TopicFamily, { principal: string; sources: readonly string[] }>;

/** The family of a physical topic (`bps.standards.v1` or a namespaced `bps.standards.v1.<ns>`), if it is one. */
export function topicFamilyOf(physicalTopic: string): TopicFamily | undefined {
  return (Object.keys(topics) as TopicFamily[]).find((f) => physicalTopic === topics[f] || physicalTopic.startsWith(`${topics[f]}.`));
}

/** Why an event's ce_source may not appear on this topic, or undefined when it may (topics outside the families are not checked). */
export function foreignSourceReason(physicalTopic: string, source: string): string | undefined {
  const family = topicFamilyOf(physicalTopic);
  if (family === undefined) return undefined;
  const owner = topicOwners[family];
  if ((owner.sources as readonly string[]).includes(source)) return undefined;
  return `ce_source "${source}" does not belong to ${topics[family]}'s owner (${owner.principal}: ${owner.sources.join(', ')})`;
}

/** The dead-letter topic of one consumer principal for one topic: `bps.dlq.<principal>.<topic>` (its own prefix, writable only by it). */
export function deadLetterTopic(principal: string, topic: string): string {
  return `bps.dlq.${principal}.${topic}`;
}

/**
 * The physical topic for a logical one. A namespace (config BPS_TOPIC_NAMESPACE) gives a deployment or an
 * integration test its own topics: "bps.standards.v1" + "t42" -> "bps.standards.v1.t42".
 */
export function topicName(topic: string, namespace: string | undefined): string {
  return namespace ? `${topic}.${namespace}` : topic;
}

export function defineEvent<T>(type: string, topic: string, protoName: string, codec: MessageCodec<T>): EventDefinition<T> {
  return { type, topic, schema: `urn:proto:${protoName}`, codec };
}

export function encodeData<T>(definition: EventDefinition<T>, payload: T): Buffer {
  return Buffer.from(JSON.stringify(definition.codec.toJSON(payload)), 'utf8');
}

/** Throws a ValidationError when the data is not the message's JSON: such an event can never be handled (DLQ). */
export function decodeData<T>(definition: EventDefinition<T>, data: Buffer): T {
  try {
    return definition.codec.fromJSON(JSON.parse(data.toString('utf8')));
  } catch (error) {
    throw new ValidationError([{ field: 'data', description: `not the JSON of ${definition.schema}: ${errorMessage(error)}` }]);
  }
}

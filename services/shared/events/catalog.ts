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
} as const;

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

// CloudEvents 1.0, Kafka protocol binding, binary content mode: attributes travel as `ce_*` headers,
// the data is the message value, `content-type` says how it is encoded, the key is the aggregate id.
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { ValidationError } from '../errors/errors';

export type CloudEvent = {
  readonly specversion: '1.0';
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly time: string; // RFC 3339
  readonly datacontenttype: string;
  readonly dataschema?: string;
  readonly data: Buffer;
  /** Kafka key: the aggregate id, so one aggregate's events stay in order on one partition. */
  readonly key: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** CloudEvents extension attributes (lowercase alphanumeric names), e.g. `bpsdecisionsig`; header `ce_<name>`. */
  readonly extensions?: Readonly<Record<string, string>>;
};

const coreHeaders = new Set(['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time', 'ce_subject', 'ce_dataschema']);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

export function toKafkaMessage(event: CloudEvent): Message {
  const headers: IHeaders = {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time,
    'content-type': event.datacontenttype,
  };
  if (event.subject != null) headers['ce_subject'] = event.subject;
  if (event.dataschema != null) headers['ce_dataschema'] = event.dataschema;
  if (event.traceparent != null) headers['traceparent'] = event.traceparent;
  if (event.tracestate != null) headers['tracestate'] = event.tracestate;
  for (const [name, value] of Object.entries(event.extensions ?? {})) {
    if (!EXTENSION_NAME.test(name))
      throw new ValidationError([{ field: `extensions.${name}`, description: 'CloudEvents extension names are 1-20 lowercase letters or digits' }]);
    headers[`ce_${name}`] = value;
  }
  return { key: event.key, value: event.data, headers, timestamp: String(Date.parse(event.time)) };
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

export function fromKafkaMessage(message: KafkaMessage): CloudEvent {
  const h = message.headers;
  const required = (name: string): string => {
    const v = header(h, name);
    if (v === undefined || v === '') throw new ValidationError([{ field: name, description: 'required CloudEvents header is missing' }]);
    return v;
  };
  const extensions: Record<string, string> = {};
  for (const name of Object.keys(h ?? {})) {
    if (!name.startsWith('ce_') || coreHeaders.has(name) || !EXTENSION_NAME.test(name.slice(3))) continue;
    const value = header(h, name);
    if (value !== undefined) extensions[name.slice(3)] = value;
  }
  const specversion = required('ce_specversion');
  if (specversion !== '1.0') throw new ValidationError([{ field: 'ce_specversion', description: `unsupported ${specversion}` }]);
  return {
    specversion: '1.0',
    id: required('ce_id'),
    type: required('ce_type'),
    source: required('ce_source'),
    subject: header(h, 'ce_subject'),
    time: required('ce_time'),
    datacontenttype: header(h, 'content-type') ?? 'application/json',
    dataschema: header(h, 'ce_dataschema'),
    data: message.value ?? Buffer.alloc(0),
    key: message.key?.toString('utf8') ?? '',
    traceparent: header(h, 'traceparent'),
    tracestate: header(h, 'tracestate'),
    ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
  };
}

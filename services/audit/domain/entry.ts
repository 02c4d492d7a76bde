// A log entry: one CloudEvent, its place in one log (global or per aggregate), and its link to the entry before.
// hash = H(canonical{ log, sequence, prevHash, hashAlgorithm, topic, event }) where the event is its CloudEvents
// attributes plus its data (parsed when JSON, so the encoding does not depend on whitespace or key order).
import { canonicalJson } from './canonical';
import { digestHex, type HashAlgorithm } from './hashing';

/** A CloudEvent as recorded: attributes, plus the data as text (utf-8, or base64 for bytes that are not). */
export type RecordedEvent = {
  readonly specversion: string;
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly time: string;
  readonly datacontenttype: string;
  readonly dataschema?: string;
  readonly key: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** CloudEvents extension attributes, e.g. the decision signature `bpsdecisionsig` (absent when none). */
  readonly extensions?: Readonly<Record<string, string>>;
  readonly data: string;
  readonly dataEncoding: 'utf8' | 'base64';
};

export type EntryContent = {
  readonly log: string;
  readonly sequence: number;
  readonly prevHash: string;
  readonly hashAlgorithm: HashAlgorithm;
  /** Logical topic (without the deployment's namespace suffix). */
  readonly topic: string;
  readonly event: RecordedEvent;
};

export type HashedEntry = EntryContent & { readonly hash: string };

export function recordEvent(event: {
  specversion: string;
  id: string;
  type: string;
  source: string;
  subject?: string;
  time: string;
  datacontenttype: string;
  dataschema?: string;
  key: string;
  traceparent?: string;
  tracestate?: string;
  data: Uint8Array;
  extensions?: Readonly<Record<string, string>>;
}): RecordedEvent {
  const bytes = Buffer.from(event.data);
  const text = bytes.toString('utf8');
  // Text with U+0000 is kept as base64 too: PostgreSQL (FerretDB's backend) cannot store it in a string.
  const isUtf8 = Buffer.from(text, 'utf8').equals(bytes) && !text.includes('\u0000');
  const recorded: RecordedEvent = {
    specversion: event.specversion,
    id: event.id,
    type: event.type,
    source: event.source,
    subject: event.subject,
    time: event.time,
    datacontenttype: event.datacontenttype,
    dataschema: event.dataschema,
    key: event.key,
    traceparent: event.traceparent,
    tracestate: event.tracestate,
    extensions: event.extensions && Object.keys(event.extensions).length > 0 ? { ...event.extensions } : undefined,
    data: isUtf8 ? text : bytes.toString('base64'),
    dataEncoding: isUtf8 ? 'utf8' : 'base64',
  };
  // Absent attributes are left out (not null) so the stored document reads back to the same canonical form.
  return Object.fromEntries(Object.entries(recorded).filter(([, v]) => v !== undefined && v !== null)) as RecordedEvent;
}

/** The event's data as a value: parsed JSON when it is JSON, else the recorded text. */
export function eventData(event: RecordedEvent): unknown {
  if (event.dataEncoding === 'utf8' && /json/i.test(event.datacontenttype)) {
    try {
      return JSON.parse(event.data) as unknown;
    } catch {
      return event.data; // malformed JSON is still recorded, byte for byte
    }
  }
  return event.data;
}

export function canonicalEntry(entry: EntryContent): string {
  const { data: _data, ...attributes } = entry.event;
  return canonicalJson({
    log: entry.log,
    sequence: entry.sequence,
    prevHash: entry.prevHash,
    hashAlgorithm: entry.hashAlgorithm,
    topic: entry.topic,
    event: { ...attributes, data: eventData(entry.event) },
  });
}

export function entryHash(entry: EntryContent): string {
  return digestHex(entry.hashAlgorithm, canonicalEntry(entry));
}

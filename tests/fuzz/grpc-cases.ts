// Malformed gRPC requests derived from the proto descriptors (issue #15): for every method of every service, raw
// request bytes that cannot be read, each field (and each field of a nested message) with the wrong wire type,
// values out of their type's range, invalid UTF-8, forbidden characters, oversized text, dates that do not exist;
// and every method with broken tokens. Each case says which status is the right answer and which field it names.
import protobuf from 'protobufjs';
import * as grpc from '@grpc/grpc-js';

export type GrpcClass = 'unreadable' | 'wire-type' | 'range' | 'utf8' | 'text' | 'size' | 'date' | 'token';
export type GrpcCase = {
  readonly klass: GrpcClass;
  /** `/pkg.Service/Method`. */
  readonly path: string;
  readonly serverStream: boolean;
  readonly bytes: Uint8Array;
  /** Overrides the caller's Authorization metadata ('' = none). */
  readonly authorization?: string;
  readonly expect: { readonly code: grpc.status; readonly field?: string };
  readonly what: string;
};

const W = () => protobuf.Writer.create();
const tag = (w: protobuf.Writer, id: number, wireType: number) => w.uint32((id << 3) | wireType);

const varintTypes = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const isDate = (t: protobuf.Type) => t.fullName === '.bps.common.v1.Date';
const isTimestamp = (t: protobuf.Type) => t.fullName === '.google.protobuf.Timestamp';

function expectedWireType(f: protobuf.Field): number {
  if (f.map || f.resolvedType instanceof protobuf.Type) return 2;
  if (f.resolvedType instanceof protobuf.Enum || varintTypes.has(f.type)) return 0;
  if (['fixed64', 'sfixed64', 'double'].includes(f.type)) return 1;
  if (['fixed32', 'sfixed32', 'float'].includes(f.type)) return 5;
  return 2;
}

/** One field with a value of the given wire type and nothing else. */
function encodeWithWireType(f: protobuf.Field, wireType: number): Uint8Array {
  const w = tag(W(), f.id, wireType);
  if (wireType === 0) return w.uint32(1).finish();
  if (wireType === 1) return w.fixed64(1).finish();
  if (wireType === 5) return w.fixed32(1).finish();
  return w.string('x').finish();
}

const date = (year: number, month: number, day: number) => W().uint32(8).int32(year).uint32(16).int32(month).uint32(24).int32(day).finish();

/** Bad values for one field, by class, as the field alone encoded (and the reason the server must give). */
function badValues(f: protobuf.Field): [GrpcClass, string, Uint8Array][] {
  f.resolve();
  const out: [GrpcClass, string, Uint8Array][] = [];
  const expected = expectedWireType(f);
  const wrong = expected === 2 ? 0 : 2;
  // A repeated number may legitimately come packed (length-delimited): give it a 32-bit value instead.
  const wrongType = f.repeated && expected !== 2 ? 5 : wrong;
  out.push(['wire-type', `as wire type ${wrongType}`, encodeWithWireType(f, wrongType)]);
  if (f.map) return out;
  const t = f.resolvedType;
  if (t instanceof protobuf.Enum) out.push(['range', 'enum 999', tag(W(), f.id, 0).uint32(999).finish()]);
  else if (f.type === 'int32')
    out.push(
      [
        'range',
        'int32 2^40',
        tag(W(), f.id, 0)
          .int64(2 ** 40)
          .finish(),
      ],
      [
        'range',
        'int32 2^31',
        tag(W(), f.id, 0)
          .int64(2 ** 31)
          .finish(),
      ],
    );
  else if (f.type === 'uint32')
    out.push([
      'range',
      'uint32 2^33',
      tag(W(), f.id, 0)
        .int64(2 ** 33)
        .finish(),
    ]);
  else if (f.type === 'bool') out.push(['range', 'bool 2', tag(W(), f.id, 0).uint32(2).finish()]);
  else if (f.type === 'string') {
    out.push([
      'utf8',
      'invalid UTF-8',
      tag(W(), f.id, 2)
        .bytes(Uint8Array.from([0x61, 0xc3, 0x28]))
        .finish(),
    ]);
    out.push([
      'utf8',
      'encoded lone surrogate',
      tag(W(), f.id, 2)
        .bytes(Uint8Array.from([0xed, 0xa0, 0x80]))
        .finish(),
    ]);
    for (const text of ['a\u0000b', 'a\u001bb', 'a\u007fb', 'a\u2028b']) out.push(['text', JSON.stringify(text), tag(W(), f.id, 2).string(text).finish()]);
  } else if (t instanceof protobuf.Type && isDate(t)) {
    for (const [y, m, d] of [
      [2027, 2, 30],
      [99_999, 1, 1],
      [2027, 13, 1],
      [1800, 1, 1],
    ] as const)
      out.push([
        'date',
        `${y}-${m}-${d}`,
        tag(W(), f.id, 2)
          .bytes(date(y, m, d))
          .finish(),
      ]);
  } else if (t instanceof protobuf.Type && isTimestamp(t)) {
    out.push([
      'date',
      'year 36812',
      tag(W(), f.id, 2)
        .bytes(
          W()
            .uint32(8)
            .int64(2 ** 40)
            .finish(),
        )
        .finish(),
    ]);
  }
  return out;
}

/** A string field's value 1 MB long (ids must be bounded and never echoed whole). */
const oversized = (f: protobuf.Field) =>
  tag(W(), f.id, 2)
    .string('x'.repeat(1024 * 1024))
    .finish();

export const unreadable: readonly [string, Uint8Array][] = [
  ['truncated length', Uint8Array.from([0x0a, 0x05, 0x61])],
  ['overlong varint', Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
  ['group start', Uint8Array.from([0x0b])],
  ['field number 0', Uint8Array.from([0x00, 0x01])],
  ['wire type 7', Uint8Array.from([0x0f])],
  ['all 0xff', Uint8Array.from(Array.from({ length: 16 }, () => 0xff))],
];

export function grpcCases(root: protobuf.Root, brokenTokens: Record<string, string>): GrpcCase[] {
  const out: GrpcCase[] = [];
  const services: protobuf.Service[] = [];
  const collect = (ns: protobuf.NamespaceBase) => {
    for (const n of ns.nestedArray) {
      if (n instanceof protobuf.Service && n.fullName.startsWith('.bps.')) services.push(n);
      if (n instanceof protobuf.Namespace) collect(n);
    }
  };
  collect(root);
  for (const service of services) {
    for (const method of service.methodsArray) {
      if (method.requestStream) continue; // none today; a client stream is read message by message
      const path = `/${service.fullName.slice(1)}/${method.name}`;
      const serverStream = !!method.responseStream;
      const type = method.resolvedRequestType!;
      const add = (c: Omit<GrpcCase, 'path' | 'serverStream'>) => out.push({ path, serverStream, ...c });
      for (const [what, bytes] of unreadable) add({ klass: 'unreadable', bytes, expect: { code: grpc.status.INVALID_ARGUMENT, field: 'request' }, what });
      const fields = (t: protobuf.Type, prefix: string, wrap: (inner: Uint8Array) => Uint8Array, depth: number) => {
        for (const f of t.fieldsArray) {
          f.resolve();
          const name = prefix ? `${prefix}.${f.name}` : f.name;
          for (const [klass, what, bytes] of badValues(f))
            add({ klass, bytes: wrap(bytes), expect: { code: grpc.status.INVALID_ARGUMENT, field: name }, what: `${name} ${what}` });
          if (f.type === 'string' && !f.map) add({ klass: 'size', bytes: wrap(oversized(f)), expect: { code: -1 as grpc.status }, what: `${name} 1 MB` });
          const nested = f.resolvedType;
          if (nested instanceof protobuf.Type && !f.map && depth < 2 && !isDate(nested) && !isTimestamp(nested)) {
            fields(nested, name, (inner) => wrap(tag(W(), f.id, 2).bytes(inner).finish()), depth + 1);
          }
        }
      };
      fields(type, '', (b) => b, 1);
      for (const [what, authorization] of Object.entries(brokenTokens))
        add({ klass: 'token', bytes: new Uint8Array(), authorization, expect: { code: grpc.status.UNAUTHENTICATED }, what: `token: ${what}` });
    }
  }
  return out;
}

export type GrpcAnswer = { code: grpc.status; details: string; fields: string[]; ms: number; trailerBytes: number };

/** Sends raw request bytes to `path` and reads the status (the first message of a stream is enough). */
export function callRaw(client: grpc.Client, c: GrpcCase, authorization: string, deadlineMs: number): Promise<GrpcAnswer> {
  const metadata = new grpc.Metadata();
  const auth = c.authorization ?? authorization;
  if (auth) metadata.set('authorization', auth);
  const start = Date.now();
  const serialize = (b: Uint8Array) => Buffer.from(b);
  const deserialize = (b: Buffer) => b;
  const options = { deadline: Date.now() + deadlineMs };
  return new Promise((resolve) => {
    const finish = (error: grpc.ServiceError | null) => {
      const details = error?.details ?? '';
      const raw = error?.metadata?.get('grpc-status-details-bin')[0];
      const fields = raw ? fieldsOf(raw as Buffer) : [];
      resolve({
        code: error ? error.code : grpc.status.OK,
        details,
        fields,
        ms: Date.now() - start,
        trailerBytes: Buffer.byteLength(details) + (raw ? (raw as Buffer).length : 0),
      });
    };
    if (!c.serverStream) {
      client.makeUnaryRequest(c.path, serialize, deserialize, c.bytes, metadata, options, (error) => finish(error));
      return;
    }
    const stream = client.makeServerStreamRequest(c.path, serialize, deserialize, c.bytes, metadata, options);
    let done = false;
    stream.on('data', () => {
      if (done) return;
      done = true;
      stream.cancel();
      finish(null);
    });
    stream.on('error', (e: grpc.ServiceError) => {
      if (done) return;
      done = true;
      finish(e);
    });
    stream.on('end', () => {
      if (done) return;
      done = true;
      finish(null);
    });
  });
}

// google.rpc.Status { details: [Any { BadRequest { field_violations: [{ field }] } }] }, read without generated code.
const statusType = protobuf.Root.fromJSON({
  nested: {
    Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } } },
    Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    BadRequest: { fields: { field_violations: { rule: 'repeated', type: 'FieldViolation', id: 1 } } },
    FieldViolation: { fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } } },
  },
});
function fieldsOf(bytes: Buffer): string[] {
  const status = statusType.lookupType('Status').decode(bytes) as unknown as { details: { type_url: string; value: Uint8Array }[] };
  return status.details
    .filter((d) => d.type_url.endsWith('google.rpc.BadRequest'))
    .flatMap((d) =>
      (statusType.lookupType('BadRequest').decode(d.value) as unknown as { field_violations: { field: string }[] }).field_violations.map((v) => v.field),
    );
}

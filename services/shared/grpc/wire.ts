// A strict reading of the protobuf wire format against the request's message descriptor (issue #15), run before
// the generated decoder. ts-proto's decoders, like most, silently skip a known field sent with the wrong wire type
// (the call then succeeds with the field's default), truncate an out-of-range int32 and replace invalid UTF-8;
// protobuf leaves those cases to the parser's discretion. The platform takes the strict side for the fields it
// knows: a known field with the wrong wire type, an int32/uint32/bool/enum value out of its range, a string that
// is not UTF-8, a group, or bytes that end mid-field are INVALID_ARGUMENT naming the field. Unknown field numbers
// are skipped, as protobuf requires (a newer client may send them).
import protobuf from 'protobufjs';
import type { FieldViolation } from '../errors/errors';

const MAX_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Wire types: VARINT, I64, LEN, SGROUP, EGROUP, I32. */
const wireTypeNames = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit'] as const;

const varintTypes = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const fixed64Types = new Set(['fixed64', 'sfixed64', 'double']);
const fixed32Types = new Set(['fixed32', 'sfixed32', 'float']);

/** Thrown for bytes that cannot be read at all (truncated, overlong varint, group): the whole request is refused. */
class Malformed extends Error {}

type Scalar = { kind: 'scalar'; type: string } | { kind: 'enum'; values: ReadonlySet<number>; name: string } | { kind: 'message'; type: protobuf.Type };

function describe(field: protobuf.FieldBase): Scalar {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Type) return { kind: 'message', type: field.resolvedType };
  if (field.resolvedType instanceof protobuf.Enum)
    return { kind: 'enum', values: new Set(Object.values(field.resolvedType.values)), name: field.resolvedType.name };
  return { kind: 'scalar', type: field.type };
}

function wireTypeOf(scalar: Scalar): number {
  if (scalar.kind === 'message') return 2;
  if (scalar.kind === 'enum') return 0;
  if (varintTypes.has(scalar.type)) return 0;
  if (fixed64Types.has(scalar.type)) return 1;
  if (fixed32Types.has(scalar.type)) return 5;
  return 2; // string, bytes
}

const typeName = (scalar: Scalar): string => (scalar.kind === 'message' ? scalar.type.name : scalar.kind === 'enum' ? scalar.name : scalar.type);

class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}
  done(): boolean {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new Malformed('ends inside a varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (result >= 1n << 64n) throw new Malformed('a varint longer than 64 bits');
        return result;
      }
    }
    throw new Malformed('a varint longer than 10 bytes');
  }
  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new Malformed('a field runs past the end of the message');
    this.pos += n;
  }
  length(): number {
    const n = this.varint();
    if (n > BigInt(this.end - this.pos)) throw new Malformed('a length-delimited field runs past the end of the message');
    return Number(n);
  }
}

const INT32_MAX = 2n ** 31n - 1n;
const UINT64 = 2n ** 64n;

/** Why `value` (a varint as read) is not a valid value of `scalar`, or undefined. */
function varintProblem(scalar: Scalar, value: bigint): string | undefined {
  if (scalar.kind === 'enum') {
    const n = value > INT32_MAX ? value - UINT64 : value;
    return scalar.values.has(Number(n)) ? undefined : `${n} is not a value of ${scalar.name}`;
  }
  if (scalar.kind !== 'scalar') return undefined;
  switch (scalar.type) {
    case 'int32':
      // Negative int32 values are sent sign-extended to 64 bits.
      return value <= INT32_MAX || value >= UINT64 - 2n ** 31n ? undefined : `${value} is outside the int32 range`;
    case 'uint32':
      return value < 2n ** 32n ? undefined : `${value} is outside the uint32 range`;
    case 'sint32':
      return value < 2n ** 32n ? undefined : 'outside the sint32 range';
    case 'bool':
      return value <= 1n ? undefined : `${value} is not a boolean (0 or 1)`;
    default:
      return undefined;
  }
}

/** Field violations in `bytes` read as a `type` message; throws Malformed for bytes that cannot be read. */
function scan(type: protobuf.Type, reader: Reader, path: string, depth: number, out: FieldViolation[]): void {
  if (depth > MAX_DEPTH) throw new Malformed(`nested more than ${MAX_DEPTH} levels`);
  while (!reader.done()) {
    const tag = reader.varint();
    const number = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (number === 0 || tag >> 3n > 536_870_911n) throw new Malformed('a field number out of range');
    if (wireType === 3 || wireType === 4) throw new Malformed('groups are not used by this API');
    if (wireType > 5) throw new Malformed(`wire type ${wireType} does not exist`);
    const field = type.fieldsById[number];
    if (!field) {
      skipValue(reader, wireType);
      continue;
    }
    const name = path ? `${path}.${field.name}` : field.name;
    if (field instanceof protobuf.MapField) {
      if (wireType !== 2) {
        out.push({ field: name, reason: 'WRONG_WIRE_TYPE', description: `a map is sent as length-delimited entries, not as ${wireTypeNames[wireType]}` });
        skipValue(reader, wireType);
        continue;
      }
      const len = reader.length();
      scanMapEntry(field, new Reader(reader.buf, reader.pos, reader.pos + len), name, depth, out);
      reader.pos += len;
      continue;
    }
    const scalar = describe(field);
    const expected = wireTypeOf(scalar);
    if (wireType === expected) {
      readValue(scalar, reader, wireType, name, depth, out);
      continue;
    }
    // A repeated number may be packed: one length-delimited run of values.
    if (field.repeated && wireType === 2 && expected !== 2) {
      const len = reader.length();
      const run = new Reader(reader.buf, reader.pos, reader.pos + len);
      while (!run.done()) readValue(scalar, run, expected, name, depth, out);
      reader.pos += len;
      continue;
    }
    out.push({
      field: name,
      reason: 'WRONG_WIRE_TYPE',
      description: `must be ${typeName(scalar)} (${wireTypeNames[expected]}), was sent as ${wireTypeNames[wireType]}`,
    });
    skipValue(reader, wireType);
  }
}

function scanMapEntry(field: protobuf.MapField, reader: Reader, name: string, depth: number, out: FieldViolation[]): void {
  const key: Scalar = { kind: 'scalar', type: field.keyType };
  const value = describe(field);
  while (!reader.done()) {
    const tag = reader.varint();
    const number = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (wireType === 3 || wireType === 4 || wireType > 5) throw new Malformed('a map entry with an unknown wire type');
    const scalar = number === 1 ? key : number === 2 ? value : undefined;
    if (!scalar) {
      skipValue(reader, wireType);
      continue;
    }
    if (wireType !== wireTypeOf(scalar)) {
      out.push({
        field: `${name}.${number === 1 ? 'key' : 'value'}`,
        reason: 'WRONG_WIRE_TYPE',
        description: `must be ${typeName(scalar)}, was sent as ${wireTypeNames[wireType]}`,
      });
      skipValue(reader, wireType);
      continue;
    }
    readValue(scalar, reader, wireType, `${name}.${number === 1 ? 'key' : 'value'}`, depth, out);
  }
}

function readValue(scalar: Scalar, reader: Reader, wireType: number, name: string, depth: number, out: FieldViolation[]): void {
  switch (wireType) {
    case 0: {
      const problem = varintProblem(scalar, reader.varint());
      if (problem) out.push({ field: name, reason: 'OUT_OF_RANGE', description: problem });
      return;
    }
    case 1:
      reader.skip(8);
      return;
    case 5:
      reader.skip(4);
      return;
    case 2: {
      const len = reader.length();
      if (scalar.kind === 'message') {
        scan(scalar.type, new Reader(reader.buf, reader.pos, reader.pos + len), name, depth + 1, out);
      } else if (scalar.kind === 'scalar' && scalar.type === 'string') {
        try {
          utf8.decode(reader.buf.subarray(reader.pos, reader.pos + len));
        } catch {
          out.push({ field: name, reason: 'INVALID_UTF8', description: 'must be valid UTF-8' });
        }
      }
      reader.pos += len;
      return;
    }
    default:
      throw new Malformed(`wire type ${wireType}`);
  }
}

function skipValue(reader: Reader, wireType: number): void {
  switch (wireType) {
    case 0:
      reader.varint();
      return;
    case 1:
      reader.skip(8);
      return;
    case 2:
      reader.skip(reader.length());
      return;
    case 5:
      reader.skip(4);
      return;
    default:
      throw new Malformed(`wire type ${wireType}`);
  }
}

export type WireCheck = { readonly ok: true } | { readonly ok: false; readonly malformed?: string; readonly violations: readonly FieldViolation[] };

/** Reads `bytes` strictly as a `type` message: the field violations found, or why the bytes cannot be read at all. */
export function checkWire(type: protobuf.Type, bytes: Uint8Array): WireCheck {
  const out: FieldViolation[] = [];
  try {
    scan(type, new Reader(bytes, 0, bytes.length), '', 0, out);
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, malformed: error.message, violations: [] };
    throw error;
  }
  return out.length === 0 ? { ok: true } : { ok: false, violations: out.slice(0, 20) };
}

let root: protobuf.Root | undefined;

/** The platform's .proto files (`files`, relative to `protoRoot`) loaded once, field names as written (snake_case). */
export function platformRoot(protoRoot: string, files: readonly string[]): protobuf.Root {
  if (!root) {
    const loading = new protobuf.Root();
    loading.resolvePath = (_origin, target) => `${protoRoot}/${target}`;
    loading.loadSync([...files], { keepCase: true });
    loading.resolveAll();
    root = loading;
  }
  return root;
}

/** The request message types of the platform's gRPC methods, by method path (`/pkg.Service/Method`). */
export function requestTypes(protoRoot: string, files: readonly string[]): (path: string) => protobuf.Type | undefined {
  const loaded = platformRoot(protoRoot, files);
  return (path) => {
    const [, service, method] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
    if (!service || !method) return undefined;
    try {
      return loaded.lookupService(service).methods[method]?.resolvedRequestType ?? undefined;
    } catch {
      return undefined;
    }
  };
}

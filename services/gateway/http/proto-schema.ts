// JSON Schemas for proto messages as ts-proto's toJSON writes them (proto3 JSON: camelCase names, enum names as
// strings, int64 as strings, Timestamp as RFC 3339, oneof members as optional siblings). Read from the .proto files
// themselves so the OpenAPI document cannot drift from the wire types.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

export type JsonSchema = { [key: string]: unknown };

type FieldDescriptor = { name: string; label: string; type: string; typeName: string; jsonName?: string };
type MessageDescriptor = { field: FieldDescriptor[]; options?: { mapEntry?: boolean } | null };
type EnumDescriptor = { value: { name: string; number: number }[] };

const protoRoot = fileURLToPath(new URL('../../../proto', import.meta.url));

function protoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'gen' ? [] : protoFiles(full);
    return entry.endsWith('.proto') ? [relative(protoRoot, full)] : [];
  });
}

const int32: JsonSchema = { type: 'integer', minimum: -2147483648, maximum: 2147483647 };
const uint32: JsonSchema = { type: 'integer', minimum: 0, maximum: 4294967295 };
const scalar: Record<string, JsonSchema> = {
  TYPE_STRING: { type: 'string' },
  TYPE_BOOL: { type: 'boolean' },
  TYPE_INT32: int32,
  TYPE_SINT32: int32,
  TYPE_UINT32: uint32,
  TYPE_FIXED32: uint32,
  TYPE_SFIXED32: int32,
  // int64 travels as a decimal string so money in fen never loses precision; the format bounds it to 64 bits.
  TYPE_INT64: { type: 'string', pattern: '^-?\\d+$', format: 'decimal-int64' },
  TYPE_SINT64: { type: 'string', pattern: '^-?\\d+$', format: 'decimal-int64' },
  TYPE_UINT64: { type: 'string', pattern: '^\\d+$', format: 'decimal-uint64' },
  TYPE_FIXED64: { type: 'string', pattern: '^\\d+$', format: 'decimal-uint64' },
  TYPE_SFIXED64: { type: 'string', pattern: '^-?\\d+$', format: 'decimal-int64' },
  TYPE_DOUBLE: { type: 'number' },
  TYPE_FLOAT: { type: 'number' },
  TYPE_BYTES: { type: 'string', description: 'base64' },
};

const wellKnown: Record<string, JsonSchema> = {
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
  'google.protobuf.Duration': { type: 'string', pattern: '^-?\\d+(\\.\\d+)?s$' },
  'google.protobuf.Empty': { type: 'object' },
  'google.protobuf.Struct': { type: 'object' },
  'google.protobuf.Any': { type: 'object' },
};

/** Component name for a fully qualified proto type, e.g. "bps.registry.v1.ItemVersion". */
export const componentName = (fullName: string): string => fullName;

export class ProtoSchemas {
  private readonly definition: protoLoader.PackageDefinition;
  private readonly components = new Map<string, JsonSchema>();

  constructor() {
    this.definition = protoLoader.loadSync(protoFiles(protoRoot), { includeDirs: [protoRoot], keepCase: false });
  }

  has(fullName: string): boolean {
    return fullName in this.definition;
  }

  /** A $ref to the message's schema, registering it (and everything it uses) as a component. */
  ref(fullName: string): JsonSchema {
    this.register(fullName);
    return { $ref: `#/components/schemas/${componentName(fullName)}` };
  }

  /** The message's schema with every reference inlined: for request validation, which has no shared components. */
  inline(fullName: string, seen: readonly string[] = []): JsonSchema {
    const wk = wellKnown[fullName];
    if (wk) return wk;
    if (seen.includes(fullName)) return { type: 'object' };
    this.register(fullName);
    const schema = this.components.get(fullName) as JsonSchema;
    const walk = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(walk);
      if (node && typeof node === 'object') {
        const ref = (node as { $ref?: unknown }).$ref;
        if (typeof ref === 'string') return this.inline(ref.replace('#/components/schemas/', ''), [...seen, fullName]);
        return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
      }
      return node;
    };
    return walk(schema) as JsonSchema;
  }

  /** Every component registered so far. */
  all(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.components].sort(([a], [b]) => a.localeCompare(b)));
  }

  private resolve(typeName: string, scope: string): string {
    if (typeName.startsWith('.')) return typeName.slice(1);
    // Proto scoping: try the innermost package first, then each enclosing one.
    const parts = scope.split('.');
    for (let i = parts.length; i >= 0; i--) {
      const candidate = [...parts.slice(0, i), typeName].join('.');
      if (candidate in this.definition || candidate in wellKnown) return candidate;
    }
    throw new Error(`proto type ${typeName} not found from ${scope}`);
  }

  private register(fullName: string): void {
    if (this.components.has(fullName) || fullName in wellKnown) return;
    const entry = this.definition[fullName] as { format?: string; type?: unknown } | undefined;
    if (!entry?.type) throw new Error(`unknown proto type ${fullName}`);
    if (entry.format?.includes('EnumDescriptorProto')) {
      const values = (entry.type as EnumDescriptor).value.map((v) => v.name);
      this.components.set(fullName, { type: 'string', enum: values });
      return;
    }
    const message = entry.type as MessageDescriptor;
    const placeholder: JsonSchema = { type: 'object' };
    this.components.set(fullName, placeholder); // before recursing, for self-referencing messages
    const scope = fullName.split('.').slice(0, -1).join('.');
    const properties: Record<string, JsonSchema> = {};
    for (const field of message.field) {
      const name = field.jsonName || field.name;
      let schema: JsonSchema;
      if (field.type === 'TYPE_MESSAGE' || field.type === 'TYPE_ENUM') {
        const target = this.resolve(field.typeName, scope);
        schema = wellKnown[target] ?? this.ref(target);
      } else {
        schema = scalar[field.type] ?? {};
      }
      properties[name] = field.label === 'LABEL_REPEATED' ? { type: 'array', items: schema } : schema;
    }
    Object.assign(placeholder, { properties, additionalProperties: false });
  }
}

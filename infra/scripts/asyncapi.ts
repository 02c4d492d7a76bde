// Writes proto/asyncapi.yaml (AsyncAPI 3.0) from the event catalogue (every defineEvent in
// services/shared/events/*.ts) and the proto messages that are the events' data. Run after adding an event:
//   npm run asyncapi
// tests/unit/asyncapi.unit.test.ts validates the document with @asyncapi/parser and fails when an event is missing.
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, relative } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { topicFamilyOf, topicOwners, topics, type EventDefinition } from '../../services/shared/events/catalog';
import { DECISION_JWS_TYPE, DECISION_SIGNATURE_EXTENSION, isStandardChanging, standardChangingTypes } from '../../services/shared/events/decision-signature';

const signatureHeader = `ce_${DECISION_SIGNATURE_EXTENSION}`;
const decisionKeysPath = '/.well-known/bps-decision-keys.json';

const root = fileURLToPath(new URL('../..', import.meta.url));
const protoRoot = join(root, 'proto');
const eventsDir = join(root, 'services/shared/events');

/** Every event definition exported (at any depth) by a module of services/shared/events. */
export async function catalogue(): Promise<{ module: string; definition: EventDefinition<unknown> }[]> {
  const found = new Map<string, { module: string; definition: EventDefinition<unknown> }>();
  const isDefinition = (v: unknown): v is EventDefinition<unknown> =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as EventDefinition<unknown>).type === 'string' &&
    typeof (v as EventDefinition<unknown>).topic === 'string' &&
    typeof (v as EventDefinition<unknown>).schema === 'string' &&
    typeof (v as EventDefinition<unknown>).codec === 'object';
  const walk = (module: string, value: unknown, depth: number): void => {
    if (isDefinition(value)) {
      // One type may be defined on several topics (bps.access.refused: each service on its own family).
      const key = `${value.type}@${value.topic}`;
      if (!found.has(key)) found.set(key, { module, definition: value });
      return;
    }
    if (depth > 3 || typeof value !== 'object' || value === null) return;
    for (const v of Object.values(value)) walk(module, v, depth + 1);
  };
  for (const file of readdirSync(eventsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()) {
    const module = await import(pathToFileURL(join(eventsDir, file)).href);
    walk(file, module, 0);
  }
  return [...found.values()].sort((a, b) => a.definition.type.localeCompare(b.definition.type) || a.definition.topic.localeCompare(b.definition.topic));
}

function protoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'gen' ? [] : protoFiles(full);
    return e.name.endsWith('.proto') ? [relative(protoRoot, full)] : [];
  });
}

type Field = { name: string; label: string; type: string; typeName: string };
type Json = Record<string, unknown>;

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function schemas(messageNames: readonly string[]): Record<string, Json> {
  const pkg = protoLoader.loadSync(protoFiles(join(protoRoot, 'bps')), { includeDirs: [protoRoot], keepCase: true });
  const out: Record<string, Json> = {};
  const pending = [...messageNames];
  const ref = (name: string): Json => {
    if (!out[name] && !pending.includes(name)) pending.push(name);
    return { $ref: `#/components/schemas/${name}` };
  };
  // Type names in descriptors may be relative to the message's package: resolve like protoc does.
  const resolve = (scope: string, typeName: string): string => {
    if (typeName.startsWith('.')) return typeName.slice(1);
    const parts = scope.split('.');
    for (let n = parts.length; n >= 0; n--) {
      const candidate = [...parts.slice(0, n), typeName].join('.');
      if (pkg[candidate]) return candidate;
    }
    throw new Error(`cannot resolve ${typeName} from ${scope}`);
  };
  const fieldSchema = (f: Field, scope: string): Json => {
    const typeName = f.typeName === '' ? '' : resolve(scope, f.typeName);
    switch (f.type) {
      case 'TYPE_STRING':
        return { type: 'string' };
      case 'TYPE_BOOL':
        return { type: 'boolean' };
      case 'TYPE_INT32':
      case 'TYPE_SINT32':
      case 'TYPE_SFIXED32':
      case 'TYPE_UINT32':
      case 'TYPE_FIXED32':
        return { type: 'integer', format: 'int32' };
      // proto JSON writes 64-bit integers as decimal strings.
      case 'TYPE_INT64':
      case 'TYPE_SINT64':
      case 'TYPE_SFIXED64':
      case 'TYPE_UINT64':
      case 'TYPE_FIXED64':
        return { type: 'string', format: 'int64', pattern: '^-?[0-9]+$' };
      case 'TYPE_DOUBLE':
      case 'TYPE_FLOAT':
        return { type: 'number' };
      case 'TYPE_BYTES':
        return { type: 'string', contentEncoding: 'base64' };
      case 'TYPE_ENUM':
        return ref(typeName);
      case 'TYPE_MESSAGE':
        return typeName === 'google.protobuf.Timestamp' ? { type: 'string', format: 'date-time' } : ref(typeName);
      default:
        throw new Error(`unsupported proto field type ${f.type}`);
    }
  };
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (out[name]) continue;
    const entry = pkg[name] as { format?: string; type?: { field?: Field[]; value?: { name: string }[] } } | undefined;
    if (!entry?.type) throw new Error(`proto message ${name} not found under proto/`);
    if (entry.format === 'Protocol Buffer 3 EnumDescriptorProto') {
      out[name] = { type: 'string', enum: entry.type.value!.map((v) => v.name), description: `proto enum ${name} (JSON: the value's name)` };
      continue;
    }
    const properties: Json = {};
    for (const f of entry.type.field ?? []) {
      const s = fieldSchema(f, name);
      properties[camel(f.name)] = f.label === 'LABEL_REPEATED' ? { type: 'array', items: s } : s;
    }
    out[name] = { type: 'object', description: `proto message ${name}, canonical proto JSON (fields with default values may be omitted)`, properties };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const topicDescriptions: Record<string, string> = {
  [topics.standards]:
    'Registry: publications, effective dates, provincial filings, floor breaches, rejected change sets. Key: the release, item or province/item the event is about.',
  [topics.proposals]: 'Proposals: the life of adjustment proposals (调整方案). Key: proposal id.',
  [topics.approvals]: 'Approvals: sign-offs, objections, reminders, escalations and outcomes of approval workflows. Key: proposal or workflow id.',
  [topics.notifications]: 'Notifications: who was told what, and when (deliveries, dead letters, disabled subscriptions). Key: subscription id.',
  [topics.audit]: 'Audit: signed checkpoints of the hash-chained audit log.',
};

/** Who may write the topic (the broker's ACLs) and which ce_source its consumers accept. */
function writerText(topic: string): string {
  const family = topicFamilyOf(topic);
  if (family === undefined) return '';
  const owner = topicOwners[family];
  return `Only the ${owner.principal} service's Kafka principal may write it, and consumers accept only ce_source ${owner.sources.map((x) => `"${x}"`).join(', ')} on it.`;
}

/**
 * Events published straight to Kafka, before the state they report is recorded (at least once without the outbox):
 * the delivery worker's `bps.notification.delivered` (services/notifications/adapters/webhooks/delivery-worker.ts).
 */
const publishedDirectly = new Set(['bps.notification.delivered']);

function writtenHow(types: readonly string[]): string {
  const direct = types.filter((t) => publishedDirectly.has(t));
  if (direct.length === 0) return "through the service's outbox";
  return `through the service's outbox; ${direct.join(', ')} published directly, before the record it reports is written`;
}

export async function buildDocument(): Promise<Json> {
  const events = await catalogue();
  const channelKey = (topic: string): string => topic.replace(/^bps\./, '').replace(/\.v\d+$/, '');
  const topicList = [...new Set([...Object.values(topics), ...events.map((e) => e.definition.topic)])];
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  for (const topic of topicList) {
    const own = events.filter((e) => e.definition.topic === topic);
    channels[channelKey(topic)] = {
      address: topic,
      title: topic,
      description: `${topicDescriptions[topic] ?? topic} A deployment or test may suffix a namespace (BPS_TOPIC_NAMESPACE): "${topic}.<namespace>". ${writerText(topic)} Events a consumer can never handle (or refuses) go to that consumer's own dead-letter topic "bps.dlq.<consumer>.${topic}".`,
      messages: Object.fromEntries(own.map((e) => [e.definition.type, { $ref: `#/components/messages/${e.definition.type}` }])),
    };
    operations[`send-${channelKey(topic)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelKey(topic)}` },
      summary: `Events written to ${topic} (${writtenHow(own.map((e) => e.definition.type))})`,
      messages: own.map((e) => ({ $ref: `#/channels/${channelKey(topic)}/messages/${e.definition.type}` })),
    };
  }
  for (const { module, definition } of events) {
    const proto = definition.schema.replace(/^urn:proto:/, '');
    messages[definition.type] = {
      name: definition.type,
      title: definition.type,
      summary: `data: ${proto} (defined in services/shared/events/${module})`,
      contentType: 'application/json',
      'x-proto-message': proto,
      headers: {
        type: 'object',
        description: 'CloudEvents 1.0 Kafka protocol binding, binary content mode',
        required: [
          'ce_specversion',
          'ce_id',
          'ce_type',
          'ce_source',
          'ce_time',
          'content-type',
          ...(isStandardChanging(definition.type) ? [signatureHeader] : []),
        ],
        properties: {
          ce_specversion: { type: 'string', const: '1.0' },
          ce_id: { type: 'string', description: 'Event id: the same everywhere the event goes (webhook-id for webhooks)' },
          ce_type: { type: 'string', const: definition.type },
          ce_source: { type: 'string', description: 'Emitting service, e.g. /bps/registry' },
          ce_time: { type: 'string', format: 'date-time' },
          ce_subject: { type: 'string' },
          ce_dataschema: { type: 'string', const: definition.schema },
          'content-type': { type: 'string', const: 'application/json' },
          traceparent: { type: 'string', description: 'W3C trace context' },
          tracestate: { type: 'string' },
          ...(isStandardChanging(definition.type)
            ? {
                [signatureHeader]: {
                  type: 'string',
                  pattern: '^[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+$',
                  description: `Decision signature (this event changes the standard): detached JWS (RFC 7515 Appendix F, compact "<header>..<signature>", alg EdDSA or SM2, typ ${DECISION_JWS_TYPE}, kid = key id in ${decisionKeysPath}) over the RFC 8785 canonical bytes of the event. Consumers apply and record only events whose signature verifies; others go to the dead-letter topic and audit records them as refused.`,
                },
              }
            : {}),
        },
      },
      payload: { $ref: `#/components/schemas/${proto}` },
      bindings: { kafka: { key: { type: 'string', description: 'Aggregate id: events of one aggregate keep their order' }, bindingVersion: '0.5.0' } },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: '国家基本公共服务标准 platform events',
      version: '1.0.0',
      description: [
        'Every topic and event type of the basic public service standards platform.',
        'Envelope: CloudEvents 1.0 over Kafka in binary mode (ce_* headers); data: the proto message as canonical JSON.',
        'Webhooks (notifications service) carry the same event in CloudEvents structured mode (application/cloudevents+json), signed per Standard Webhooks.',
        `Signed decisions: every event that changes the standard (${[...standardChangingTypes].join(', ')}) carries the CloudEvents extension attribute ${DECISION_SIGNATURE_EXTENSION} (Kafka header ${signatureHeader}): a detached JWS (RFC 7515 Appendix F; alg EdDSA, or SM2 = SM2 with SM3, r||s, where the national algorithms are configured; kid) over the event's canonical bytes = RFC 8785 (JCS) of the CloudEvents JSON-format object {specversion, id, type, source, subject, time, datacontenttype, dataschema, data (parsed JSON; else data_base64)}; absent attributes are left out, the Kafka key and trace context are not signed.`,
        `Verification keys: the gateway's GET ${decisionKeysPath} (a JWKS of public Ed25519 keys; the deployment's BPS_DECISION_PUBLIC_JWKS). bps.standard.version.published carries the signed decision it applies (decision: event id, canonical bytes, signature, key id), so a subscriber checks a publication or webhook offline: npm run decisions:verify -- <publication.json> --keys <jwks.json | url>.`,
        'Generated by infra/scripts/asyncapi.ts from services/shared/events/*.ts and proto/; checked by tests/unit/asyncapi.unit.test.ts.',
      ].join('\n'),
    },
    'x-bps-decision-signatures': {
      extension: DECISION_SIGNATURE_EXTENSION,
      kafkaHeader: signatureHeader,
      types: [...standardChangingTypes],
      format: 'JWS detached compact (RFC 7515 Appendix F)',
      algorithms: ['EdDSA', 'SM2'],
      canonicalization: 'RFC 8785 JCS of the CloudEvents JSON format (data parsed, else data_base64)',
      keys: decisionKeysPath,
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', protocolVersion: '3.9', description: 'Local single-node Kafka (npm run infra)' } },
    channels,
    operations,
    components: { messages, schemas: schemas([...new Set(events.map((e) => e.definition.schema.replace(/^urn:proto:/, '')))]) },
  };
}

// ---------- a small YAML writer (plain data only) ----------

const plain = /^[A-Za-z_][A-Za-z0-9_./ -]*$/;
const reserved = /^(true|false|null|yes|no|on|off|~)$/i;
function scalar(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  const s = String(v);
  return plain.test(s) && !reserved.test(s) && !s.endsWith(' ') && !s.includes(': ') && !s.includes(' #') ? s : JSON.stringify(s);
}
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return value
      .map((v) => (typeof v === 'object' && v !== null ? `${indent}- ${toYaml(v, `${indent}  `).trimStart()}` : `${indent}- ${scalar(v)}`))
      .join('\n');
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return entries
      .map(([k, v]) => {
        const key = scalar(k);
        if (typeof v === 'string' && v.includes('\n'))
          return `${indent}${key}: |-\n${v
            .split('\n')
            .map((l) => `${indent}  ${l}`)
            .join('\n')}`;
        if (typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0))
          return `${indent}${key}:\n${toYaml(v, `${indent}  `)}`;
        return `${indent}${key}: ${typeof v === 'object' && v !== null ? toYaml(v) : scalar(v)}`;
      })
      .join('\n');
  }
  return scalar(value);
}

export const asyncapiPath = join(protoRoot, 'asyncapi.yaml');

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const doc = await buildDocument();
  writeFileSync(
    asyncapiPath,
    `# AsyncAPI 3.0: every topic and event of the platform. Generated — edit the event catalogue or proto/, then run\n#   npm run asyncapi\n${toYaml(doc)}\n`,
  );
  console.log(`wrote ${relative(root, asyncapiPath)}`);
}

// The AsyncAPI document (proto/asyncapi.yaml) is valid AsyncAPI 3.0 and describes every topic and every event
// type defined anywhere in services/shared/events/*.ts (found by walking the modules' exports, so a new event
// without a document entry fails here).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { topics } from '../../services/shared/events/catalog';
import { asyncapiPath, catalogue } from '../../infra/scripts/asyncapi';

describe('AsyncAPI document', () => {
  // The parser needs a few seconds for a document this size: parse once.
  let parsed: Awaited<ReturnType<Parser['parse']>>;
  beforeAll(async () => {
    parsed = await new Parser().parse(readFileSync(asyncapiPath, 'utf8'));
  }, 60_000);

  it('is valid AsyncAPI 3.0 and lists every topic and every catalogued event with its CloudEvents type, topic and proto schema', async () => {
    const { document, diagnostics } = parsed;
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');

    const addresses = document!
      .channels()
      .all()
      .map((c) => c.address());
    expect(addresses.sort()).toEqual(expect.arrayContaining(Object.values(topics).sort()));

    const events = await catalogue();
    // The families the platform defines today must all be found by the walk.
    const modules = new Set(events.map((e) => e.module));
    for (const family of ['standards.ts', 'approvals.ts', 'notifications.ts']) expect(modules).toContain(family);
    expect(events.length).toBeGreaterThanOrEqual(10);

    const missing: string[] = [];
    for (const { definition } of events) {
      const channel = document!
        .channels()
        .all()
        .find((c) => c.address() === definition.topic);
      const message = channel
        ?.messages()
        .all()
        .find((m) => m.name() === definition.type);
      if (!message) {
        missing.push(`${definition.type} on ${definition.topic}`);
        continue;
      }
      const json = message.json() as { 'x-proto-message'?: string; headers?: { properties?: Record<string, { const?: string }> } };
      expect(json['x-proto-message'], definition.type).toBe(definition.schema.replace(/^urn:proto:/, ''));
      expect(json.headers?.properties?.['ce_type']?.const, definition.type).toBe(definition.type);
      expect(json.headers?.properties?.['ce_dataschema']?.const, definition.type).toBe(definition.schema);
      expect(message.payload()?.type(), definition.type).toBe('object');
      // Every operation that sends on the channel lists the message.
      expect(
        document!
          .operations()
          .all()
          .some(
            (o) =>
              o.action() === 'send' &&
              o
                .messages()
                .all()
                .some((m) => m.name() === definition.type),
          ),
        definition.type,
      ).toBe(true);
    }
    expect(missing, 'event types missing from proto/asyncapi.yaml (run npm run asyncapi)').toEqual([]);
  }, 30_000);

  it('describes the data of a floor-breached notice field by field, with the re-file deadline', () => {
    const { document } = parsed;
    const message = document!
      .messages()
      .all()
      .find((m) => m.name() === 'bps.standard.floor.breached');
    const properties = message!.payload()!.properties() ?? {};
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining(['provinceCode', 'itemCode', 'releaseId', 'refileDeadline', 'requiredValue', 'actualValue']),
    );
    expect(Object.keys(properties['refileDeadline']!.properties() ?? {})).toEqual(['year', 'month', 'day']);
  });
});

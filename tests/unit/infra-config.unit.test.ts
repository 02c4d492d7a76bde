// The Docker Compose stack and the local stack must register the same Temporal search attributes and ports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kafkaSecurityProperties } from '../../infra/local/kafka';
import { settings, temporalSearchAttributes } from '../../infra/local/settings';

describe('infra configuration', () => {
  const compose = readFileSync(new URL('../../infra/compose.yaml', import.meta.url), 'utf8');

  it('compose.yaml registers exactly the search attributes the local dev server does', () => {
    const inCompose = [...compose.matchAll(/- (Bps\w+)=(\w+)/g)].map((m) => `${m[1]}=${m[2]}`).sort();
    const local = Object.entries(temporalSearchAttributes)
      .map(([k, v]) => `${k}=${v}`)
      .sort();
    expect(inCompose).toEqual(local);
  });

  it('uses the same port variables and defaults', () => {
    const s = settings();
    expect(compose).toContain(`\${BPS_KAFKA_PORT:-${s.kafka.port}}`);
    expect(compose).toContain(`\${BPS_MONGO_PORT:-${s.mongo.port}}`);
    expect(compose).toContain(`\${BPS_TEMPORAL_PORT:-${s.temporal.port}}`);
  });

  it("runs the Compose broker with the local broker's security settings (SASL/SCRAM, PLAIN controller, StandardAuthorizer, no anonymous access)", () => {
    const env = (parse(compose) as { services: { kafka: { environment: Record<string, string> } } }).services.kafka.environment;
    // The apache/kafka image maps KAFKA_<NAME> to a property: "___" -> "-", "_" -> ".".
    const imageEnvName = (key: string): string => `KAFKA_${key.replace(/-/g, '___').replace(/\./g, '_').toUpperCase()}`;
    const password = '${BPS_KAFKA_ADMIN_PASSWORD:?run npm run infra -- compose-env and pass its --env-file}';
    for (const line of kafkaSecurityProperties('admin', password)) {
      const at = line.indexOf('=');
      const [key, value] = [line.slice(0, at), line.slice(at + 1)];
      // Inter-broker traffic runs on the container's internal BROKER listener, which authenticates like the
      // controller (PLAIN admin): the CLIENT listener is advertised with the host's address (infra/containers/images.ts).
      const expected = key === 'sasl.mechanism.inter.broker.protocol' ? 'PLAIN' : value;
      expect(String(env[imageEnvName(key)]), key).toBe(expected);
    }
    expect(env['KAFKA_LISTENER_SECURITY_PROTOCOL_MAP']).toBe('CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT');
    expect(compose).not.toMatch(/PLAINTEXT:PLAINTEXT|:PLAINTEXT[,\s]/);
  });

  it('rejects a port that is not a port', () => {
    process.env['BPS_KAFKA_PORT'] = 'ninety';
    try {
      expect(() => settings()).toThrow(/BPS_KAFKA_PORT must be a TCP port/);
    } finally {
      delete process.env['BPS_KAFKA_PORT'];
    }
  });
});

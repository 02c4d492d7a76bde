// The Docker Compose stack and the local stack must register the same Temporal search attributes and ports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settings, temporalSearchAttributes } from '../../infra/local/settings';

describe('infra configuration', () => {
  const compose = readFileSync(new URL('../../infra/compose.yaml', import.meta.url), 'utf8');

  it('compose.yaml registers exactly the search attributes the local dev server does', () => {
    const inCompose = [...compose.matchAll(/- (Bps\w+)=(\w+)/g)].map((m) => `${m[1]}=${m[2]}`).sort();
    const local = Object.entries(temporalSearchAttributes).map(([k, v]) => `${k}=${v}`).sort();
    expect(inCompose).toEqual(local);
  });

  it('uses the same port variables and defaults', () => {
    const s = settings();
    expect(compose).toContain(`\${BPS_KAFKA_PORT:-${s.kafka.port}}`);
    expect(compose).toContain(`\${BPS_MONGO_PORT:-${s.mongo.port}}`);
    expect(compose).toContain(`\${BPS_TEMPORAL_PORT:-${s.temporal.port}}`);
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

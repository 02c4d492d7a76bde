import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, configSchema, DEV_JWT_SECRET, loadConfig, port } from '../../services/shared/config/config';

describe('config loader', () => {
  const schema = configSchema({ REGISTRY_GRPC_PORT: port.default(50051) });

  it('applies defaults and coerces types', () => {
    const config = loadConfig(schema, {});
    expect(config.REGISTRY_GRPC_PORT).toBe(50051);
    expect(config.BPS_KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(loadConfig(schema, { REGISTRY_GRPC_PORT: '6000' }).REGISTRY_GRPC_PORT).toBe(6000);
  });

  it('fails fast listing every problem', () => {
    try {
      loadConfig(schema, { REGISTRY_GRPC_PORT: 'abc', MONGODB_URI: 'http://x', BPS_JWT_SECRET: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('REGISTRY_GRPC_PORT');
      expect(problems).toContain('MONGODB_URI: must be a mongodb:// URI');
      expect(problems).toContain('BPS_JWT_SECRET: must be at least 32 characters');
    }
  });

  it('refuses the public development secret in production', () => {
    expect(() => loadConfig(schema, { BPS_ENV: 'production' })).toThrow(/BPS_JWT_SECRET: must be set in production/);
    expect(loadConfig(schema, { BPS_ENV: 'production', BPS_JWT_SECRET: 'x'.repeat(40) }).BPS_JWT_SECRET).not.toBe(DEV_JWT_SECRET);
    expect(z.string().parse('ok')).toBe('ok');
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, configSchema, loadConfig, port } from '../../services/shared/config/config';

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
      loadConfig(schema, { REGISTRY_GRPC_PORT: 'abc', MONGODB_URI: 'http://x', BPS_JWT_JWKS: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('REGISTRY_GRPC_PORT');
      expect(problems).toContain('MONGODB_URI: must be a mongodb:// URI');
      expect(problems).toContain('BPS_JWT_JWKS: must hold public keys only');
    }
  });

  it('is production unless told otherwise: a service lists every key it lacks', () => {
    const registry = configSchema({}, 'registry');
    expect(
      loadConfig(registry, {
        BPS_JWT_JWKS: jwks,
        BPS_JWT_ISSUER: 'i',
        BPS_DIRECTORY_FILE: '/x.json',
        BPS_KAFKA_USERNAME: 'u',
        BPS_KAFKA_PASSWORD: 'p',
        BPS_DECISION_PUBLIC_JWKS: jwks,
        ...productionTls,
      }).BPS_ENV,
    ).toBe('production');
    try {
      loadConfig(registry, {});
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const key of [
        'BPS_JWT_JWKS or BPS_JWT_JWKS_URL',
        'BPS_JWT_ISSUER',
        'BPS_DIRECTORY_FILE',
        'BPS_KAFKA_USERNAME',
        'BPS_KAFKA_PASSWORD',
        'BPS_DECISION_PUBLIC_JWKS',
      ])
        expect(problems).toContain(`${key}: must be set`);
      expect(problems).not.toContain('AUDIT_SIGNING_KEY');
    }
    const audit = configSchema({ AUDIT_SIGNING_KEY: z.string().optional() }, 'audit');
    expect(() => loadConfig(audit, {})).toThrow(/AUDIT_SIGNING_KEY: must be set in production/);
    expect(() => loadConfig(configSchema({}, 'approvals'), {})).toThrow(/BPS_TEMPORAL_PAYLOAD_KEY[\s\S]*BPS_DECISION_SIGNING_JWK/);
    expect(() => loadConfig(configSchema({}, 'proposals'), {})).toThrow(/BPS_SERVICE_TOKEN_URL: must be set in production/);
  });

  it('refuses a development signing key in production; development needs the issuer, Kafka principal and decision keys, not the directory', () => {
    expect(() => loadConfig(configSchema({}, 'cli'), { BPS_JWT_SIGNING_JWK: '{}' })).toThrow(/BPS_JWT_SIGNING_JWK: must not be set in production/);
    expect(loadConfig(configSchema({}, 'cli'), {}).BPS_ENV).toBe('production');
    const devEnv = {
      BPS_ENV: 'development',
      BPS_JWT_JWKS: jwks,
      BPS_JWT_ISSUER: 'i',
      BPS_KAFKA_USERNAME: 'registry',
      BPS_KAFKA_PASSWORD: 'p',
      BPS_DECISION_PUBLIC_JWKS: jwks,
    };
    const dev = loadConfig(configSchema({}, 'registry'), devEnv);
    expect(dev.BPS_DIRECTORY_FILE).toBeUndefined();
    expect(() => loadConfig(configSchema({}, 'registry'), { BPS_ENV: 'development' })).toThrow(/BPS_JWT_JWKS or BPS_JWT_JWKS_URL: must be set/);
    // Even in development nothing connects anonymously to Kafka or applies unverified decisions.
    expect(() => loadConfig(configSchema({}, 'registry'), { ...devEnv, BPS_KAFKA_USERNAME: undefined })).toThrow(/BPS_KAFKA_USERNAME: must be set/);
    expect(() => loadConfig(configSchema({}, 'registry'), { ...devEnv, BPS_DECISION_PUBLIC_JWKS: undefined })).toThrow(/BPS_DECISION_PUBLIC_JWKS: must be set/);
  });

  it('production refuses plaintext: each TLS setting it lacks is named, at start', () => {
    const keys = { BPS_JWT_JWKS: jwks, BPS_JWT_ISSUER: 'i', BPS_DIRECTORY_FILE: '/x.json', BPS_KAFKA_USERNAME: 'u', BPS_KAFKA_PASSWORD: 'p' };
    const problemsOf = (schema: ReturnType<typeof configSchema>, env: Record<string, string>): string => {
      try {
        loadConfig(schema, env);
        return '';
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
    };
    const approvals = configSchema({}, 'approvals');
    const approvalsEnv = { ...keys, BPS_TEMPORAL_PAYLOAD_KEY: 'A'.repeat(43) + '=', BPS_DECISION_SIGNING_JWK: '{}' };
    const missing = problemsOf(approvals, approvalsEnv);
    for (const key of [
      'BPS_GRPC_TLS_CA',
      'BPS_GRPC_TLS_CERT',
      'BPS_GRPC_TLS_KEY',
      'BPS_KAFKA_TLS_CA',
      'BPS_MONGODB_TLS_CA',
      'BPS_TEMPORAL_TLS_CERT',
      'BPS_TEMPORAL_TLS_KEY',
    ])
      expect(missing).toContain(`${key}: must be set in production`);
    const temporalTls = { BPS_TEMPORAL_TLS_CERT: '/t/cert.pem', BPS_TEMPORAL_TLS_KEY: '/t/key.pem' };
    expect(problemsOf(approvals, { ...approvalsEnv, ...productionTls, ...temporalTls })).toBe('');
    // TLS to MongoDB: the CA variable, tls=true in the URI, or a mongodb+srv:// address (TLS unless tls=false).
    const mongo = (env: Record<string, string>) => problemsOf(approvals, { ...approvalsEnv, ...productionTls, ...temporalTls, ...env });
    expect(mongo({ MONGODB_URI: 'mongodb://db.example:27017/' })).toContain('BPS_MONGODB_TLS_CA: must be set in production');
    expect(mongo({ MONGODB_URI: 'mongodb://db.example:27017/', BPS_MONGODB_TLS_CA: '/m/ca.pem' })).toBe('');
    expect(mongo({ MONGODB_URI: 'mongodb+srv://cluster.example/' })).toBe('');
    expect(mongo({ MONGODB_URI: 'mongodb+srv://cluster.example/?tls=false' })).toContain('BPS_MONGODB_TLS_CA: must be set in production');
    // The gateway serves no gRPC but calls every service: it needs the gRPC TLS files, not Kafka's or MongoDB's.
    const gateway = problemsOf(configSchema({}, 'gateway'), { BPS_JWT_JWKS: jwks, BPS_JWT_ISSUER: 'i', BPS_DIRECTORY_FILE: '/x.json' });
    expect(gateway).toContain('BPS_GRPC_TLS_CERT: must be set in production');
    expect(gateway).not.toContain('BPS_KAFKA_TLS_CA');
    // Development stays plaintext; half a TLS setting is refused everywhere.
    const dev = { ...keys, BPS_ENV: 'development', BPS_DECISION_PUBLIC_JWKS: jwks };
    expect(problemsOf(configSchema({}, 'registry'), dev)).toBe('');
    expect(problemsOf(configSchema({}, 'registry'), { ...dev, BPS_GRPC_TLS_CERT: '/c.pem' })).toMatch(
      /BPS_GRPC_TLS_CA: must be set with BPS_GRPC_TLS_CERT[\s\S]*BPS_GRPC_TLS_KEY: must be set with BPS_GRPC_TLS_CERT/,
    );
    expect(problemsOf(configSchema({}, 'registry'), { ...dev, BPS_KAFKA_TLS_KEY: '/k.pem' })).toContain(
      'BPS_KAFKA_TLS_CERT: must be set with BPS_KAFKA_TLS_KEY',
    );
  });

  it('binds development to loopback only', () => {
    const gateway = configSchema({ GATEWAY_HTTP_HOST: z.string().default('127.0.0.1') }, 'gateway');
    const base = { BPS_JWT_JWKS: jwks, BPS_JWT_ISSUER: 'i' };
    expect(() => loadConfig(gateway, { ...base, BPS_ENV: 'development', GATEWAY_HTTP_HOST: '0.0.0.0' })).toThrow(
      /GATEWAY_HTTP_HOST: must be a loopback address in development mode/,
    );
    expect(loadConfig(gateway, { ...base, BPS_ENV: 'development', GATEWAY_HTTP_HOST: '::1' }).GATEWAY_HTTP_HOST).toBe('::1');
    expect(loadConfig(gateway, { ...base, ...productionTls, BPS_DIRECTORY_FILE: '/x.json', GATEWAY_HTTP_HOST: '0.0.0.0' }).GATEWAY_HTTP_HOST).toBe('0.0.0.0');
    // gRPC servers bind where BPS_GRPC_HOST says: loopback in development, 0.0.0.0 in a pod.
    const registry = configSchema({}, 'registry');
    const registryDev = { ...base, BPS_ENV: 'development', BPS_KAFKA_USERNAME: 'u', BPS_KAFKA_PASSWORD: 'p', BPS_DECISION_PUBLIC_JWKS: jwks };
    expect(loadConfig(registry, registryDev).BPS_GRPC_HOST).toBe('127.0.0.1');
    expect(() => loadConfig(registry, { ...registryDev, BPS_GRPC_HOST: '0.0.0.0' })).toThrow(/BPS_GRPC_HOST: must be a loopback address in development mode/);
    const inPod = { ...registryDev, ...productionTls, BPS_ENV: 'production', BPS_DIRECTORY_FILE: '/x.json', BPS_GRPC_HOST: '0.0.0.0' };
    expect(loadConfig(registry, inPod).BPS_GRPC_HOST).toBe('0.0.0.0');
    expect(z.string().parse('ok')).toBe('ok');
  });
});

/** What production requires to refuse plaintext (issue #20): gRPC mTLS files, the Kafka CA, TLS to MongoDB. */
const productionTls = {
  BPS_GRPC_TLS_CA: '/tls/ca.pem',
  BPS_GRPC_TLS_CERT: '/tls/cert.pem',
  BPS_GRPC_TLS_KEY: '/tls/key.pem',
  BPS_KAFKA_TLS_CA: '/kafka/ca.pem',
  MONGODB_URI: 'mongodb://db.example:27017/?tls=true',
};

const jwks = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }] });

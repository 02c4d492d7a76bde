// TLS settings → client options (issue #20): the BPS_GRPC_TLS_* files become gRPC material (production without
// them is refused), BPS_KAFKA_TLS_* become kafkajs's `ssl` (SCRAM kept: SASL_SSL), BPS_MONGODB_TLS_* become the
// driver's tls options in the URI every service connects with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, kafkaCredentials } from '../../services/shared/config/config';
import { grpcTlsFromConfig } from '../../services/shared/grpc/tls';
import { kafkaSsl } from '../../services/shared/kafka/kafka';
import { mongoUriFromConfig } from '../../services/shared/mongo/mongo';
import { testCa, writeTls } from '../support/tls';

describe('TLS settings', () => {
  let dir: string;
  let files: ReturnType<typeof writeTls>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bps-tls-unit-'));
    const ca = await testCa();
    files = writeTls(dir, ca, await ca.issue('registry'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const problems = (f: () => unknown): string => {
    try {
      f();
      return '';
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.join('\n');
    }
  };

  it('gRPC: reads the CA, certificate and key; none set is plaintext outside production and refused in it', () => {
    const tls = grpcTlsFromConfig({ BPS_ENV: 'production', BPS_GRPC_TLS_CA: files.ca, BPS_GRPC_TLS_CERT: files.cert, BPS_GRPC_TLS_KEY: files.key });
    expect(tls?.ca.toString()).toContain('BEGIN CERTIFICATE');
    expect(tls?.key.toString()).toContain('BEGIN PRIVATE KEY');
    expect(tls?.serverName).toBeUndefined();
    expect(
      grpcTlsFromConfig({ BPS_GRPC_TLS_CA: files.ca, BPS_GRPC_TLS_CERT: files.cert, BPS_GRPC_TLS_KEY: files.key, BPS_GRPC_TLS_SERVER_NAME: 'registry.bps' })
        ?.serverName,
    ).toBe('registry.bps');
    expect(grpcTlsFromConfig({ BPS_ENV: 'development' })).toBeUndefined();
    const refused = problems(() => grpcTlsFromConfig({ BPS_ENV: 'production' }));
    for (const key of ['BPS_GRPC_TLS_CA', 'BPS_GRPC_TLS_CERT', 'BPS_GRPC_TLS_KEY']) expect(refused).toContain(`${key}: must be set in production`);
    expect(problems(() => grpcTlsFromConfig({ BPS_ENV: 'development', BPS_GRPC_TLS_CA: files.ca }))).toContain(
      'BPS_GRPC_TLS_KEY: must be set with BPS_GRPC_TLS_CA',
    );
    expect(
      problems(() => grpcTlsFromConfig({ BPS_GRPC_TLS_CA: files.ca, BPS_GRPC_TLS_CERT: join(dir, 'missing.pem'), BPS_GRPC_TLS_KEY: files.key })),
    ).toContain(`BPS_GRPC_TLS_CERT: cannot read ${join(dir, 'missing.pem')}`);
  });

  it('Kafka: the CA (and client certificate) become kafkajs ssl options next to SCRAM', () => {
    const plain = kafkaCredentials({ BPS_KAFKA_USERNAME: 'registry', BPS_KAFKA_PASSWORD: 'p' });
    expect(plain.tls).toBeUndefined();
    expect(kafkaSsl(plain.tls)).toBeUndefined();
    const serverOnly = kafkaCredentials({ BPS_KAFKA_USERNAME: 'registry', BPS_KAFKA_PASSWORD: 'p', BPS_KAFKA_TLS_CA: files.ca });
    expect(serverOnly).toMatchObject({ username: 'registry', password: 'p' });
    const ssl = kafkaSsl(serverOnly.tls);
    expect(ssl?.rejectUnauthorized).toBe(true);
    expect(ssl?.ca.map(String)).toEqual([serverOnly.tls!.ca.toString()]);
    expect(ssl?.cert).toBeUndefined();
    const mutual = kafkaCredentials({
      BPS_KAFKA_USERNAME: 'registry',
      BPS_KAFKA_PASSWORD: 'p',
      BPS_KAFKA_TLS_CA: files.ca,
      BPS_KAFKA_TLS_CERT: files.cert,
      BPS_KAFKA_TLS_KEY: files.key,
    });
    expect(kafkaSsl(mutual.tls)?.cert?.toString()).toContain('BEGIN CERTIFICATE');
    expect(kafkaSsl(mutual.tls)?.key?.toString()).toContain('BEGIN PRIVATE KEY');
    expect(problems(() => kafkaCredentials({ BPS_KAFKA_USERNAME: 'u', BPS_KAFKA_PASSWORD: 'p', BPS_KAFKA_TLS_CERT: files.cert }))).toMatch(
      /BPS_KAFKA_TLS_CERT, BPS_KAFKA_TLS_KEY: go together[\s\S]*BPS_KAFKA_TLS_CA: required with a client certificate/,
    );
  });

  it('MongoDB: the CA and the combined certificate-key file become the driver tls options', () => {
    expect(mongoUriFromConfig({ MONGODB_URI: 'mongodb://127.0.0.1:27017/' })).toBe('mongodb://127.0.0.1:27017/');
    const uri = mongoUriFromConfig({ MONGODB_URI: 'mongodb://db.example:27017', BPS_MONGODB_TLS_CA: files.ca, BPS_MONGODB_TLS_CERT_KEY: files.certKey });
    const options = new MongoClient(uri).options;
    expect(options.tls).toBe(true);
    expect(options.tlsCAFile).toBe(files.ca);
    expect(options.tlsCertificateKeyFile).toBe(files.certKey);
    const kept = new MongoClient(
      mongoUriFromConfig({ MONGODB_URI: 'mongodb://u:p@a.example,b.example/bps?replicaSet=rs0&authSource=admin', BPS_MONGODB_TLS_CA: '/ca dir/ca+1.pem' }),
    ).options;
    expect(kept).toMatchObject({ replicaSet: 'rs0', tls: true, tlsCAFile: '/ca dir/ca+1.pem', dbName: 'bps' });
    expect(kept.hosts.map(String)).toEqual(['a.example:27017', 'b.example:27017']);
  });
});

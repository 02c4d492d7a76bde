// The gRPC bootstrap: tokens are required, the identity reaches the handler, errors carry google.rpc details,
// and health + reflection answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { IdentityServiceClient } from '../../proto/gen/bps/identity/v1/identity';
import { startGrpcServer, type GrpcServer } from '../../services/shared/grpc/server';
import { decodeStatus } from '../../services/shared/grpc/status';
import { unary } from '../../services/shared/grpc/client';
import { TokenService } from '../../services/shared/auth/identity';
import { personas } from '../../services/shared/auth/personas';
import { testLogger } from '../support/stack';
import { testJwtSecret } from '../support/names';

const require = createRequire(import.meta.url);

describe('gRPC server bootstrap', () => {
  const tokens = new TokenService(testJwtSecret, 'bps-platform');
  let server: GrpcServer;
  let address: string;

  beforeAll(async () => {
    server = await startGrpcServer({ serviceName: 'test', port: 0, services: [], tokens, logger: testLogger });
    address = `127.0.0.1:${server.port}`;
  });
  afterAll(async () => server.shutdown());

  it('refuses a call without a token, and one with a forged token', async () => {
    const client = new IdentityServiceClient(address, grpc.credentials.createInsecure());
    const noToken = await unary(client.whoAmI.bind(client), {}).catch((e: grpc.ServiceError) => e);
    expect((noToken as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(decodeStatus(noToken as grpc.ServiceError).reason).toBe('UNAUTHENTICATED');
    const forged = await new TokenService('another-secret-that-is-long-enough-000000', 'bps-platform').mint(personas['mof-approver']);
    const refused = await unary(client.whoAmI.bind(client), {}, forged).catch((e: grpc.ServiceError) => e);
    expect((refused as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    client.close();
  });

  it('hands the verified identity to the handler', async () => {
    const client = new IdentityServiceClient(address, grpc.credentials.createInsecure());
    const token = await tokens.mint(personas['nhc-staff']);
    const response = await unary(client.whoAmI.bind(client), {}, token);
    expect(response.actor).toEqual({ subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] });
    expect(response.service).toBe('test');
    client.close();
  });

  it('answers the standard health check and server reflection without a token', async () => {
    const healthProto = protoLoader.loadSync(require.resolve('grpc-health-check/proto/health/v1/health.proto'), { enums: String });
    const health = grpc.loadPackageDefinition(healthProto) as any;
    const healthClient = new health.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
    const overall = await new Promise<any>((resolve, reject) => healthClient.check({ service: '' }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))));
    expect(overall.status).toBe('SERVING');
    const identity = await new Promise<any>((resolve, reject) => healthClient.check({ service: 'bps.identity.v1.IdentityService' }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))));
    expect(identity.status).toBe('SERVING');
    healthClient.close();

    const reflectionProto = protoLoader.loadSync(require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'));
    const reflection = grpc.loadPackageDefinition(reflectionProto) as any;
    const reflectionClient = new reflection.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
    const services = await new Promise<string[]>((resolve, reject) => {
      const call = reflectionClient.ServerReflectionInfo();
      call.on('data', (r: any) => { resolve(r.listServicesResponse.service.map((s: { name: string }) => s.name)); call.end(); });
      call.on('error', reject);
      call.write({ listServices: '*' });
    });
    expect(services).toContain('bps.identity.v1.IdentityService');
    reflectionClient.close();
  });
});

// The gRPC bootstrap: tokens are required (from the one issuer, within the directory), the identity reaches the
// handler, errors carry google.rpc details, and health + reflection answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { IdentityServiceClient } from '../../proto/gen/bps/identity/v1/identity';
import { ServerReflectionClient, type ServerReflectionResponse } from '../../proto/gen/grpc/reflection/v1/reflection';
import { startGrpcServer, type GrpcServer } from '../../services/shared/grpc/server';
import { decodeStatus } from '../../services/shared/grpc/status';
import { unary } from '../../services/shared/grpc/client';
import { DevIssuer } from '../../services/shared/auth/dev-issuer';
import { personas } from '../../services/shared/auth/personas';
import { testLogger } from '../support/stack';
import { generatedIssuer, issuerOf, testIssuer, testVerifier, tokenFor } from '../support/identity';
import { refused } from '../support/grpc';

const require = createRequire(import.meta.url);

describe('gRPC server bootstrap', () => {
  const tokens = testVerifier();
  let server: GrpcServer;
  let address: string;

  beforeAll(async () => {
    server = await startGrpcServer({ serviceName: 'test', port: 0, services: [], tokens, logger: testLogger });
    address = `127.0.0.1:${server.port}`;
  });
  afterAll(async () => server.shutdown());

  it('refuses a call without a token, and one with a forged token', async () => {
    const client = new IdentityServiceClient(address, grpc.credentials.createInsecure());
    const noToken = await refused(unary(client.whoAmI.bind(client), {}));
    expect((noToken as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(decodeStatus(noToken as grpc.ServiceError).reason).toBe('UNAUTHENTICATED');
    const forged = await issuerOf(generatedIssuer(testIssuer.options.issuer)).mint(personas['mof-approver']);
    const denied = await refused(unary(client.whoAmI.bind(client), {}, forged));
    expect((denied as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    client.close();
  });

  it('refuses a token from the real issuer claiming an organisation and roles its subject does not hold', async () => {
    const client = new IdentityServiceClient(address, grpc.credentials.createInsecure());
    // NHC staff claiming MOF with approver and operator roles, signed by the trusted issuer itself (issue #13).
    const overreach = await testIssuer.mint({ ...personas['nhc-staff'], organisation: 'MOF', roles: ['ministry-staff', 'approver', 'operator'] });
    const denied = await refused(unary(client.whoAmI.bind(client), {}, overreach));
    expect((denied as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((denied as grpc.ServiceError).details).toMatch(/organisation MOF/);
    const rolesOnly = await testIssuer.mint({ ...personas['nhc-staff'], roles: ['ministry-staff', 'operator'] });
    expect(((await refused(unary(client.whoAmI.bind(client), {}, rolesOnly))) as grpc.ServiceError).details).toMatch(/role\(s\) operator/);
    const stranger = await testIssuer.mint({ subject: 'nobody.known', name: 'x', organisation: 'BPS', roles: [] });
    expect(((await refused(unary(client.whoAmI.bind(client), {}, stranger))) as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(testIssuer).toBeInstanceOf(DevIssuer);
    client.close();
  });

  it('hands the verified identity to the handler', async () => {
    const client = new IdentityServiceClient(address, grpc.credentials.createInsecure());
    const token = await tokenFor('nhc-staff');
    const response = await unary(client.whoAmI.bind(client), {}, token);
    expect(response.actor).toEqual({ subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] });
    expect(response.service).toBe('test');
    client.close();
  });

  it('answers the standard health check and server reflection without a token', async () => {
    const healthProto = protoLoader.loadSync(require.resolve('grpc-health-check/proto/health/v1/health.proto'), { enums: String });
    const health = grpc.loadPackageDefinition(healthProto) as any;
    const healthClient = new health.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
    const overall = await new Promise<any>((resolve, reject) =>
      healthClient.check({ service: '' }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))),
    );
    expect(overall.status).toBe('SERVING');
    const identity = await new Promise<any>((resolve, reject) =>
      healthClient.check({ service: 'bps.identity.v1.IdentityService' }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))),
    );
    expect(identity.status).toBe('SERVING');
    healthClient.close();

    const reflectionClient = new ServerReflectionClient(address, grpc.credentials.createInsecure());
    const services = await new Promise<string[]>((resolve, reject) => {
      const call = reflectionClient.serverReflectionInfo();
      call.on('data', (r: ServerReflectionResponse) => {
        resolve(r.messageResponse?.$case === 'listServicesResponse' ? r.messageResponse.listServicesResponse.service.map((s) => s.name) : []);
        call.end();
      });
      call.on('error', reject);
      call.write({ host: '', messageRequest: { $case: 'listServices', listServices: '*' } });
    });
    expect(services).toContain('bps.identity.v1.IdentityService');
    reflectionClient.close();
  });
});

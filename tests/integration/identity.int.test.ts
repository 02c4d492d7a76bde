// Real identities over the real services (issue #13): a token from the trusted issuer that claims an organisation
// or roles its subject does not hold is refused by a gRPC service and by the gateway; a persona token works; a
// token without exp is refused; the gateway publishes the issuer's public keys; persona sign-in exists only with
// the development issuer and never in production; development binds to loopback only.
import * as grpc from '@grpc/grpc-js';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import { startGateway } from '../../services/gateway/app';
import { JwtVerifier } from '../../services/shared/auth/identity';
import { personas } from '../../services/shared/auth/personas';
import { unary } from '../../services/shared/grpc/client';
import { seededDirectory } from '../../services/shared/auth/directory';
import { testIssuer, tokenFor, tokenIssuer } from '../support/identity';
import { testLogger } from '../support/stack';
import { CLOSED_ADDRESS, startTestPlatform, type TestPlatform } from './gateway-platform';
import { refused } from '../support/grpc';

const closed = {
  registry: CLOSED_ADDRESS,
  proposals: CLOSED_ADDRESS,
  approvals: CLOSED_ADDRESS,
  notifications: CLOSED_ADDRESS,
  audit: CLOSED_ADDRESS,
  programme: CLOSED_ADDRESS,
};

describe('real identities', () => {
  let p: TestPlatform;
  let registry: StandardRegistryClient;
  // NHC staff claiming MOF with approver and operator roles, signed by the trusted issuer itself.
  let overreach: string;
  const api = (path: string, token: string) => fetch(`${p.gateway.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const listItems = (token: string) =>
    unary(registry.listItems.bind(registry), { asOf: undefined, fieldCode: 'F17-HEA', categoryCode: '', provinceCode: '' }, token);

  beforeAll(async () => {
    p = await startTestPlatform('ident');
    registry = new StandardRegistryClient(p.addresses['REGISTRY_GRPC_ADDRESS'] ?? '', grpc.credentials.createInsecure());
    overreach = await testIssuer.mint({ ...personas['nhc-staff'], organisation: 'MOF', roles: ['ministry-staff', 'approver', 'operator'] });
  });
  afterAll(async () => {
    registry?.close();
    await p?.stop();
  });

  it('a gRPC service refuses a token claiming another organisation and roles; a persona token works', async () => {
    const denied = await refused(listItems(overreach));
    expect((denied as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((denied as grpc.ServiceError).details).toContain('claims organisation MOF');
    const ok = await listItems(await tokenFor('nhc-staff'));
    expect(ok.items.length).toBeGreaterThan(0);
  });

  it('the gateway refuses the same token (401) and accepts the persona token', async () => {
    const denied = await api('/api/v1/inbox', overreach);
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const who = await api('/api/v1/whoami', await tokenFor('mof-approver'));
    expect(await who.json()).toEqual({ ...personas['mof-approver'], roles: ['approver'] });
  });

  it('refuses a token without exp, at the gateway and at a service', async () => {
    const key = await importJWK({ ...(tokenIssuer.privateJwk as JWK), alg: 'EdDSA' }, 'EdDSA');
    const eternal = await new SignJWT({ org: 'NHC', roles: ['ministry-staff'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: tokenIssuer.keyId })
      .setSubject('nhc.staff.li')
      .setIssuer(tokenIssuer.issuer)
      .setAudience(tokenIssuer.audience)
      .setIssuedAt()
      .sign(key);
    expect((await api('/api/v1/whoami', eternal)).status).toBe(401);
    const denied = await refused(listItems(eternal));
    expect((denied as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((denied as grpc.ServiceError).details).toContain('"exp" claim');
  });

  it('publishes the issuer public keys at /.well-known/jwks.json, enough to verify its tokens', async () => {
    const response = await fetch(`${p.gateway.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: tokenIssuer.keyId, alg: 'EdDSA' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const verifier = new JwtVerifier({ issuer: tokenIssuer.issuer, audience: tokenIssuer.audience, jwks: jwks as never, directory: seededDirectory() });
    expect((await verifier.verify(await tokenFor('auditor'))).subject).toBe('audit.he');
  });

  it('persona sign-in exists only with the development issuer, and never in production', async () => {
    await expect(
      startGateway({ port: 0, tokens: p.tokens, devIssuer: testIssuer, logger: testLogger, environment: 'production', backends: closed }),
    ).rejects.toThrow(/refused in production/);
    await expect(
      startGateway({ port: 0, host: '0.0.0.0', tokens: p.tokens, devIssuer: testIssuer, logger: testLogger, environment: 'development', backends: closed }),
    ).rejects.toThrow(/loopback only/);
    for (const environment of ['production', 'test'] as const) {
      const gw = await startGateway({ port: 0, tokens: p.tokens, logger: testLogger, environment, backends: closed });
      try {
        expect(
          (await fetch(`${gw.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"persona":"operator"}' }))
            .status,
        ).toBe(404);
        expect((await fetch(`${gw.url}/api/v1/auth/personas`)).status).toBe(404);
        expect((await fetch(`${gw.url}/signin`)).status).toBe(404);
        expect(
          (
            await fetch(`${gw.url}/signin`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', origin: gw.url },
              body: 'persona=operator',
            })
          ).status,
        ).toBe(404);
        expect((await fetch(`${gw.url}/.well-known/jwks.json`)).status).toBe(404);
      } finally {
        await gw.stop();
      }
    }
  });
});

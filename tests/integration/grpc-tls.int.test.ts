// Mutual TLS between the services (issue #20): with BPS_GRPC_TLS_* material every gRPC server asks for a client
// certificate signed by the platform's CA and every client (gateway → backends and readiness, proposals → registry,
// the CLI) presents one through the one shared credentials function. A call with the right certificate works; no
// client certificate, a certificate from another CA, and a plaintext client are each refused; a client does not
// talk to a server whose certificate another CA signed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import { unary } from '../../services/shared/grpc/client';
import { grpcClientCredentials } from '../../services/shared/grpc/tls';
import { healthProposal } from '../unit/proposals-fixtures';
import { refused } from '../support/grpc';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { grpcTlsOf, testCa, writeTls, type Leaf, type TestCa } from '../support/tls';
import { runBps } from './gateway-cli-run';

describe('gRPC mutual TLS between the services', { timeout: 240_000 }, () => {
  let p: StartedPlatform<'registry' | 'proposals' | 'gateway'>;
  let ca: TestCa;
  let services: Leaf;
  let other: TestCa;
  let stranger: Leaf;
  let dir: string;
  const clients: grpc.Client[] = [];

  const listWith = async (credentials: grpc.ChannelCredentials) => {
    const client = new StandardRegistryClient(p.address('registry'), credentials);
    clients.push(client);
    return unary(
      client.listItems.bind(client),
      { asOf: undefined, fieldCode: 'F17-HEA', categoryCode: '', provinceCode: '' },
      await p.token('nhc-staff'),
      5_000,
    );
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(p.gateway.url + path, {
      method,
      headers: { authorization: `Bearer ${await p.token('nhc-staff')}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  beforeAll(async () => {
    [ca, other] = await Promise.all([testCa('BPS Test CA'), testCa('Someone Else CA')]);
    [services, stranger] = await Promise.all([ca.issue('bps-services'), other.issue('intruder')]);
    p = await startPlatform('tls', { services: ['registry', 'proposals', 'gateway'], grpcTls: grpcTlsOf(ca, services) });
    dir = mkdtempSync(join(tmpdir(), 'bps-tls-'));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await p?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a client presenting a certificate from the platform CA is served', async () => {
    const listed = await listWith(grpcClientCredentials(grpcTlsOf(ca, services)));
    expect(listed.items.length).toBeGreaterThan(0);
  });

  it('refuses a client without a certificate, with a certificate from another CA, or in plaintext', async () => {
    for (const credentials of [
      grpc.credentials.createSsl(Buffer.from(ca.cert)), // TLS, trusts the server, presents nothing
      grpc.credentials.createSsl(Buffer.from(ca.cert), Buffer.from(stranger.key), Buffer.from(stranger.cert)),
      grpc.credentials.createInsecure(),
    ]) {
      const error = await refused(listWith(credentials));
      expect(error.code, error.details).toBe(grpc.status.UNAVAILABLE);
    }
  });

  it('a client does not talk to a server whose certificate another CA signed', async () => {
    const error = await refused(listWith(grpcClientCredentials(grpcTlsOf(other, stranger))));
    expect(error.code, error.details).toBe(grpc.status.UNAVAILABLE);
  });

  it('the gateway reaches its backends over mTLS: API calls and readiness', async () => {
    const items = await api('GET', '/api/v1/standards/items?field=F17-HEA');
    expect(items.status, JSON.stringify(items.json)).toBe(200);
    expect(items.json.items.length).toBeGreaterThan(0);
    const ready = await fetch(`${p.gateway.url}/readyz`).then(async (r) => (await r.json()) as any);
    expect(ready.backends.registry.status).toBe('SERVING');
    expect(ready.backends.proposals.status).toBe('SERVING');
  });

  it('proposals reach the registry over mTLS (drafting checks the items against the registry)', async () => {
    const created = await api('POST', '/api/v1/proposals', { content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-02', baseVersion: 1 })) });
    expect(created.status, JSON.stringify(created.json)).toBeLessThan(300);
    expect(created.json.proposal.proposalId).toBeTruthy();
  });

  it('the CLI calls over mTLS with BPS_GRPC_TLS_* files, and is refused without them', async () => {
    const files = writeTls(join(dir, 'cli'), ca, services);
    const withTls = await runBps(['standards', 'get', 'HEA-02', '--as', 'nhc-staff', '--json'], {
      ...p.addresses,
      BPS_GRPC_TLS_CA: files.ca,
      BPS_GRPC_TLS_CERT: files.cert,
      BPS_GRPC_TLS_KEY: files.key,
    });
    expect(withTls.code, withTls.stderr).toBe(0);
    expect(JSON.parse(withTls.stdout)).toMatchObject({ national: { item: { itemCode: 'HEA-02' } } });
    const plaintext = await runBps(['standards', 'get', 'HEA-02', '--as', 'nhc-staff', '--json'], p.addresses);
    expect(plaintext.code).not.toBe(0);
    expect(plaintext.stderr).toContain('UNAVAILABLE');
  });
});

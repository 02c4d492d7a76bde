// Mutual TLS between the services (issue #20): with BPS_GRPC_TLS_* material every gRPC server asks for a client
// certificate signed by the platform's CA and every client (gateway → backends and readiness, proposals → registry,
// the CLI) presents one through the one shared credentials function. A call with the right certificate works; no
// client certificate, a certificate from another CA, and a plaintext client are each refused; a client does not
// talk to a server whose certificate another CA signed. And a production process with every TLS setting runs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import { HealthCheckResponse_ServingStatus, HealthClient, type HealthListResponse } from '../../proto/gen/grpc/health/v1/health';
import { personas } from '../../services/shared/auth/personas';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { unary } from '../../services/shared/grpc/client';
import { grpcClientCredentials } from '../../services/shared/grpc/tls';
import { healthProposal } from '../unit/proposals-fixtures';
import { decisionVerifyingDeps } from '../support/decisions';
import { refused } from '../support/grpc';
import { identityEnv, tokenFor } from '../support/identity';
import { kafkaCredentials } from '../support/kafka';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';
import { waitFor } from '../support/wait';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { grpcTlsOf, testCa, writeTls, type Leaf, type TestCa } from '../support/tls';
import { runBps } from './gateway-cli-run';

const root = fileURLToPath(new URL('../..', import.meta.url));

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

  it("the image's health probe (infra/image/health.mjs) checks a TLS server with the BPS_GRPC_TLS_* files", async () => {
    const files = writeTls(join(dir, 'probe'), ca, services);
    const tlsEnv = { BPS_GRPC_TLS_CA: files.ca, BPS_GRPC_TLS_CERT: files.cert, BPS_GRPC_TLS_KEY: files.key };
    const probe = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        execFile(
          process.execPath,
          ['infra/image/health.mjs', 'grpc', p.address('registry'), ...args],
          { cwd: root, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 30_000 },
          (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
        );
      });
    const ok = await probe([], tlsEnv);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain('SERVING');
    // The server name to verify when the address is not on the certificate (a pod probes 127.0.0.1; its certificate names the Service).
    expect((await probe(['localhost'], tlsEnv)).code).toBe(0);
    expect((await probe(['registry.elsewhere.svc'], tlsEnv)).code).toBe(1);
    expect((await probe([], {})).code).toBe(1); // plaintext: refused
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

// The whole production configuration as a process reads it: the registry's main.ts with BPS_ENV=production and every
// TLS setting — mTLS on its gRPC port, SCRAM over TLS to the local broker's SASL_SSL listener, mutual TLS to
// FerretDB's TLS listener — starts, reports its dependencies healthy and serves the catalogue.
const infraTls = (() => {
  const s = stack();
  return s.kafkaTls && s.mongoTls ? { kafka: s.kafkaTls, mongo: s.mongoTls } : undefined;
})();

describe.skipIf(!infraTls)('a production process with every TLS setting', { timeout: 180_000 }, () => {
  let child: ChildProcess | undefined;
  let dir: string;
  let stderr = '';
  const db = uniqueName('tlsprod').replace(/[^a-zA-Z0-9_-]/g, '_');
  const clients: grpc.Client[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const mongo = await connectMongo(stack().mongoUri, db);
    await mongo.db.dropDatabase();
    await mongo.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts, serves over mTLS and reaches Kafka and MongoDB over TLS', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bps-tls-prod-'));
    const ca = await testCa();
    const leaf = await ca.issue('registry');
    const files = writeTls(join(dir, 'grpc'), ca, leaf);
    const directory = join(dir, 'directory.json');
    writeFileSync(directory, JSON.stringify({ people: [personas['nhc-staff']] }));
    const { BPS_JWT_SIGNING_JWK: _devKey, BPS_ENV: _dev, ...issuer } = identityEnv();
    const { username, password } = kafkaCredentials('registry');
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'services/registry/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        BPS_ENV: 'production',
        BPS_LOG_LEVEL: 'warn',
        ...issuer,
        BPS_DIRECTORY_FILE: directory,
        BPS_DECISION_PUBLIC_JWKS: decisionVerifyingDeps().decisionPublicJwks,
        BPS_KAFKA_BROKERS: infraTls!.kafka.brokers,
        BPS_KAFKA_USERNAME: username,
        BPS_KAFKA_PASSWORD: password,
        BPS_KAFKA_TLS_CA: infraTls!.kafka.caFile,
        MONGODB_URI: infraTls!.mongo.uri,
        BPS_MONGODB_TLS_CA: infraTls!.mongo.caFile,
        BPS_MONGODB_TLS_CERT_KEY: infraTls!.mongo.clientCertKeyFile,
        BPS_GRPC_TLS_CA: files.ca,
        BPS_GRPC_TLS_CERT: files.cert,
        BPS_GRPC_TLS_KEY: files.key,
        BPS_TOPIC_NAMESPACE: uniqueName('tlsprod'),
        BPS_HEALTH_CHECK_INTERVAL_MS: '500',
        REGISTRY_DB: db,
        REGISTRY_GRPC_PORT: String(port),
        REGISTRY_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const credentials = grpcClientCredentials(grpcTlsOf(ca, leaf));
    const health = new HealthClient(`127.0.0.1:${port}`, credentials);
    clients.push(health);
    const statuses = await waitFor(
      async () => {
        if (child!.exitCode !== null) throw new Error(`registry exited ${child!.exitCode}: ${stderr}`);
        const listed = await new Promise<HealthListResponse | undefined>((resolve) =>
          health.list({}, new grpc.Metadata(), { deadline: Date.now() + 2_000 }, (error, response) => resolve(error ? undefined : response)),
        );
        const all = Object.fromEntries(Object.entries(listed?.statuses ?? {}).map(([k, v]) => [k, v.status]));
        return all[''] === HealthCheckResponse_ServingStatus.SERVING ? all : undefined;
      },
      'the production registry serving',
      120_000,
      500,
    );
    expect(statuses['dependency/mongodb']).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect(statuses['dependency/kafka']).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const registry = new StandardRegistryClient(`127.0.0.1:${port}`, credentials);
    clients.push(registry);
    const listed = await unary(
      registry.listItems.bind(registry),
      { asOf: undefined, fieldCode: 'F17-HEA', categoryCode: '', provinceCode: '' },
      await tokenFor('nhc-staff'),
      10_000,
    );
    expect(listed.items.length).toBeGreaterThan(0);
    // Plaintext is refused by the production process too.
    const error = await refused(listWithPlaintext(port));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
  });
});

function listWithPlaintext(port: number): Promise<unknown> {
  const client = new StandardRegistryClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return tokenFor('nhc-staff')
    .then((token) => unary(client.listItems.bind(client), { asOf: undefined, fieldCode: '', categoryCode: '', provinceCode: '' }, token, 5_000))
    .finally(() => client.close());
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// A client of a service that runs as two instances (issue #19, "two of everything"): REGISTRY_GRPC_ADDRESS and the
// like take several host:port separated by commas, and the one client factory (services/shared/grpc/client.ts
// serviceClient) dials them with round-robin load balancing. Two real registry instances on one database: calls
// land on both, and when one stops the calls go on succeeding on the other, without an UNAVAILABLE window; over
// mutual TLS every instance is verified against the server name setting.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import { startRegistry, type RunningRegistry } from '../../services/registry/app';
import type { TokenVerifier } from '../../services/shared/auth/identity';
import { serviceClient, unary } from '../../services/shared/grpc/client';
import { grpcClientCredentials } from '../../services/shared/grpc/tls';
import { refused } from '../support/grpc';
import { grpcTlsOf, testCa } from '../support/tls';
import { testVerifier } from '../support/identity';
import { startPlatform, type StartedPlatform } from '../support/platform';

/** A token verifier that counts the calls its instance served (every call presents a token). */
function counting(): TokenVerifier & { calls: number } {
  const base = testVerifier();
  const counter = {
    calls: 0,
    verify: (token: string) => {
      counter.calls += 1;
      return base.verify(token);
    },
    verifyHeader: (value: string | undefined) => {
      counter.calls += 1;
      return base.verifyHeader(value);
    },
  };
  return counter;
}

describe('gRPC clients over several instances of a service', () => {
  const first = counting();
  const second = counting();
  let p: StartedPlatform<'registry'>;
  let other: RunningRegistry | undefined;

  beforeAll(async () => {
    p = await startPlatform('grpc-lb', { services: ['registry'], overrides: { registry: { tokens: first } } });
    other = await startRegistry({ ...p.deps('registry'), grpcPort: 0, tokens: second });
  });
  afterAll(async () => {
    await other?.stop();
    await p?.stop();
  });

  it('spreads calls over both instances, and goes on with the other when one stops', async () => {
    const address = `${p.address('registry')}, 127.0.0.1:${other!.grpcPort}`;
    const client = serviceClient(StandardRegistryClient, address, grpc.credentials.createInsecure());
    const token = await p.token('operator');
    const list = () => unary(client.listItems.bind(client), { asOf: undefined, fieldCode: '', categoryCode: '', provinceCode: '' }, token, 5_000);
    try {
      for (let i = 0; i < 40; i++) await list();
      // Round robin over both connections (the first calls may all go to whichever connected first).
      expect(first.calls).toBeGreaterThanOrEqual(10);
      expect(second.calls).toBeGreaterThanOrEqual(10);

      // One instance stops (a rolling restart): the client keeps calling; within a second or two every call succeeds.
      const stoppedAt = Date.now();
      const stopping = other!.stop();
      other = undefined;
      const failures: string[] = [];
      let lastFailure = stoppedAt;
      const before = first.calls;
      while (Date.now() - stoppedAt < 4_000) {
        try {
          await list();
        } catch (error) {
          failures.push((error as grpc.ServiceError).details ?? String(error));
          lastFailure = Date.now();
        }
      }
      await stopping;
      expect(lastFailure - stoppedAt).toBeLessThan(2_000); // no long UNAVAILABLE window
      expect(failures.length).toBeLessThanOrEqual(2);
      expect(first.calls - before).toBeGreaterThan(20); // the calls went to the instance still up
    } finally {
      client.close();
    }
  });

  it('verifies every instance over mutual TLS against the server name setting (BPS_GRPC_TLS_SERVER_NAME)', async () => {
    // Certificates that name the service, not the addresses dialled (as a Kubernetes Service's would).
    const ca = await testCa('BPS Test CA');
    const leaf = await ca.issue('bps-services', { dns: ['registry.bps.svc'] });
    const a = counting();
    const b = counting();
    const tls = grpcTlsOf(ca, leaf);
    const q = await startPlatform('grpc-lb-tls', { services: ['registry'], grpcTls: tls, overrides: { registry: { tokens: a } } });
    const r = await startRegistry({ ...q.deps('registry'), grpcPort: 0, tokens: b });
    const address = `${q.address('registry')},${`127.0.0.1:${r.grpcPort}`}`;
    const token = await q.token('operator');
    const named = serviceClient(StandardRegistryClient, address, grpcClientCredentials(grpcTlsOf(ca, leaf, 'registry.bps.svc')));
    const unnamed = serviceClient(StandardRegistryClient, address, grpcClientCredentials(tls));
    const request = { asOf: undefined, fieldCode: '', categoryCode: '', provinceCode: '' };
    try {
      for (let i = 0; i < 20; i++) await unary(named.listItems.bind(named), request, token, 5_000);
      expect(a.calls).toBeGreaterThanOrEqual(5);
      expect(b.calls).toBeGreaterThanOrEqual(5);
      // Without the name, the addresses are checked against certificates that do not carry them: refused.
      const error = await refused(unary(unnamed.listItems.bind(unnamed), request, token, 5_000));
      expect(error.code, error.details).toBe(grpc.status.UNAVAILABLE);
    } finally {
      named.close();
      unnamed.close();
      await r.stop();
      await q.stop();
    }
  });
});

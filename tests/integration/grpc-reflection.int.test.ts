// Server reflection that works with the tool operators use (issue #20): the real grpcurl, built from its Go module,
// against every service port of a running platform — `list` names exactly that port's services plus health and
// reflection; `describe` resolves methods and messages with cross-file types (bps.common.v1.Date); a read method is
// called through reflection alone with a bearer token; and health answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcurl, type Grpcurl } from '../support/grpcurl';
import { startTestPlatform, type TestPlatform } from './gateway-platform';
import type { PersonaName } from '../../services/shared/auth/personas';

const always = ['bps.identity.v1.IdentityService', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

type Port = { readonly name: string; readonly services: readonly string[]; readonly read: { method: string; body: object; as: PersonaName; expect: RegExp } };

const ports: readonly Port[] = [
  {
    name: 'registry',
    services: ['bps.registry.v1.StandardRegistry'],
    read: { method: 'bps.registry.v1.StandardRegistry/GetItem', body: { itemCode: 'INS-05' }, as: 'nhc-staff', expect: /"effectiveFrom": \{\s*"year": \d{4}/ },
  },
  {
    name: 'proposals',
    services: ['bps.proposals.v1.Proposals'],
    read: { method: 'bps.proposals.v1.Proposals/ListProposals', body: {}, as: 'nhc-staff', expect: /^\{[\s\S]*\}\s*$/ },
  },
  {
    name: 'approvals',
    services: ['bps.approvals.v1.ApprovalInbox', 'bps.approvals.v1.RevisionCycles'],
    read: { method: 'bps.approvals.v1.RevisionCycles/ListCycles', body: {}, as: 'ndrc-approver', expect: /^\{[\s\S]*\}\s*$/ },
  },
  {
    name: 'notifications',
    services: ['bps.notifications.v1.Subscriptions'],
    read: { method: 'bps.notifications.v1.Subscriptions/ListSubscriptions', body: {}, as: 'statistics-subscriber', expect: /^\{[\s\S]*\}\s*$/ },
  },
  {
    name: 'audit',
    services: ['bps.audit.v1.Audit'],
    read: { method: 'bps.audit.v1.Audit/TraceActor', body: { subject: 'nhc.staff.li' }, as: 'auditor', expect: /^\{[\s\S]*\}\s*$/ },
  },
  {
    name: 'programme',
    services: ['bps.programme.v1.Programme'],
    // The 2027 targets of seed 002, as the public reads them.
    read: { method: 'bps.programme.v1.Programme/GetProgrammeProgress', body: {}, as: 'auditor', expect: /"code": "PILOTS_2027"[\s\S]*"target": 80/ },
  },
];

describe('gRPC reflection through grpcurl, on every service port', () => {
  let platform: TestPlatform;
  let run: Grpcurl;
  const address = (name: string): string => {
    const key = `${name.toUpperCase()}_GRPC_ADDRESS`;
    const value = platform.addresses[key];
    if (!value) throw new Error(`no address for ${name}`);
    return value;
  };

  beforeAll(async () => {
    [run, platform] = await Promise.all([grpcurl(), startTestPlatform('reflect', {}, { full: true, notifications: true, audit: true, programme: true })]);
  }, 900_000);
  afterAll(async () => platform?.stop());

  for (const port of ports) {
    it(`${port.name}: list, describe, a call with a token, and health`, async () => {
      const target = address(port.name);

      const listed = await run(target, 'list');
      expect(listed.stderr).toBe('');
      expect(listed.stdout.trim().split('\n').sort()).toEqual([...port.services, ...always].sort());

      // Every method of every service describes, with its request type resolved across files.
      for (const service of port.services) {
        const described = await run(target, 'describe', service);
        expect(described.stderr).toBe('');
        expect(described.stdout).toMatch(new RegExp(`^${service.replace(/\./g, '\\.')} is a service:`));
        for (const [, input] of described.stdout.matchAll(/rpc \w+ \( (?:stream )?\.([\w.]+) \)/g)) {
          const message = await run(target, 'describe', input!);
          expect(message.stderr, input).toBe('');
          expect(message.stdout, input).toContain(`${input} is a message:`);
        }
      }

      const call = await run(
        '-H',
        `authorization: Bearer ${await platform.token(port.read.as)}`,
        '-d',
        JSON.stringify(port.read.body),
        target,
        port.read.method,
      );
      expect(call.stderr).toBe('');
      expect(call.code).toBe(0);
      expect(call.stdout).toMatch(port.read.expect);

      // Without a token the same call is refused by the service (the call got through reflection to the handler).
      const anonymous = await run('-d', JSON.stringify(port.read.body), target, port.read.method);
      expect(anonymous.stderr).toMatch(/Code: Unauthenticated/);

      const whoAmI = await run('-H', `authorization: Bearer ${await platform.token(port.read.as)}`, target, 'bps.identity.v1.IdentityService/WhoAmI');
      expect(JSON.parse(whoAmI.stdout)).toMatchObject({ service: expect.any(String) });

      const health = await run(target, 'grpc.health.v1.Health/Check');
      expect(JSON.parse(health.stdout)).toEqual({ status: 'SERVING' });
      const serviceHealth = await run('-d', JSON.stringify({ service: port.services[0] }), target, 'grpc.health.v1.Health/Check');
      expect(JSON.parse(serviceHealth.stdout)).toEqual({ status: 'SERVING' });
    }, 120_000);
  }

  it('describes a message holding a bps.common.v1.Date and the Date itself, and refuses what the port does not serve', async () => {
    const target = address('registry');
    const asOf = await run(target, 'describe', 'bps.registry.v1.AsOf');
    expect(asOf.stderr).toBe('');
    expect(asOf.stdout).toMatch(/\.bps\.common\.v1\.Date date = 1;/);
    const date = await run(target, 'describe', '.bps.common.v1.Date');
    expect(date.stderr).toBe('');
    expect(date.stdout).toMatch(/bps\.common\.v1\.Date is a message:[\s\S]*int32 year = 1;/);
    const method = await run(target, 'describe', 'bps.registry.v1.StandardRegistry.GetItem');
    expect(method.stdout).toMatch(/rpc GetItem \( \.bps\.registry\.v1\.GetItemRequest \) returns \( \.bps\.registry\.v1\.GetItemResponse \)/);
    // Another port's service is not in this port's reflection.
    const foreign = await run(target, 'describe', 'bps.proposals.v1.Proposals');
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/not found/i);
    // Health is described too.
    const health = await run(target, 'describe', 'grpc.health.v1.Health');
    expect(health.stdout).toMatch(/rpc Check \( \.grpc\.health\.v1\.HealthCheckRequest \)/);
  }, 60_000);
});

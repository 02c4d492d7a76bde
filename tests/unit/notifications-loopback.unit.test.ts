// Loopback webhook receivers: allowed in development (`npm start`, BPS_ENV=development) so a new user can try a
// webhook on 127.0.0.1/localhost; never in production, not even through NOTIFICATIONS_ALLOWED_HOSTS.
import { describe, expect, it } from 'vitest';
import { addressAllowed, allowListFor, endpointPolicy } from '../../services/notifications/domain/endpoint-policy';

const loopback: readonly [host: string, address: string][] = [
  ['127.0.0.1', '127.0.0.1'],
  ['localhost', '127.0.0.1'],
  ['localhost', '::1'],
  ['[::1]', '::1'],
  ['127.0.0.2', '127.0.0.2'],
];

describe('loopback webhooks by environment', () => {
  it('development allows receivers on 127.0.0.1, localhost and ::1, and still refuses other internal addresses', () => {
    const policy = endpointPolicy(allowListFor('development', []));
    for (const [host, address] of loopback) expect(addressAllowed(policy, host, address), `${host} -> ${address}`).toBe(true);
    for (const address of ['10.0.0.1', '192.168.1.10', '169.254.169.254', 'fe80::1', '::ffff:10.0.0.1'])
      expect(addressAllowed(policy, address, address), address).toBe(false);
    expect(addressAllowed(policy, 'example.org', '93.184.215.14')).toBe(true);
    // What the operator configured is kept.
    expect(allowListFor('development', [' hooks.internal ', ''])).toEqual(['hooks.internal', 'localhost', '127.0.0.0/8', '::1/128']);
  });

  it('production refuses loopback by default', () => {
    const policy = endpointPolicy(allowListFor('production', ['hooks.internal', '10.1.0.0/16']));
    for (const [host, address] of loopback) expect(addressAllowed(policy, host, address), `${host} -> ${address}`).toBe(false);
    expect(addressAllowed(policy, 'hooks.internal', '10.9.9.9')).toBe(true);
    expect(addressAllowed(policy, 'x', '10.1.2.3')).toBe(true);
  });

  it.each(['127.0.0.1', 'localhost', 'LOCALHOST', 'api.localhost', '::1', '[::1]', '127.0.0.0/8', '127.5.0.0/16', '0.0.0.0/0', '::/0', '::ffff:127.0.0.1'])(
    'production does not start with %s on the allow-list',
    (entry) => {
      expect(() => allowListFor('production', ['hooks.internal', entry])).toThrow(/loopback .* never in production/);
    },
  );

  it('production keeps a non-loopback allow-list, and the test environment is left as configured', () => {
    expect(allowListFor('production', ['hooks.internal', '10.1.0.0/16', 'fd00::/8'])).toEqual(['hooks.internal', '10.1.0.0/16', 'fd00::/8']);
    expect(allowListFor('test', ['127.0.0.1'])).toEqual(['127.0.0.1']);
    expect(addressAllowed(endpointPolicy(allowListFor('test', [])), '127.0.0.1', '127.0.0.1')).toBe(false);
  });
});

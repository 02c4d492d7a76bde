// SSRF guard: a webhook endpoint must be http(s) and must not reach loopback, private, link-local or other
// internal addresses, unless the allow-list (config NOTIFICATIONS_ALLOWED_HOSTS) names the host, the address or
// a CIDR containing it. In development the allow-list also holds loopback; in production it never may (allowListFor). Pure: DNS resolution happens in the adapter, which asks `addressAllowed` per address.
import { BlockList, isIP } from 'node:net';
import type { FieldViolation } from '../../shared/errors/errors';

// Separate lists per family: a BlockList holding ::ffff:0:0/96 would match every IPv4 address.
const internalV4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  internalV4.addSubnet(net, prefix, 'ipv4');
const internalV6 = new BlockList();
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  internalV6.addSubnet(net, prefix, 'ipv6');

const mappedRange = new BlockList();
mappedRange.addSubnet('::ffff:0:0', 96, 'ipv6');

/** "::ffff:10.0.0.1" (IPv4-mapped IPv6) -> "10.0.0.1". */
const mappedV4 = (address: string): string | undefined => {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1];
};

export type EndpointPolicy = {
  readonly allowedHosts: ReadonlySet<string>;
  readonly allowedNets: BlockList;
};

/** "127.0.0.1, hooks.internal, 10.1.0.0/16" -> a policy. Throws on an unreadable CIDR. */
export function endpointPolicy(allowList: readonly string[]): EndpointPolicy {
  const allowedHosts = new Set<string>();
  const allowedNets = new BlockList();
  for (const raw of allowList.map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const [net, bits] = raw.split('/');
    if (bits !== undefined && net !== undefined && isIP(net) !== 0) {
      const family = isIP(net) === 4 ? 'ipv4' : 'ipv6';
      allowedNets.addSubnet(net, Number(bits), family);
    } else {
      allowedHosts.add(raw);
    }
  }
  return { allowedHosts, allowedNets };
}

/** Loopback receivers a developer runs on this machine (`npm start`, BPS_ENV=development). */
export const developmentLoopback: readonly string[] = ['localhost', '127.0.0.0/8', '::1/128'];

/** Does an allow-list entry name loopback (a name, an address or a CIDR reaching 127.0.0.0/8 or ::1)? */
function isLoopbackEntry(entry: string): boolean {
  const raw = entry
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (raw === 'localhost' || raw.endsWith('.localhost')) return true;
  const [given = '', bits] = raw.split('/');
  const net = bits === undefined ? (mappedV4(given) ?? given) : given; // ::ffff:127.0.0.1 is 127.0.0.1
  const family = isIP(net);
  if (family === 0) return false;
  const size = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  const list = new BlockList();
  list.addSubnet(net, size, family === 4 ? 'ipv4' : 'ipv6');
  return family === 4 ? list.check('127.0.0.1', 'ipv4') || (size >= 8 && net.startsWith('127.')) : list.check('::1', 'ipv6');
}

/**
 * The allow-list in force. Development (`npm start`) adds loopback so a receiver on 127.0.0.1/localhost can be tried
 * locally; production never reaches loopback: an entry naming it is refused (the service does not start).
 */
export function allowListFor(env: 'development' | 'test' | 'production', configured: readonly string[]): string[] {
  const entries = configured.map((s) => s.trim()).filter(Boolean);
  if (env === 'development') return [...new Set([...entries, ...developmentLoopback])];
  if (env === 'production') {
    const loopback = entries.filter(isLoopbackEntry);
    if (loopback.length > 0) {
      throw new Error(
        `NOTIFICATIONS_ALLOWED_HOSTS: loopback (${loopback.join(', ')}) is allowed in development only (BPS_ENV=development), never in production`,
      );
    }
  }
  return entries;
}

const bare = (host: string): string => host.replace(/^\[|\]$/g, '').toLowerCase();

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: refuse
  if (family === 4) return internalV4.check(address, 'ipv4');
  const v4 = mappedV4(address);
  if (v4 !== undefined) return internalV4.check(v4, 'ipv4');
  // A mapped address in hex notation (::ffff:7f00:1): refuse rather than decode.
  return mappedRange.check(address, 'ipv6') || internalV6.check(address, 'ipv6');
}

/** May a request to `host` go to `address`? Public addresses always; internal ones only when allow-listed. */
export function addressAllowed(policy: EndpointPolicy, host: string, address: string): boolean {
  if (!isInternalAddress(address)) return true;
  if (policy.allowedHosts.has(bare(host)) || policy.allowedHosts.has(address.toLowerCase())) return true;
  const family = isIP(address);
  return family !== 0 && policy.allowedNets.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Syntax checks of an endpoint URL; the address checks follow once the host is resolved. */
export function checkEndpointUrl(value: string, field = 'endpoint_url'): { url?: URL; violations: FieldViolation[] } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { violations: [{ field, description: 'must be an absolute http(s) URL', reason: 'INVALID_URL' }] };
  }
  const violations: FieldViolation[] = [];
  if (url.protocol !== 'https:' && url.protocol !== 'http:') violations.push({ field, description: 'must use http or https', reason: 'INVALID_URL' });
  if (url.username !== '' || url.password !== '') violations.push({ field, description: 'must not carry credentials', reason: 'INVALID_URL' });
  if (url.hash !== '') violations.push({ field, description: 'must not carry a fragment', reason: 'INVALID_URL' });
  if (value.length > 2048) violations.push({ field, description: 'is longer than 2048 characters', reason: 'INVALID_URL' });
  return violations.length > 0 ? { violations } : { url, violations };
}

export const hostOf = (url: URL): string => bare(url.hostname);

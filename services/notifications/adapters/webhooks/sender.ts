// Sends one signed webhook (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) over node:http(s).
// The endpoint's host is resolved here and every address checked against the SSRF policy; the connection is
// pinned to the checked address, so a DNS answer that changes between check and connect cannot slip through.
import { createHmac } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressAllowed, hostOf, type EndpointPolicy } from '../../domain/endpoint-policy';
import type { AttemptResult } from '../../domain/retry';
import { injectTraceContext } from '../../../shared/telemetry/otel';

export const secretPrefix = 'whsec_';

/** `v1,<base64 HMAC-SHA256(id.timestamp.body)>` for each secret, space-separated (several during rotation). */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret, 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
    })
    .join(' ');
}

export class EndpointRefusedError extends Error {}

/** Resolves `url`'s host and returns the addresses allowed by the policy; throws when any is forbidden. */
export async function resolveAllowed(url: URL, policy: EndpointPolicy): Promise<{ address: string; family: number }[]> {
  const host = hostOf(url);
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await dnsLookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new EndpointRefusedError(`${host} does not resolve`);
  const forbidden = addresses.filter((a) => !addressAllowed(policy, host, a.address));
  if (forbidden.length > 0) {
    throw new EndpointRefusedError(`${host} resolves to ${forbidden.map((a) => a.address).join(', ')}, a loopback/private address not on the allow-list`);
  }
  return addresses;
}

export type WebhookRequest = {
  readonly url: string;
  readonly id: string;
  readonly body: string;
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
};

export type SendOutcome = { readonly result: AttemptResult; readonly latencyMs: number };

export class WebhookSender {
  // Keep-alive: one subscriber's endpoint gets many posts; a fresh TCP handshake for each would dominate latency.
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: 16 }), https: new https.Agent({ keepAlive: true, maxSockets: 16 }) };
  constructor(
    private readonly policy: EndpointPolicy,
    private readonly userAgent = 'bps-notifications/1',
  ) {}

  async send(request: WebhookRequest): Promise<SendOutcome> {
    const started = performance.now();
    const done = (result: AttemptResult): SendOutcome => ({ result, latencyMs: Math.round(performance.now() - started) });
    const url = new URL(request.url);
    let addresses: { address: string; family: number }[];
    try {
      addresses = await resolveAllowed(url, this.policy);
    } catch (error) {
      if (error instanceof EndpointRefusedError) return done({ kind: 'refused', error: error.message });
      return done({ kind: 'network-error', error: `DNS: ${error instanceof Error ? error.message : String(error)}` });
    }
    const pinned = addresses[0]!;
    const lookup: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      'content-length': String(Buffer.byteLength(request.body)),
      'user-agent': this.userAgent,
      'webhook-id': request.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(request.secrets, request.id, timestamp, request.body),
      // W3C trace context: the receiver can join the publication's distributed trace.
      ...injectTraceContext(),
    };
    const isHttps = url.protocol === 'https:';
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        resolve(done(result));
      };
      const req = (isHttps ? https : http).request(
        url,
        {
          method: 'POST',
          headers,
          lookup,
          agent: isHttps ? this.agents.https : this.agents.http,
          // The name in the URL stays the TLS server name even though the socket goes to the pinned address.
          ...(isHttps && isIP(hostOf(url)) === 0 ? { servername: hostOf(url) } : {}),
        },
        (res) => {
          const retryAfter = res.headers['retry-after'];
          res.resume(); // the body is not needed; drain it so the socket can be reused
          res.on('end', () => finish({ kind: 'response', status: res.statusCode ?? 0, ...(retryAfter ? { retryAfter } : {}) }));
          res.on('error', (e) => finish({ kind: 'network-error', error: e.message }));
        },
      );
      const timer = setTimeout(() => {
        finish({ kind: 'timeout', error: `no response within ${request.timeoutMs} ms` });
        req.destroy();
      }, request.timeoutMs);
      const onAbort = (): void => {
        finish({ kind: 'network-error', error: 'aborted (service stopping)' });
        req.destroy();
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => finish({ kind: 'network-error', error: e.message }));
      req.end(request.body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

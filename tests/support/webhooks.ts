// The one webhook receiver of the tests: an HTTP endpoint on 127.0.0.1 that records every request and verifies its
// Standard Webhooks signature (webhook-id / webhook-timestamp / webhook-signature, with the `standardwebhooks`
// package) against the secrets it is given; `reply` chooses each answer (status, headers, delay, dropped socket).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { waitFor } from './wait';

export type ReceivedWebhook = {
  /** The webhook-id header (the delivery's id; the same across retries of one event). */
  readonly id: string;
  readonly webhookId: string;
  readonly timestamp: string;
  readonly signature: string;
  /** The CloudEvent's type ('' when the body is not JSON). */
  readonly type: string;
  /** The status this receiver answered. */
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly event: { id: string; type: string; data: any; [k: string]: unknown };
  readonly at: number;
  /** Indexes (in receiver.secrets) of the secrets the signature verified with; empty = verified with none. */
  readonly verifiedWith: number[];
};

export type Reply = { status: number; headers?: Record<string, string>; delayMs?: number; destroy?: boolean };
/** Answers the n-th request (0-based, over all requests this receiver got): a Reply or just a status. */
export type Answer = (n: number, received: Omit<ReceivedWebhook, 'status'>) => Reply | number;

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** TCP connections accepted so far (a sender that keeps its connections alive opens few). */
  connections = 0;
  private server: Server | undefined;
  url = '';
  constructor(
    public reply: Answer = () => 200,
    public secrets: string[] = [],
    private readonly path = '/hooks/bps',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void readBody(req).then(async (body) => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const signed = {
          'webhook-id': headers['webhook-id'] ?? '',
          'webhook-timestamp': headers['webhook-timestamp'] ?? '',
          'webhook-signature': headers['webhook-signature'] ?? '',
        };
        const verifiedWith = this.secrets.flatMap((secret, i) => {
          try {
            new Webhook(secret).verify(body, signed);
            return [i];
          } catch {
            return [];
          }
        });
        let event: ReceivedWebhook['event'];
        try {
          event = JSON.parse(body);
        } catch {
          event = { id: '', type: '', data: undefined };
        }
        const request = {
          id: signed['webhook-id'],
          webhookId: signed['webhook-id'],
          timestamp: signed['webhook-timestamp'],
          signature: signed['webhook-signature'],
          type: typeof event?.type === 'string' ? event.type : '',
          headers,
          body,
          event,
          at: Date.now(),
          verifiedWith,
        };
        const n = this.received.length;
        const answer = this.reply(n, request);
        const reply: Reply = typeof answer === 'number' ? { status: answer } : answer;
        this.received.push({ ...request, status: reply.status });
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        res.writeHead(reply.status, reply.headers ?? {});
        res.end();
      });
    });
    // Node's default (5 s), as a subscriber's server would have. It was 1 s, so that the sender's keep-alive sockets
    // would not hold up `stop` (which closes every connection anyway): but a Node client takes the server's
    // `Keep-Alive: timeout` hint less one second, so no socket was ever reused — every webhook, in the tests and in
    // the notifications bench (service and bare consumer alike), opened a new TCP connection.
    this.server.keepAliveTimeout = 5_000;
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.path}`;
    return this;
  }

  /** The requests carrying these events (by CloudEvent id). */
  idsOf(eventIds: readonly string[]): ReceivedWebhook[] {
    return this.received.filter((r) => eventIds.includes(r.event.id));
  }

  /** Barrier: the first request matching `predicate` (fails after `timeoutMs`). */
  waitFor(predicate: (r: ReceivedWebhook) => boolean, what = 'a webhook', timeoutMs = 30_000): Promise<ReceivedWebhook> {
    return waitFor(() => this.received.find(predicate), what, timeoutMs);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Same as stop (the name the gateway tests use). */
  close(): Promise<void> {
    return this.stop();
  }
}

/** Starts a receiver; `answer(n)` picks the reply to the n-th request (default 200). */
export function startWebhookReceiver(answer?: Answer, options: { secrets?: string[]; path?: string } = {}): Promise<WebhookReceiver> {
  return new WebhookReceiver(answer, options.secrets ?? [], options.path).start();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

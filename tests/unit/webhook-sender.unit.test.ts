// The webhook sender on loopback: a signed POST the standardwebhooks library verifies, and one kept-alive connection
// for a subscriber's successive webhooks (a new TCP handshake per webhook was most of a delivery's cost in the
// notifications bench: 10,000 connections for 10,000 deliveries while the test receiver disabled keep-alive).
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../services/notifications/adapters/webhooks/sender';
import { allowListFor, endpointPolicy } from '../../services/notifications/domain/endpoint-policy';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks';

const secret = `whsec_${Buffer.from('a webhook secret of 32 bytes!!!!').toString('base64')}`;

describe('webhook sender', () => {
  let receiver: WebhookReceiver | undefined;
  let sender: WebhookSender | undefined;
  afterEach(async () => {
    sender?.close();
    await receiver?.stop();
  });

  it('sends a subscriber its successive webhooks over one kept-alive connection, each signed', async () => {
    receiver = await startWebhookReceiver(undefined, { secrets: [secret] });
    sender = new WebhookSender(endpointPolicy(allowListFor('development', [])));
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify({ specversion: '1.0', id: `ev-${i}`, type: 'bps.test', source: '/bps/test' });
      const outcome = await sender.send({ url: receiver.url, id: `msg-${i}`, body, secrets: [secret], timeoutMs: 5_000 });
      expect(outcome.result).toEqual({ kind: 'response', status: 200 });
    }
    expect(receiver.received.map((r) => [r.webhookId, r.verifiedWith])).toEqual(Array.from({ length: 20 }, (_, i) => [`msg-${i}`, [0]]));
    expect(receiver.connections).toBe(1);
  });
});

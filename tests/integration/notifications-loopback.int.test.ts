// The notifications service with the allow-list each environment gets from its configuration (allowListFor, as
// services/notifications/main.ts wires it): in development a receiver on 127.0.0.1 or localhost can be subscribed and
// gets its webhook; in production the same subscription is refused as an internal address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { allowListFor } from '../../services/notifications/domain/endpoint-policy';
import type { RunningNotifications } from '../../services/notifications/app';
import { decodeStatus } from '../../services/shared/grpc/status';
import { uniqueName } from '../support/names';
import { clientFor, createSubscription, localStandardFiled, newNames, producerFor, Receiver, startApp, type Client } from './notifications.support';
import { refused } from '../support/grpc';

describe('notifications: loopback receivers by environment', () => {
  const dev = newNames('notif-dev');
  const prod = newNames('notif-prod');
  const producer = producerFor();
  let devApp: RunningNotifications;
  let prodApp: RunningNotifications;
  let devClient: Client;
  let prodClient: Client;
  let receiver: Receiver;

  beforeAll(async () => {
    [devApp, prodApp] = await Promise.all([
      startApp(dev, { allowedHosts: allowListFor('development', []) }),
      startApp(prod, { allowedHosts: allowListFor('production', []) }),
    ]);
    devClient = clientFor(devApp);
    prodClient = clientFor(prodApp);
    receiver = await new Receiver().start();
    await producer.connect();
  });
  afterAll(async () => {
    devClient?.close();
    prodClient?.close();
    await Promise.all([devApp?.stop(), prodApp?.stop()]);
    await producer.disconnect();
    await receiver?.stop();
  });

  it('development: subscribes a receiver on 127.0.0.1 (and accepts localhost) and delivers to it', async () => {
    const itemCode = uniqueName('item').slice(-18);
    const { subscription, secret } = await createSubscription(devClient, 'statistics-subscriber', {
      endpointUrl: receiver.url,
      filter: { itemCodes: [itemCode] } as never,
      description: '本地试用',
    });
    receiver.secrets = [secret];
    const port = new URL(receiver.url).port;
    const viaName = await createSubscription(devClient, 'statistics-subscriber', {
      endpointUrl: `http://localhost:${port}/hooks/bps`,
      filter: { itemCodes: [uniqueName('none')] } as never,
    });
    expect(viaName.subscription?.endpointUrl).toBe(`http://localhost:${port}/hooks/bps`);

    const event = localStandardFiled(dev, { provinceCode: '110000', itemCode });
    await producer.publish([event]);
    await expect.poll(() => receiver.received.length, { timeout: 40_000 }).toBe(1);
    expect(receiver.received[0]).toMatchObject({ webhookId: event.id, verifiedWith: [0] });
    expect(subscription?.subscriptionId).toBeTruthy();
    // Other internal addresses stay refused in development.
    const privateAddress = await refused(createSubscription(devClient, 'statistics-subscriber', { endpointUrl: 'http://10.1.2.3/hook' }));
    expect(privateAddress.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('production: refuses the same receiver on 127.0.0.1, localhost and ::1', async () => {
    const port = new URL(receiver.url).port;
    for (const endpointUrl of [receiver.url, `http://localhost:${port}/hooks/bps`, `http://[::1]:${port}/hooks/bps`]) {
      const error = await refused(createSubscription(prodClient, 'statistics-subscriber', { endpointUrl }));
      expect(error.code, endpointUrl).toBe(grpc.status.INVALID_ARGUMENT);
      expect(decodeStatus(error).fieldViolations[0]?.field).toBe('endpoint_url');
    }
    expect(() => allowListFor('production', ['127.0.0.1'])).toThrow(/never in production/);
  });
});

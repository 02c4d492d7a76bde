// A MongoDB client whose server monitor is stuck comes back by itself (connectMongo's heartbeat watchdog). The
// driver checks a server on its monitoring connection while that connection is not yet marked closed; when the
// socket is already destroyed but its 'close' event has not been handled, the hello never settles and the monitor
// never checks again, so after the next network error the server stays Unknown and every operation fails server
// selection — for good (health-readiness.int saw the approvals service's `mongodb` stay NOT_SERVING for minutes
// after its proxy came back). The proxy outages hit that moment by chance (10 of 30 under load); here it is
// made on purpose (tests/support/stuck-mongo-monitor.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { stack } from '../support/stack';
import { uniqueName } from '../support/names';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { wedgeServerMonitor } from '../support/stuck-mongo-monitor';

describe('a MongoDB client whose server monitor is stuck', () => {
  let proxy: TcpProxy;
  const dbName = uniqueName('stuck-monitor').replace(/[^a-zA-Z0-9_-]/g, '_');
  const handles: MongoHandle[] = [];
  const connect = async (options: { connectTimeoutMS?: number } = {}): Promise<MongoHandle> => {
    // One server only, through the proxy (as health-readiness.int connects the approvals service).
    const proxied = new URL(stack().mongoUri);
    proxied.host = proxy.address;
    proxied.searchParams.delete('replicaSet');
    proxied.searchParams.set('directConnection', 'true');
    const handle = await connectMongo(proxied.toString(), dbName, { serverSelectionTimeoutMS: 2_000, ...options });
    handles.push(handle);
    return handle;
  };
  const ping = (handle: MongoHandle): Promise<boolean> =>
    handle.db.command({ ping: 1 }).then(
      () => true,
      () => false,
    );
  /** Cuts the database away and gives it back; an operation meanwhile fails and marks the server Unknown. */
  const outage = async (handle: MongoHandle): Promise<void> => {
    await proxy.down();
    try {
      expect(await ping(handle)).toBe(false);
    } finally {
      await proxy.up();
    }
  };

  beforeAll(async () => {
    proxy = await startTcpProxy(new URL(stack().mongoUri).host);
  });
  afterAll(async () => {
    for (const handle of handles) await handle.close();
    await proxy.close();
  });

  it('an ordinary outage: the monitor finds the server again, no reconnect', async () => {
    const mongo = await connect();
    expect(await ping(mongo)).toBe(true);
    await outage(mongo);
    await expect.poll(() => ping(mongo), { timeout: 20_000, interval: 200 }).toBe(true);
    expect(mongo.monitorRecoveries?.()).toBe(0);
  }, 60_000);

  it('is reconnected when a check never ends, and answers again', async () => {
    const mongo = await connect({ connectTimeoutMS: 1_000 });
    expect(await ping(mongo)).toBe(true);
    await wedgeServerMonitor(mongo.client);
    await outage(mongo);
    // Without the watchdog no check ever runs again: every ping fails server selection, however long one waits.
    await expect.poll(() => ping(mongo), { timeout: 20_000, interval: 200 }).toBe(true);
    expect(mongo.monitorRecoveries?.()).toBe(1);
    // The Db taken before the reconnect goes on working.
    await mongo.db.collection('after').insertOne({ _id: 'ok' } as never);
    expect(await mongo.db.collection('after').countDocuments()).toBe(1);
    await mongo.db.dropDatabase();
  }, 60_000);
});

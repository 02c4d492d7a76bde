// Makes on purpose the MongoDB driver race that connectMongo's watchdog repairs (services/shared/mongo/mongo.ts,
// watchHeartbeats): a server check started on a monitoring connection whose socket is already destroyed but not yet
// marked closed never ends, and the monitor never checks again. A database outage hits that moment by chance (the
// check is asked for by another connection's error in the same tick); here the socket is destroyed and the check
// asked for in one tick. Reaches into driver internals (6.x): fails loudly if an upgrade moved them.
import type { MongoClient } from 'mongodb';

type DriverMonitor = { connection?: { closed: boolean; socket: { destroy(): void } } | null; requestCheck(): void };

function monitorOf(client: MongoClient): DriverMonitor {
  const servers = (client as unknown as { topology?: { s?: { servers?: Map<string, { monitor?: DriverMonitor }> } } }).topology?.s?.servers;
  const monitor = servers ? [...servers.values()][0]?.monitor : undefined;
  if (!monitor || typeof monitor.requestCheck !== 'function') throw new Error('driver internals changed: no server monitor to wedge');
  return monitor;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Leaves the client's (one) server monitor with a check that never ends. Resolves once that check has started. */
export async function wedgeServerMonitor(client: MongoClient, attempts = 10): Promise<void> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // The driver runs a requested check at once only 500 ms or more after the last one ended, and on the monitoring
    // connection only while it is open: otherwise the check waits, sees the connection closed and opens a new one.
    await sleep(700);
    const monitor = monitorOf(client);
    if (!monitor.connection || monitor.connection.closed) continue;
    let started = false;
    const onStarted = (): void => {
      started = true;
    };
    client.on('serverHeartbeatStarted', onStarted);
    try {
      monitor.connection.socket.destroy();
      monitor.requestCheck();
    } finally {
      client.off('serverHeartbeatStarted', onStarted);
    }
    if (started) return;
    // The check comes later on a new connection; let it end before trying again.
    await Promise.race([new Promise<void>((resolve) => client.once('serverHeartbeatSucceeded', () => resolve())), sleep(15_000)]);
  }
  throw new Error(`could not start a server check on a cut connection in ${attempts} attempts`);
}

// The one MongoDB helper. Works on MongoDB and on FerretDB v1, so it never uses multi-document
// transactions, change streams, $lookup or $facet.
import { MongoClient, MongoServerError, type Collection, type Db, type Document, type IndexDescription, type MongoClientOptions } from 'mongodb';
import { AlreadyExistsError, TransientError, errorMessage } from '../errors/errors';
import type { Logger } from '../log/logger';

export type MongoHandle = {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
  /** Pings the database over a brand-new connection (then closed): tells a database that is down from a client that is stuck. */
  pingFresh?(): Promise<void>;
  /** How many times the client was reconnected because its server monitor was stuck (see watchHeartbeats). */
  readonly monitorRecoveries?: () => number;
};

/**
 * MONGODB_URI with the TLS settings of the config (issue #20) as the driver's URI options: BPS_MONGODB_TLS_CA →
 * tls=true&tlsCAFile, BPS_MONGODB_TLS_CERT_KEY (certificate and key in one PEM) → tlsCertificateKeyFile. A URI
 * that already says tls=true is TLS as it stands. Every service connects with what this returns.
 */
export function mongoUriFromConfig(config: {
  MONGODB_URI: string;
  BPS_MONGODB_TLS_CA?: string | undefined;
  BPS_MONGODB_TLS_CERT_KEY?: string | undefined;
}): string {
  const options: [string, string][] = [
    ...(config.BPS_MONGODB_TLS_CA || config.BPS_MONGODB_TLS_CERT_KEY ? ([['tls', 'true']] as [string, string][]) : []),
    ...(config.BPS_MONGODB_TLS_CA ? ([['tlsCAFile', config.BPS_MONGODB_TLS_CA]] as [string, string][]) : []),
    ...(config.BPS_MONGODB_TLS_CERT_KEY ? ([['tlsCertificateKeyFile', config.BPS_MONGODB_TLS_CERT_KEY]] as [string, string][]) : []),
  ];
  if (options.length === 0) return config.MONGODB_URI;
  const [base, query = ''] = config.MONGODB_URI.split('?') as [string, string?];
  const params = new URLSearchParams(query);
  for (const [key, value] of options) params.set(key, value);
  // A URI with hosts and no path needs the "/" before its options (mongodb://host:27017/?tls=true).
  const path = /^mongodb(\+srv)?:\/\/[^/]+$/.test(base) ? `${base}/` : base;
  return `${path}?${params.toString()}`;
}

/**
 * Writes are acknowledged once a majority of the replica set has them in its journal (a standalone server: in its
 * journal), unless the URI says otherwise (`w=`, `journal=`): an acknowledged state change and its outbox entry
 * survive the loss of the primary. FerretDB accepts and ignores the setting: every write is one PostgreSQL
 * transaction, acknowledged when committed (durable with PostgreSQL's default fsync and synchronous_commit).
 */
export const defaultWriteConcern = { w: 'majority', journal: true } as const;

/** The driver's connect timeout (30 s by default), which also bounds a heartbeat: a stuck monitor is found after 2.5x it. */
export const defaultConnectTimeoutMS = 10_000;

export async function connectMongo(
  uri: string,
  dbName: string,
  options: MongoClientOptions = {},
  watch: { readonly logger?: Logger } = {},
): Promise<MongoHandle> {
  const query = uri.split('?')[1] ?? '';
  const uriSaysWriteConcern = /(^|&)(w|journal|j|wtimeoutMS)=/i.test(query);
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 10_000,
    connectTimeoutMS: defaultConnectTimeoutMS,
    retryWrites: false,
    ...(uriSaysWriteConcern ? {} : { writeConcern: defaultWriteConcern }),
    ...options,
  });
  const watchdog = watchHeartbeats(client, watch.logger);
  try {
    await client.connect();
  } catch (error) {
    watchdog.stop();
    throw new TransientError(`cannot reach MongoDB at ${uri}`, error);
  }
  const clientOptions = { serverSelectionTimeoutMS: 5_000, connectTimeoutMS: 5_000, retryWrites: false, ...options };
  return {
    client,
    db: client.db(dbName),
    close: async () => {
      watchdog.stop();
      await watchdog.settled();
      await client.close();
    },
    monitorRecoveries: () => watchdog.recoveries,
    async pingFresh() {
      const fresh = new MongoClient(uri, clientOptions);
      try {
        await fresh.connect();
        await fresh.db(dbName).command({ ping: 1 });
      } finally {
        await fresh.close().catch(() => undefined);
      }
    },
  };
}

/**
 * Reconnects the client when its server monitor is stuck. The driver (6.x) checks a server on its monitoring
 * connection if that connection is not yet marked closed; when the socket is already gone but its 'close' event
 * has not been handled yet — a database or network cut, the check triggered by another connection failing in the
 * same moment — the hello is written to a destroyed socket: the write returns false with no error and no 'drain'
 * ever comes, the socket timeout cannot fire on a destroyed socket, and the close handler has no read to fail yet.
 * That check never settles, so the monitor never checks again: the server stays Unknown, the pool paused, and every
 * operation fails server selection for good — while the database answers any new client (the health-readiness test
 * saw it after 1 in ~10 proxy outages under load; issue #19's "stuck client" after a database restart). Every check
 * the driver makes is bounded by connectTimeoutMS (a new connection: connect, then handshake; a streaming hello:
 * plus heartbeatFrequencyMS), so a heartbeat still open well past that bound is this state: close the topology
 * (monitors, pools) and connect a new one on the same client, so every Db and Collection taken from it goes on.
 */
function watchHeartbeats(client: MongoClient, logger: Logger | undefined): { stop(): void; settled(): Promise<void>; readonly recoveries: number } {
  const connectTimeoutMS = client.options.connectTimeoutMS || 30_000;
  const heartbeatFrequencyMS = client.options.heartbeatFrequencyMS || 10_000;
  // A started heartbeat by server address: when it started, and whether it is a streaming (awaited) hello.
  const open = new Map<string, { since: number; awaited: boolean }>();
  let stopped = false;
  let recovering: Promise<void> | undefined;
  let recoveries = 0;
  client.on('serverHeartbeatStarted', (event) => open.set(event.connectionId, { since: Date.now(), awaited: event.awaited }));
  client.on('serverHeartbeatSucceeded', (event) => open.delete(event.connectionId));
  client.on('serverHeartbeatFailed', (event) => open.delete(event.connectionId));
  const recover = async (address: string, openMs: number): Promise<void> => {
    recoveries += 1;
    logger?.error({ server: address, openMs }, 'MongoDB client stuck: its server monitor never finished a check; reconnecting');
    open.clear();
    await client.close().catch(() => undefined);
    // Until connect succeeds the client has no topology and every operation fails at once; keep trying.
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await client.connect();
        logger?.info({ server: address, attempt }, 'MongoDB client reconnected after a stuck monitor');
        return;
      } catch (error) {
        logger?.warn({ server: address, attempt, err: errorMessage(error) }, 'MongoDB client reconnect failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * attempt, 5_000)));
      }
    }
  };
  const timer = setInterval(
    () => {
      if (stopped || recovering) return;
      const now = Date.now();
      for (const [address, { since, awaited }] of open) {
        const bound = 2.5 * connectTimeoutMS + (awaited ? heartbeatFrequencyMS : 0);
        if (now - since > bound) {
          recovering = recover(address, now - since).finally(() => {
            recovering = undefined;
          });
          return;
        }
      }
    },
    Math.min(1_000, connectTimeoutMS / 4),
  );
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    settled: () => recovering ?? Promise.resolve(),
    get recoveries() {
      return recoveries;
    },
  };
}

/** Creates indexes idempotently. Unique indexes are the platform's only cross-document guard. */
export async function ensureIndexes(collection: Collection<any>, indexes: readonly IndexDescription[]): Promise<void> {
  if (indexes.length === 0) return;
  // FerretDB v1 drops the connection when asked to re-create an existing compound unique index (seen on service
  // restart), so named indexes that already exist are skipped.
  const existing = new Set(
    await collection
      .listIndexes()
      .toArray()
      .then(
        (list) => list.map((i) => String(i['name'])),
        () => [] as string[],
      ),
  );
  const missing = indexes.filter((i) => i.name === undefined || !existing.has(i.name));
  if (missing.length === 0) return;
  await collection.createIndexes(missing);
}

/** Turns driver errors into platform errors: duplicate keys become AlreadyExistsError, network trouble TransientError. */
export function translateMongoError(error: unknown, what: string): never {
  if (error instanceof MongoServerError && (error.code === 11000 || error.code === 11001)) {
    const key = (error.keyValue as Record<string, unknown> | undefined) ?? undefined;
    throw new AlreadyExistsError(`${what} already exists${key ? ` (${JSON.stringify(key)})` : ''}`, key);
  }
  if (error instanceof Error && /ECONNREFUSED|ETIMEDOUT|topology|server selection|socket/i.test(error.message)) {
    throw new TransientError(`MongoDB unavailable while writing ${what}: ${error.message}`, error);
  }
  throw error;
}

export async function insertOne<T extends Document>(collection: Collection<T>, doc: T, what: string): Promise<void> {
  try {
    await collection.insertOne(doc as never);
  } catch (error) {
    translateMongoError(error, what);
  }
}

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof AlreadyExistsError || (error instanceof MongoServerError && error.code === 11000);
}

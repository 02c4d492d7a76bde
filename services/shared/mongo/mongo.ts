// The one MongoDB helper. Works on MongoDB and on FerretDB v1, so it never uses multi-document
// transactions, change streams, $lookup or $facet.
import { MongoClient, MongoServerError, type Collection, type Db, type Document, type IndexDescription, type MongoClientOptions } from 'mongodb';
import { AlreadyExistsError, TransientError } from '../errors/errors';

export type MongoHandle = {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
  /** Pings the database over a brand-new connection (then closed): tells a database that is down from a client that is stuck. */
  pingFresh?(): Promise<void>;
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

export async function connectMongo(uri: string, dbName: string, options: MongoClientOptions = {}): Promise<MongoHandle> {
  const query = uri.split('?')[1] ?? '';
  const uriSaysWriteConcern = /(^|&)(w|journal|j|wtimeoutMS)=/i.test(query);
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 10_000,
    retryWrites: false,
    ...(uriSaysWriteConcern ? {} : { writeConcern: defaultWriteConcern }),
    ...options,
  });
  try {
    await client.connect();
  } catch (error) {
    throw new TransientError(`cannot reach MongoDB at ${uri}`, error);
  }
  const clientOptions = { serverSelectionTimeoutMS: 5_000, connectTimeoutMS: 5_000, retryWrites: false, ...options };
  return {
    client,
    db: client.db(dbName),
    close: () => client.close(),
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

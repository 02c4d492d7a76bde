// A bench's own database on the platform's MongoDB protocol, and a PostgreSQL client on the same server for raw
// anchors (the local stack's, or BENCH_DB_POSTGRES_URL with MONGODB_URI; none when neither is known).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from '../../infra/local/postgres';
import { settings } from '../../infra/local/settings';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';

export type BenchDatabase = {
  readonly dbName: string;
  readonly mongo: MongoHandle;
  readonly client: pg.Client | undefined;
  /** The PostgreSQL table FerretDB keeps a collection in (schema = database, table = collection + hash). */
  tableOf(collection: string): Promise<string | undefined>;
  /** Drops the database and closes both connections. */
  close(): Promise<void>;
};

export async function benchDatabase(mongoUri: string, prefix: string): Promise<BenchDatabase> {
  const external = process.env['MONGODB_URI'] !== undefined;
  const pgUrl = external ? process.env['BENCH_DB_POSTGRES_URL'] : postgresUrl(settings());
  const dbName = `${prefix}_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const mongo = await connectMongo(mongoUri, dbName);
  const client = pgUrl ? new pg.Client({ connectionString: pgUrl }) : undefined;
  await client?.connect();
  return {
    dbName,
    mongo,
    client,
    async tableOf(collection) {
      if (!client) return undefined;
      const { rows } = await client.query<{ relname: string }>(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname ~ $2`,
        [dbName, `^${collection}_[0-9a-f]{8}$`],
      );
      return `"${dbName}"."${rows[0]!.relname}"`;
    },
    async close() {
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
      await client?.end();
    },
  };
}

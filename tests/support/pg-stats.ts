// Rows PostgreSQL read for a FerretDB collection: how a test shows that a query reads a handful of documents, not
// the history (FerretDB v1 on PostgreSQL names the schema after the database and each table after its collection
// plus a hash). On real MongoDB there is no PostgreSQL behind it: `behindFerretDbOnPostgres` tells a test to skip.
import type { Db } from 'mongodb';
import pg from 'pg';
import { postgresUrl } from '../../infra/local/postgres';
import { settings } from '../../infra/local/settings';

/** Whether this database is FerretDB on PostgreSQL (its explain answers with a PostgreSQL plan). */
export async function behindFerretDbOnPostgres(db: Db, collection: string): Promise<boolean> {
  const explained = await db.command({ explain: { find: collection, filter: { _id: 'x' } }, verbosity: 'queryPlanner' });
  return (explained['queryPlanner'] as Record<string, unknown> | undefined)?.['Plan'] !== undefined;
}

export type RowsRead = {
  /** Rows read so far, once the statistics stopped moving. */
  settled(): Promise<number>;
  close(): Promise<void>;
};

/** The start of FerretDB's table name for a collection: lower case, every character but a-z and _ made _ (then a hash). */
function tableNameOf(collection: string): string {
  return collection.toLowerCase().replace(/[^a-z_]/g, '_');
}

/** Rows read from the tables of the collections named `collectionPrefix*` of database `dbName`. */
export async function rowsRead(dbName: string, collectionPrefix: string): Promise<RowsRead> {
  const client = new pg.Client({ connectionString: postgresUrl(settings()) });
  await client.connect();
  const read = async (): Promise<number> => {
    const { rows } = await client.query<{ n: string }>(
      `SELECT coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0) AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname LIKE $2`,
      [dbName, `${tableNameOf(collectionPrefix)}%`],
    );
    return Number(rows[0]!.n);
  };
  return {
    // A connection's statistics reach the view when it has been idle 10 s at most (PostgreSQL 15's
    // PGSTAT_IDLE_INTERVAL): wait until they stop moving across such a gap.
    async settled() {
      let last = await read();
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 11_000));
        const next = await read();
        if (next === last) return next;
        last = next;
      }
      return last;
    },
    close: () => client.end(),
  };
}

// Two connections to one new database, as two instances of a service hold them: for tests of what several instances
// do side by side on the same data (claims, compare-and-set, chains). `drop()` removes the database and closes both.
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { uniqueName } from './names';
import { stack } from './stack';

export type TwoInstances = { readonly a: MongoHandle; readonly b: MongoHandle; drop(): Promise<void> };

export async function twoInstancesOfOneDatabase(label: string): Promise<TwoInstances> {
  const name = uniqueName(label).replace(/[^a-zA-Z0-9_]/g, '_');
  const a = await connectMongo(stack().mongoUri, name);
  const b = await connectMongo(stack().mongoUri, name);
  return {
    a,
    b,
    async drop() {
      await a.db.dropDatabase();
      await a.close();
      await b.close();
    },
  };
}

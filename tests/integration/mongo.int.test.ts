// The shared MongoDB helpers against the real MongoDB-protocol server (FerretDB locally).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, ensureIndexes, insertOne, type MongoHandle } from '../../services/shared/mongo/mongo';
import { AlreadyExistsError } from '../../services/shared/errors/errors';
import { stack } from '../support/stack';
import { uniqueName } from '../support/names';

type ItemVersion = { _id: string; itemCode: string; sequence: number; name: string };

describe('MongoDB helpers', () => {
  let mongo: MongoHandle;
  beforeAll(async () => {
    mongo = await connectMongo(stack().mongoUri, uniqueName('mongo'));
  });
  afterAll(async () => {
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('writes and reads, and turns a unique-index violation into a clear domain error without changing the stored document', async () => {
    const versions = mongo.db.collection<ItemVersion>('item_versions');
    await ensureIndexes(versions, [{ key: { itemCode: 1, sequence: 1 }, unique: true, name: 'item_sequence' }]);
    await insertOne(versions, { _id: 'HEA-01@1', itemCode: 'HEA-01', sequence: 1, name: '建立居民健康档案' }, 'item version');
    expect(await versions.findOne({ itemCode: 'HEA-01', sequence: 1 })).toMatchObject({ name: '建立居民健康档案' });

    const duplicate = insertOne(versions, { _id: 'HEA-01@1-again', itemCode: 'HEA-01', sequence: 1, name: 'overwrite attempt' }, 'item version');
    await expect(duplicate).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(duplicate).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      retriable: false,
      message: expect.stringContaining('item version already exists'),
    });
    expect(await versions.countDocuments({ itemCode: 'HEA-01' })).toBe(1);
    expect(await versions.findOne({ itemCode: 'HEA-01', sequence: 1 })).toMatchObject({ name: '建立居民健康档案' });
  });
});

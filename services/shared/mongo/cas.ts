// Compare-and-set of one document that holds on FerretDB v1 as on MongoDB (issue #19, "two of everything").
// FerretDB v1 runs a conditional replace (or update, or findOneAndUpdate) as a read and then an unlocked write by
// `_id`: two writers whose filters both matched the same stored state both "succeed", and the later write silently
// undoes the earlier. Its atomic operations are a unique insert and a delete's count. So a writer that means to
// replace a document in a given state (its `rev`, `sequence`, `version`…) first inserts a token naming that state
// into the database's `revision_tokens`: of two, one insert wins, and only the winner writes; the token is removed
// once the write is done. A token whose writer died before writing (still there after TOKEN_STALE_MS, the document
// still in that state) is taken over with the next generation.
import type { Collection, Db, Document } from 'mongodb';
import { ConcurrencyError } from '../errors/errors';
import { isDuplicateKey } from './mongo';

export const REVISION_TOKENS_COLLECTION = 'revision_tokens';

/** A token older than this whose document has not moved on belongs to a writer that died. */
export const TOKEN_STALE_MS = 10_000;

type Token = { _id: string; at: Date };

function dbOf(collection: Collection<any>): Db {
  // The driver keeps the client on every collection (not in its public typings).
  const client = (collection as unknown as { client?: { db(name: string): Db } }).client;
  if (!client) throw new Error(`cannot reach the database of collection ${collection.collectionName}`);
  return client.db(collection.dbName);
}

/**
 * Replaces document `id` — while its `field` is `from` — with `next`; returns false when another writer holds or
 * wrote that state first (read again, and retry or give up).
 *
 * `releases`: the token's removal is not awaited but pushed here, for a writer with more writes to make after the
 * replace to await with them (one round trip less on its path). Meanwhile the token only keeps out writers of the
 * same `from` state, which is no longer the stored one once the replace is done: they lose as they would anyway.
 * The caller must await the releases before it reports the write done.
 */
export async function replaceFrom<T extends Document>(
  collection: Collection<T>,
  id: string,
  field: string,
  from: number,
  next: T,
  releases?: Promise<unknown>[],
): Promise<boolean> {
  const tokens = dbOf(collection).collection<Token>(REVISION_TOKENS_COLLECTION);
  for (let generation = 0; ; generation++) {
    const token = JSON.stringify([collection.collectionName, id, field, from, generation]);
    try {
      await tokens.insertOne({ _id: token, at: new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const held = await tokens.findOne({ _id: token });
      if (held && held.at.getTime() > Date.now() - TOKEN_STALE_MS) return false; // being written now
      const current = (await collection.findOne({ _id: id } as never)) as Record<string, unknown> | null;
      if (!current || current[field] !== from) return false; // written meanwhile
      continue; // its writer died: the next generation
    }
    try {
      const res = await collection.replaceOne({ _id: id, [field]: from } as never, next as never);
      return res.matchedCount === 1;
    } finally {
      const release = tokens.deleteOne({ _id: token }).catch(() => undefined);
      if (releases) releases.push(release);
      else await release;
    }
  }
}

/** After losing to another writer: a short, growing, jittered pause before reading again. */
export async function contentionPause(attempt: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** attempt, 50) * (0.5 + Math.random())));
}

/**
 * Stores `doc` as document `id` unless the stored one is newer by `field` (a projection or snapshot that only moves
 * forward): `orEqual` also rewrites a stored one of the same `field` value (a re-save after a crash). Returns false
 * when a newer one is stored. Absent: inserted (a unique insert; a racing insert makes it read again).
 */
export async function replaceIfNewer<T extends Document & { _id: string }>(
  collection: Collection<T>,
  field: string,
  doc: T,
  options: { orEqual?: boolean } = {},
): Promise<boolean> {
  const value = doc[field] as number;
  for (let attempt = 0; attempt < 30; attempt++) {
    const current = (await collection.findOne({ _id: doc._id } as never)) as Record<string, unknown> | null;
    if (!current) {
      try {
        await collection.insertOne(doc as never);
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        continue;
      }
    }
    const stored = current[field] as number;
    if (stored > value || (stored === value && !options.orEqual)) return false;
    if (await replaceFrom(collection, doc._id, field, stored, doc)) return true;
    await contentionPause(attempt);
  }
  throw new ConcurrencyError(`could not store ${collection.collectionName} ${doc._id}: too much contention`, 0);
}

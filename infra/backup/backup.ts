// Backup and restore of the platform's system of record: every service's database, collection by collection, as
// canonical Extended JSON (types kept: dates, decimals, binaries), with its indexes, and a manifest that names every
// file with its document count and SHA-256. Beside the data, the Kafka consumer groups' committed offsets and the
// topics' end offsets at the moment of the backup, so an operator can see what had been consumed.
//
// Restore checks the whole backup first (every file's digest and count) and writes nothing when one is wrong; it
// refuses a database that is not empty unless told to replace it. What is not in a backup: Temporal's workflow
// histories (the dev server's own file) — not needed: the approvals database records every approval in flight
// (approval_records, open_approvals) and the approvals service resumes those Temporal no longer has when it starts
// (services/approvals/adapters/temporal/approval-resumer.ts), as the programme service does for pilots; a unified revision
// cycle is not resumed — and Kafka's messages themselves.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { Kafka } from 'kafkajs';
import { BSON, MongoClient, type Document, type IndexDescriptionInfo } from 'mongodb';

export const backupFormat = 'bps-backup/1';

/** The databases `npm start` uses (each service's <SERVICE>_DB default). */
export const platformDatabases = ['bps_registry', 'bps_proposals', 'bps_approvals', 'bps_notifications', 'bps_audit', 'bps_programme'] as const;

export type CollectionEntry = {
  readonly database: string;
  readonly collection: string;
  readonly file: string;
  readonly documents: number;
  readonly sha256: string;
  readonly indexes: readonly IndexSpec[];
};

export type IndexSpec = { readonly key: Document; readonly options: Document };

export type KafkaOffsets = {
  readonly topics: Record<string, Record<string, string>>;
  readonly groups: Record<string, Record<string, Record<string, string>>>;
};

export type Manifest = {
  readonly format: typeof backupFormat;
  readonly createdAt: string;
  readonly databases: readonly string[];
  readonly collections: readonly CollectionEntry[];
  readonly kafka?: KafkaOffsets;
};

const ejson = (doc: Document): string => BSON.EJSON.stringify(doc, { relaxed: false });

function indexSpecs(indexes: readonly IndexDescriptionInfo[]): IndexSpec[] {
  return indexes
    .filter((index) => index.name !== '_id_')
    .map(({ key, v: _v, ns: _ns, ...options }) => ({ key: key as Document, options: options as Document }));
}

/** Offsets of the topics and groups whose names `include` accepts (one round trip per group: scope it on a busy broker). */
async function kafkaOffsets(kafka: Kafka, include: (name: string) => boolean): Promise<KafkaOffsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics: KafkaOffsets['topics'] = {};
    for (const topic of (await admin.listTopics()).filter((t) => !t.startsWith('__') && include(t)).sort()) {
      topics[topic] = Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [String(p.partition), p.high]));
    }
    const groups: KafkaOffsets['groups'] = {};
    for (const { groupId } of (await admin.listGroups()).groups.filter((g) => include(g.groupId)).sort((a, b) => a.groupId.localeCompare(b.groupId))) {
      const committed = await admin.fetchOffsets({ groupId });
      groups[groupId] = Object.fromEntries(committed.map((t) => [t.topic, Object.fromEntries(t.partitions.map((p) => [String(p.partition), p.offset]))]));
    }
    return { topics, groups };
  } finally {
    await admin.disconnect();
  }
}

/** Writes every collection of the given databases (those that exist) and the manifest into `outDir`. */
export async function backup(options: {
  mongoUri: string;
  databases: readonly string[];
  outDir: string;
  kafka?: Kafka;
  /** Which topics and consumer groups to record (default: all). */
  kafkaNames?: (name: string) => boolean;
  now?: Date;
}): Promise<Manifest> {
  if (existsSync(join(options.outDir, 'manifest.json'))) throw new Error(`${options.outDir} already holds a backup; choose an empty folder`);
  mkdirSync(options.outDir, { recursive: true });
  const client = new MongoClient(options.mongoUri);
  await client.connect();
  try {
    const existing = new Set((await client.db().admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name));
    const databases = options.databases.filter((d) => existing.has(d));
    const collections: CollectionEntry[] = [];
    for (const database of databases) {
      const db = client.db(database);
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
      mkdirSync(join(options.outDir, database), { recursive: true });
      for (const collection of names) {
        const file = join(database, `${collection}.ejson`);
        const out = createWriteStream(join(options.outDir, file));
        const digest = createHash('sha256');
        let documents = 0;
        // _id order: the same data gives the same file (and digest).
        for await (const doc of db.collection(collection).find({}).sort({ _id: 1 })) {
          const line = `${ejson(doc)}\n`;
          digest.update(line);
          if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
          documents += 1;
        }
        out.end();
        await finished(out);
        collections.push({
          database,
          collection,
          file,
          documents,
          sha256: digest.digest('hex'),
          indexes: indexSpecs(await db.collection(collection).indexes()),
        });
      }
    }
    const manifest: Manifest = {
      format: backupFormat,
      createdAt: (options.now ?? new Date()).toISOString(),
      databases,
      collections,
      ...(options.kafka ? { kafka: await kafkaOffsets(options.kafka, options.kafkaNames ?? (() => true)) } : {}),
    };
    writeFileSync(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await client.close();
  }
}

async function* lines(path: string): AsyncGenerator<string> {
  const reader = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of reader) if (line.length > 0) yield line;
}

/** Reads and checks a backup's manifest and every file it names; throws naming the first problem. */
export async function verifyBackup(fromDir: string): Promise<Manifest> {
  const path = join(fromDir, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${fromDir} holds no backup (no manifest.json)`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (manifest.format !== backupFormat) throw new Error(`${path}: format ${String(manifest.format)}, expected ${backupFormat}`);
  for (const entry of manifest.collections) {
    const file = join(fromDir, entry.file);
    if (!existsSync(file)) throw new Error(`${entry.file} is missing`);
    const digest = createHash('sha256');
    let documents = 0;
    for await (const line of lines(file)) {
      digest.update(`${line}\n`);
      documents += 1;
    }
    if (documents !== entry.documents) throw new Error(`${entry.file}: ${documents} documents, the manifest says ${entry.documents}`);
    if (digest.digest('hex') !== entry.sha256) throw new Error(`${entry.file}: its SHA-256 differs from the manifest's (changed or damaged)`);
  }
  return manifest;
}

/**
 * Restores a verified backup. A database that already holds collections is refused unless `replace` (then it is
 * dropped first). Returns the manifest it restored.
 */
export async function restore(options: { mongoUri: string; fromDir: string; replace?: boolean }): Promise<Manifest> {
  const manifest = await verifyBackup(options.fromDir);
  const client = new MongoClient(options.mongoUri);
  await client.connect();
  try {
    for (const database of manifest.databases) {
      const present = await client.db(database).listCollections({}, { nameOnly: true }).toArray();
      if (present.length > 0 && !options.replace) {
        throw new Error(`database ${database} is not empty (${present.length} collections); restore into an empty stack, or pass --replace`);
      }
    }
    for (const database of manifest.databases) if (options.replace) await client.db(database).dropDatabase();
    for (const entry of manifest.collections) {
      const collection = client.db(entry.database).collection(entry.collection);
      await client.db(entry.database).createCollection(entry.collection);
      let batch: Document[] = [];
      for await (const line of lines(join(options.fromDir, entry.file))) {
        batch.push(BSON.EJSON.parse(line, { relaxed: false }) as Document);
        if (batch.length === 500) {
          await collection.insertMany(batch, { ordered: true });
          batch = [];
        }
      }
      if (batch.length > 0) await collection.insertMany(batch, { ordered: true });
      for (const index of entry.indexes) await collection.createIndex(index.key, index.options);
    }
    return manifest;
  } finally {
    await client.close();
  }
}

// What the platform has stored, as one comparable value per collection (issue #15: "stored data unchanged"). Left
// out: the records a refusal legitimately leaves (bps.access.refused on its way to audit, and the outbox bookkeeping
// that carries it), and what services build from Kafka rather than from requests — audit's log, the notifications
// feed, processed-event marks. A request could change those only through an event some service emitted, and every
// emitted event is first stored in that service's outbox or event store, which the snapshot does cover; leaving
// them out also keeps the comparison exact while the seed's events are still being consumed. Also left out: the
// leases background workers renew on a timer (notifications' `delivery_workers`), which change with time alone.
import { createHash } from 'node:crypto';
import type { MongoClient } from 'mongodb';

/** Collections that only carry events out (their domain content is checked where it is decided), and workers' leases. */
const bookkeeping = /^(refusal_outbox|outbox_pending|pending_markers|.*_pending|processed_events|feed|counters|delivery_workers|outbox_swept)$/;
/** Databases fed only by Kafka (audit's log). */
const consumerFedDatabase = /_audit$/;
const refusalRecord = /bps\.access\.refused|bps\.event\.deadlettered/;

export type Snapshot = Record<string, { count: number; hash: string }>;

export async function snapshot(client: MongoClient, databases: readonly string[]): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const name of databases) {
    if (consumerFedDatabase.test(name)) continue;
    const db = client.db(name);
    for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (bookkeeping.test(collection)) continue;
      const docs = await db.collection(collection).find({}).sort({ _id: 1 }).toArray();
      const kept = docs.map((d) => JSON.stringify(d)).filter((text) => !refusalRecord.test(text));
      out[`${name}.${collection}`] = { count: kept.length, hash: createHash('sha256').update(kept.join('\n')).digest('hex').slice(0, 16) };
    }
  }
  return out;
}

/** The collections whose content differs, with their counts before → after. */
export function changed(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n]?.hash !== after[n]?.hash).map((n) => `${n}: ${before[n]?.count ?? '-'} → ${after[n]?.count ?? '-'}`);
}

// Seeds open drafts for the proposals growth rows quickly but honestly: each draft is decided and folded by the
// proposals domain (decide/evolve) and written through the service's own store (ProposalStore.append and project,
// ids from its counters), exactly the documents CreateProposal and the conflict reconciliation after it write —
// its events, item claims, read model and snapshot, and the conflict flags on both sides for every other open draft
// touching the same item — only batched per proposal (one append of all of a draft's events instead of one per
// conflict), so 1,000 drafts take a minute, not an hour. They are written as relayed long ago (the relay would
// otherwise spend half an hour sending ~30,000 past events before the first sample).
import type { Db } from 'mongodb';
import type { Actor } from '../../proto/gen/bps/common/v1/common';
import type { ProposalStore } from '../../services/proposals/adapters/mongo/store';
import { coProposersFor } from '../../services/proposals/domain/checks';
import { itemCodesOf } from '../../services/proposals/domain/items';
import { decide, evolve, type Command, type ProposalEvent, type ProposalState } from '../../services/proposals/domain/proposal';
import { proposalId } from '../../services/proposals/domain/view';
import { yearInChina } from '../../services/shared/standards/china-date';
import { healthProposal } from '../unit/proposals-fixtures';

/** The 81 items of the seeded catalogue, by the ministry leading drafts on them. */
const fields: readonly [prefix: string, count: number, ministry: string][] = [
  ['CUL', 10, 'MCT'],
  ['DIS', 10, 'CDPF'],
  ['EDU', 8, 'MOE'],
  ['EMP', 10, 'MOHRSS'],
  ['HEA', 20, 'NHC'],
  ['HOU', 3, 'MOHURD'],
  ['INS', 7, 'NHSA'],
  ['SOC', 13, 'MCA'],
];
const items = fields.flatMap(([prefix, count]) => Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`));
const ministryOf = (itemCode: string): string => (itemCode === 'HEA-12' ? 'NATCM' : fields.find(([prefix]) => itemCode.startsWith(prefix))![2]);

/**
 * The item the n-th seeded draft touches: one in ten on each of two hot items (HEA-01, EDU-03), the rest spread
 * evenly over all 81 items (a stride coprime with 81 mixes the fields). At 1,000 drafts: ~100 on each hot item,
 * ~10 on every other one.
 */
export function seededItem(n: number): string {
  if (n % 10 === 3) return 'HEA-01';
  if (n % 10 === 7) return 'EDU-03';
  const k = n - Math.floor(n / 10) * 2 - (n % 10 > 3 ? 1 : 0) - (n % 10 > 7 ? 1 : 0);
  return items[(k * 37) % items.length]!;
}

type Pending = { state: ProposalState | undefined; from: number; events: ProposalEvent[] };

function run(pending: Pending, command: Command, at: Date): void {
  const decision = decide(pending.state, command);
  if (!decision.ok) throw new Error(`seed: ${decision.refusal.message}`);
  for (const event of decision.events) {
    pending.events.push(event);
    pending.state = evolve(pending.state, { sequence: (pending.state?.sequence ?? 0) + 1, at, event });
  }
}

async function inBatches<T>(values: readonly T[], width: number, f: (value: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < values.length; i += width) await Promise.all(values.slice(i, i + width).map(f));
}

/**
 * Writes drafts number `from` … `from + count - 1` (see seededItem) as open drafts, flagged against every open draft
 * seeded earlier on the same item, and those against them. Returns their ids.
 */
export async function seedDrafts(store: ProposalStore, namespace: string, from: number, count: number): Promise<string[]> {
  const at = new Date();
  const year = yearInChina(at);
  const byItem = new Map<string, string[]>();
  const touched = new Map<string, Pending>();
  // The open drafts seeded before, by item (their ids were numbered in seeding order per ministry).
  const seeded = seededIn.get(store) ?? new Map<string, { n: number; itemCode: string }>();
  seededIn.set(store, seeded);
  const earlier = [...seeded].filter(([, s]) => s.n < from).map(([id, s]) => [id, s.itemCode] as const);
  for (const [id, itemCode] of earlier) byItem.set(itemCode, [...(byItem.get(itemCode) ?? []), id]);
  const pendingOf = async (id: string): Promise<Pending> => {
    let p = touched.get(id);
    if (!p) {
      const state = await store.load(id);
      p = { state, from: state?.sequence ?? 0, events: [] };
      touched.set(id, p);
    }
    return p;
  };
  const created: string[] = [];
  for (let n = from; n < from + count; n++) {
    const itemCode = seededItem(n);
    const ministry = ministryOf(itemCode);
    const actor: Actor = {
      subject: ministry === 'NHC' ? 'nhc.staff.li' : `${ministry.toLowerCase()}.staff.bench`,
      organisation: ministry,
      roles: ['ministry-staff'],
    };
    const id = proposalId(year, ministry, await store.nextCounter(`${year}-${ministry}`), namespace);
    const content = healthProposal({ itemCode, level: String(80 + (n % 20)) });
    const mine: Pending = { state: undefined, from: 0, events: [] };
    touched.set(id, mine);
    const draft = { content, itemCodes: itemCodesOf(content), fieldCodes: [itemCode.startsWith('HEA') ? 'F17-HEA' : `F-${itemCode.slice(0, 3)}`] };
    run(mine, { kind: 'create', proposalId: id, leadMinistry: ministry, coProposers: coProposersFor(ministry), draft, actor }, at);
    // What reconcileConflicts does after a create: flag each open draft on the same item, on both sides.
    for (const otherId of byItem.get(itemCode) ?? []) {
      run(mine, { kind: 'flagConflict', otherProposalId: otherId, itemCodes: [itemCode], actor }, at);
      run(await pendingOf(otherId), { kind: 'flagConflict', otherProposalId: id, itemCodes: [itemCode], actor }, at);
    }
    byItem.set(itemCode, [...(byItem.get(itemCode) ?? []), id]);
    created.push(id);
    seeded.set(id, { n, itemCode });
  }
  await inBatches([...touched], 4, async ([id, p]) => {
    if (p.events.length === 0 || !p.state) return;
    // As history: drafts that piled up over months, their events long since relayed.
    await store.append(id, p.from, p.events, at, { relayedAt: at });
    if (p.from === 0) await store.syncClaims(p.state);
    await store.project(p.state);
  });
  return created;
}

/** The drafts seeded so far in this process per store (seeding order, item). */
const seededIn = new WeakMap<ProposalStore, Map<string, { n: number; itemCode: string }>>();

/**
 * Waits until the background work is done: no proposal marked for conflict reconciliation and every event written
 * so far sent by the relay (no pending outbox markers in the store's database).
 */
export async function waitForRelay(store: ProposalStore, pollMs = 2000, timeoutMs = 600_000): Promise<void> {
  const client = (store.events as unknown as { client: { db(name: string): Db } }).client;
  const db = client.db(store.events.dbName);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const marks = await db.collection('proposal_conflict_reconciles').countDocuments({});
    const pending = marks > 0 ? 1 : await db.collection('outbox_pending').countDocuments({});
    if (marks + pending === 0) return;
    if (Date.now() > deadline) throw new Error('background work (conflict reconciliation, outbox relay) did not finish');
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

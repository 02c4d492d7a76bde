// Unit tier: the notifications use cases on in-memory ports — a subscription command runs through the shared command
// handler and aligns the delivery queue; refusals are returned, not thrown; delivery lists are scoped by the caller.
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../services/shared/auth/identity';
import { ConcurrencyError, NotFoundError, PermissionDeniedError } from '../../services/shared/errors/errors';
import type { DeliveryQuery, DeliveryScope, SubscriptionStore } from '../../services/notifications/application/ports';
import { SubscriptionCommands } from '../../services/notifications/application/subscription-commands';
import { Subscriptions } from '../../services/notifications/application/subscriptions';
import { emptyFilter } from '../../services/notifications/domain/filter';
import type { MaybeSubscription, SubscriptionEvent, SubscriptionState } from '../../services/notifications/domain/subscription';

const at = new Date('2026-11-01T08:00:00Z');
const owner: Identity = { subject: 'nbs.admin', name: 'NBS', organisation: 'NBS', roles: ['subscriber-admin'] };
const other: Identity = { subject: 'mof.admin', name: 'MOF', organisation: 'MOF', roles: ['subscriber-admin'] };
const operator: Identity = { subject: 'ops', name: 'Ops', organisation: 'OPS', roles: ['operator'] };

/** Subscriptions in memory; `conflicts` appends lose to another writer first (which pauses the subscription). */
function memoryStore(conflicts = 0): SubscriptionStore & { appended: SubscriptionEvent[][] } {
  const byId = new Map<string, SubscriptionState>();
  let lost = 0;
  return {
    appended: [],
    async load(id) {
      const state = byId.get(id);
      return { state, revision: state?.revision ?? 0 };
    },
    async append(id, expected, events, next: MaybeSubscription) {
      const current = byId.get(id);
      if (lost < conflicts && current) {
        lost++;
        byId.set(id, { ...current, status: 'paused', revision: current.revision + 1 });
        throw new ConcurrencyError('changed meanwhile', current.revision + 1);
      }
      if ((current?.revision ?? 0) !== expected) throw new ConcurrencyError('stale', current?.revision ?? 0);
      this.appended.push([...events]);
      byId.set(id, next!);
      return next!.revision;
    },
    async get(id) {
      return byId.get(id);
    },
    async list(organisation) {
      return [...byId.values()].filter((s) => s.status !== 'deleted' && (organisation === undefined || s.organisation === organisation));
    },
    async listReceiving() {
      return [...byId.values()].filter((s) => s.status !== 'deleted');
    },
    async version() {
      return '';
    },
  };
}

function queue() {
  const calls: string[] = [];
  const queries: unknown[] = [];
  return {
    calls,
    queries,
    async setHeld(id: string, held: boolean) {
      calls.push(`held ${id} ${held}`);
    },
    async cancelPending(id: string) {
      calls.push(`cancel ${id}`);
    },
    async insertNew() {
      return [];
    },
    async createMissing() {
      return 0;
    },
    async reopen(scope: DeliveryScope, statuses: readonly string[]) {
      queries.push({ reopen: scope, statuses });
      return 1;
    },
    async list(query: DeliveryQuery) {
      queries.push(query);
      return [];
    },
  };
}

function setup(conflicts = 0) {
  const store = memoryStore(conflicts);
  const deliveries = queue();
  const changed: string[] = [];
  /** The ids of the changes that moved rows (the worker's lanes look at the database again). */
  const moved: string[] = [];
  const commands = new SubscriptionCommands(store, deliveries, (id, rowsMoved) => {
    changed.push(id);
    if (rowsMoved) moved.push(id);
  });
  const attempts = { list: async (query: DeliveryQuery) => (deliveries.queries.push({ attempts: query }), []) };
  const feed = { append: async () => never(), after: async () => [], page: async () => [], lastCursor: async () => 0, cursorBefore: async () => 0 };
  const subscriptions = new Subscriptions({ subscriptions: store, commands, deliveries, attempts, feed });
  return { store, deliveries, changed, moved, commands, subscriptions };
}
const never = (): never => {
  throw new Error('not used');
};

async function created(s: ReturnType<typeof setup>, id = 's1'): Promise<SubscriptionState> {
  const handled = await s.subscriptions.create(owner, {
    id,
    endpointUrl: 'https://nbs.example/hook',
    filter: emptyFilter,
    description: '',
    secret: 'whsec_a',
    at,
  });
  if (!handled.ok) throw new Error(JSON.stringify(handled.refusal));
  return handled.state!;
}

describe('subscription commands (application)', () => {
  it('creates, then holds the deliveries of a paused subscription, releases them on resume and cancels them on delete', async () => {
    const s = setup();
    expect(await created(s)).toMatchObject({ id: 's1', organisation: 'NBS', status: 'active', revision: 1, createdBy: 'nbs.admin' });
    expect(s.changed).toEqual(['s1']);
    expect(s.moved).toEqual([]); // a new subscription has no rows: its lanes need not look at the database
    expect(s.deliveries.calls).toEqual([]);
    expect(await s.subscriptions.pause(owner, 's1', at)).toMatchObject({ ok: true, state: { status: 'paused', revision: 2 } });
    expect(await s.subscriptions.resume(owner, 's1', at)).toMatchObject({ ok: true, state: { status: 'active', revision: 3 } });
    await s.subscriptions.rotateSecret(owner, 's1', { secret: 'whsec_b', gracePeriodSeconds: 0, defaultGraceMs: 5_000, at });
    expect(await s.subscriptions.delete(owner, 's1', at)).toMatchObject({ ok: true, state: { status: 'deleted' } });
    // The secret's rotation changes no status: nothing to hold or release.
    expect(s.deliveries.calls).toEqual(['held s1 true', 'held s1 false', 'cancel s1']);
    // Before and after each move of rows (pause, resume, delete); the rotation only reloads the in-memory copies.
    expect(s.moved).toHaveLength(6);
    expect(s.changed).toHaveLength(1 + 6 + 1);
    expect(s.store.appended.map((events) => events.map((e) => e.type))).toEqual([['created'], ['paused'], ['resumed'], ['secretRotated'], ['deleted']]);
  });

  it('writes nothing for a command that changes nothing, and returns a refusal instead of throwing it', async () => {
    const s = setup();
    await created(s);
    await s.subscriptions.pause(owner, 's1', at);
    const writes = s.store.appended.length;
    const changed = s.changed.length;
    expect(await s.commands.run('s1', { kind: 'pause', at })).toMatchObject({ ok: true, events: [] });
    expect(await s.commands.run('s1', { kind: 'disable', reason: '410', at })).toMatchObject({ ok: true, events: [] }); // a paused one stays paused
    expect([s.store.appended.length, s.changed.length]).toEqual([writes, changed]);
    await s.commands.run('s1', { kind: 'delete', at });
    expect(await s.commands.run('s1', { kind: 'resume', at })).toMatchObject({
      ok: false,
      refusal: { code: 'FAILED_PRECONDITION', reason: 'SUBSCRIPTION_STATUS', message: 'cannot resume a deleted subscription' },
    });
    await expect(s.commands.run('nope', { kind: 'pause', at })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('decides again on what a concurrent writer left (the shared command handler), and aligns the queue to that', async () => {
    const s = setup(1);
    await created(s);
    // Another writer paused it between the load and the append: the disable is decided again on a paused subscription.
    expect(await s.commands.run('s1', { kind: 'disable', reason: '410', at })).toMatchObject({ ok: true, events: [], state: { status: 'paused' } });
    expect(s.deliveries.calls).toEqual([]);
  });

  it('lets only the owning organisation change a subscription, and hides it from others', async () => {
    const s = setup();
    await created(s);
    await expect(s.subscriptions.pause(other, 's1', at)).rejects.toBeInstanceOf(NotFoundError);
    await expect(s.subscriptions.pause({ ...owner, roles: ['auditor'] }, 's1', at)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await s.subscriptions.redeliverable(operator, 's1')).toMatchObject({ id: 's1' });
  });

  it('scopes delivery lists: by subscription when named, else by event and the caller’s organisation (all for an operator)', async () => {
    const s = setup();
    await created(s);
    await s.subscriptions.deliveries(owner, { subscriptionId: 's1', eventId: '', status: 'dead' }, 0, 10);
    await s.subscriptions.deliveries(owner, { subscriptionId: '', eventId: 'e1', status: undefined }, 0, 10);
    await s.subscriptions.deliveries(operator, { subscriptionId: '', eventId: 'e1', status: undefined }, 0, 10);
    await s.subscriptions.attempts(owner, { subscriptionId: 's1', eventId: 'e1' }, 0, 10);
    await s.subscriptions.redeliver((await s.store.get('s1'))!, []);
    await s.subscriptions.redeliver((await s.store.get('s1'))!, ['e1']);
    expect(s.deliveries.queries).toEqual([
      { subscriptionId: 's1', status: 'dead' },
      { organisation: 'NBS', eventId: 'e1' },
      { eventId: 'e1' },
      { attempts: { subscriptionId: 's1', eventId: 'e1' } },
      { reopen: { subscriptionId: 's1' }, statuses: ['dead'] },
      { reopen: { subscriptionId: 's1', eventIds: ['e1'] }, statuses: ['dead', 'delivered'] },
    ]);
    await expect(s.subscriptions.deliveries(owner, { subscriptionId: '', eventId: '', status: undefined }, 0, 10)).rejects.toMatchObject({
      violations: [{ field: 'subscription_id' }],
    });
  });
});

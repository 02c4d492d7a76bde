// Runs a subscription command: load, decide, evolve, save (compare-and-set), then align the delivery queue
// (paused/disabled subscriptions hold their deliveries, deleted ones cancel them).
import { ConcurrencyError, NotFoundError } from '../../shared/errors/errors';
import { decide, evolve, type SubscriptionCommand, type SubscriptionEvent, type SubscriptionState } from '../domain/subscription';
import type { DeliveryRepository, SubscriptionRepository } from './mongo-store';

export class SubscriptionCommands {
  /** `onChanged`: a subscription was written (in-memory copies reload; its delivery lanes look at the database again). */
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly onChanged: (id: string) => void = () => undefined,
  ) {}

  async create(command: Extract<SubscriptionCommand, { type: 'create' }>): Promise<SubscriptionState> {
    const events = decide(undefined, command);
    const state = events.reduce<SubscriptionState | undefined>(evolve, undefined)!;
    await this.subscriptions.insert(state, events);
    this.onChanged(state.id);
    return state;
  }

  /** Applies `command` to the subscription; retries a few times when another writer got there first. */
  async execute(
    id: string,
    command: Exclude<SubscriptionCommand, { type: 'create' }>,
  ): Promise<{ state: SubscriptionState; events: readonly SubscriptionEvent[] }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.subscriptions.get(id);
      if (!current) throw new NotFoundError('subscription', id);
      const events = decide(current, command);
      if (events.length === 0) return { state: current, events };
      const next = events.reduce<SubscriptionState>((s, e) => evolve(s, e), current);
      try {
        await this.subscriptions.save(next, current.revision, events);
      } catch (error) {
        if (error instanceof ConcurrencyError && attempt < 5) continue;
        throw error;
      }
      this.onChanged(id);
      if (next.status === 'deleted') await this.deliveries.cancelPending(id);
      else if (next.status !== current.status) await this.deliveries.setHeld(id, next.status !== 'active');
      this.onChanged(id);
      return { state: next, events };
    }
  }
}

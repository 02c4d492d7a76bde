// Use case: run a subscription command through the shared command handler (load → decide → append at the loaded
// revision → decide again on a concurrent write), then align the delivery queue (paused/disabled subscriptions hold
// their deliveries, deleted ones cancel them). A refusal is returned; the edges turn it into an error.
import { handleCommand, type Handled } from '../../shared/domain/command-handler';
import { NotFoundError } from '../../shared/errors/errors';
import { subscriptionDecider, type MaybeSubscription, type SubscriptionCommand, type SubscriptionEvent } from '../domain/subscription';
import type { DeliveryQueue, SubscriptionStore } from './ports';

export type SubscriptionHandled = Handled<MaybeSubscription, SubscriptionEvent>;

export class SubscriptionCommands {
  /**
   * `onChanged`: a subscription was written (in-memory copies reload). `rowsMoved`: its status changed, so its queued
   * deliveries were held, released or cancelled — they may now be anyone's, and its delivery lanes look at the
   * database again. A create, or a change that leaves the status (a secret rotation), moves no row: its lanes keep
   * trusting what they hold (a look per new lane for ever after a create was most of the delivery rows' reads).
   */
  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly deliveries: Pick<DeliveryQueue, 'setHeld' | 'cancelPending'>,
    private readonly onChanged: (id: string, rowsMoved: boolean) => void = () => undefined,
  ) {}

  /** Applies `command` to subscription `id` (NotFoundError when it does not exist and the command is not a create). */
  async run(id: string, command: SubscriptionCommand): Promise<SubscriptionHandled> {
    const seen: { before?: MaybeSubscription } = {};
    const handled = await handleCommand(this.subscriptions, subscriptionDecider, id, (state) => {
      if (!state && command.kind !== 'create') throw new NotFoundError('subscription', id);
      seen.before = state;
      return command;
    });
    if (!handled.ok || handled.events.length === 0) return handled;
    const before = seen.before;
    const next = handled.state!;
    const rowsMove = before !== undefined && next.status !== before.status; // not on a create: it has no rows yet
    this.onChanged(id, rowsMove);
    if (!rowsMove) return handled;
    if (next.status === 'deleted') await this.deliveries.cancelPending(id);
    else await this.deliveries.setHeld(id, next.status !== 'active');
    this.onChanged(id, true);
    return handled;
  }
}

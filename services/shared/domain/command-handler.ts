// The one command handler for event-sourced aggregates: load → decide → append at the loaded revision → on a
// concurrent append, load again and decide again (the other writer's events may change the answer). A refusal is
// returned, not thrown: the caller (an edge) decides how to report and audit it.
import { ConcurrencyError } from '../errors/errors';
import type { Decider, Decision, Refusal } from './decider';

/** What a handler needs from a store: the aggregate's state with its revision, and an append that fails with
 *  ConcurrencyError when the aggregate is no longer at `expectedRevision`. */
export interface AggregateStore<State, Event> {
  load(id: string): Promise<{ readonly state: State; readonly revision: number }>;
  /** Returns the aggregate's revision after the append. */
  append(id: string, expectedRevision: number, events: readonly Event[], next: State): Promise<number>;
}

export type Handled<State, Event> =
  | { readonly ok: true; readonly state: State; readonly events: readonly Event[]; readonly revision: number }
  | { readonly ok: false; readonly refusal: Refusal; readonly state: State; readonly revision: number };

export const defaultCommandAttempts = 5;

export async function handleCommand<State, Command, Event>(
  store: AggregateStore<State, Event>,
  decider: Decider<State, Command, Event>,
  id: string,
  command: Command | ((state: State) => Command),
  attempts = defaultCommandAttempts,
): Promise<Handled<State, Event>> {
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await store.load(id);
    const decision: Decision<Event> = decider.decide(state, typeof command === 'function' ? (command as (s: State) => Command)(state) : command);
    if (!decision.ok) return { ok: false, refusal: decision.refusal, state, revision };
    if (decision.events.length === 0) return { ok: true, state, events: [], revision };
    const next = decision.events.reduce(decider.evolve, state);
    try {
      const appended = await store.append(id, revision, decision.events, next);
      return { ok: true, state: next, events: decision.events, revision: appended };
    } catch (error) {
      if (error instanceof ConcurrencyError && attempt < attempts) continue;
      throw error;
    }
  }
}

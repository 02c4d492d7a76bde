// The one shape of a decision, for every aggregate and every workflow: `decide(state, command)` returns the events
// that follow or a refusal, and never throws for a rule; `evolve(state, event)` folds an event into the state. Only the
// edges (gRPC handlers, HTTP routes, workflow update validators, activities) turn a refusal into an error, with
// `refusalError` here or `ruleRefusalError` in services/shared/errors. Pure: no I/O and no Node built-ins, so workflow
// code (bundled into Temporal's sandbox) may import it.
import type { RuleRefusal } from '../errors/errors';

export type Refusal = RuleRefusal;
export type RefusalCode = Refusal['code'];

export type Decision<Event> = { readonly ok: true; readonly events: readonly Event[] } | { readonly ok: false; readonly refusal: Refusal };

export interface Decider<State, Command, Event> {
  decide(state: State, command: Command): Decision<Event>;
  evolve(state: State, event: Event): State;
  /** The state before the first event (an aggregate that does not exist yet). */
  readonly initialState: State;
}

/** The events that follow (none: the command changes nothing). */
export function accepted<Event>(...events: Event[]): Decision<Event> {
  return { ok: true, events };
}

/** A rule's refusal; `violations` name the fields (INVALID_ARGUMENT) or the unmet conditions (FAILED_PRECONDITION). */
export function refused<Event = never>(code: RefusalCode, reason: string, message: string, violations?: Refusal['violations']): Decision<Event> {
  return { ok: false, refusal: violations?.length ? { code, reason, message, violations } : { code, reason, message } };
}

/** Folds `events` into `state` with `evolve`. */
export function evolveAll<State, Event>(evolve: (state: State, event: Event) => State, state: State, events: readonly Event[]): State {
  return events.reduce(evolve, state);
}

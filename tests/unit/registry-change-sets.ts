// What a change set leads to, for the unit tests of domain/changeset.ts: its one event (published or rejected);
// a refusal (a change set that cannot be read) fails the test.
import { expect } from 'vitest';
import { decideChangeSet, type ChangeSetEvent } from '../../services/registry/domain/changeset';

export function decide(...args: Parameters<typeof decideChangeSet>): ChangeSetEvent {
  const decision = decideChangeSet(...args);
  if (!decision.ok) throw new Error(`refused: ${decision.refusal.message}`);
  expect(decision.events).toHaveLength(1);
  return decision.events[0]!;
}

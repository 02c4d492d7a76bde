import { describe, expect, it } from 'vitest';
import { handleCommand, type AggregateStore } from '../../services/shared/domain/command-handler';
import { accepted, refused, type Decider } from '../../services/shared/domain/decider';
import { ConcurrencyError } from '../../services/shared/errors/errors';

type Counter = { readonly value: number };
type Add = { readonly type: 'add'; readonly by: number };
type Added = { readonly type: 'added'; readonly by: number };
const counter: Decider<Counter, Add, Added> = {
  initialState: { value: 0 },
  decide: (state, command) =>
    state.value + command.by > 10
      ? refused('FAILED_PRECONDITION', 'OVER_LIMIT', `${state.value} + ${command.by} > 10`)
      : command.by === 0
        ? accepted()
        : accepted({ type: 'added', by: command.by }),
  evolve: (state, event) => ({ value: state.value + event.by }),
};

/** A store whose first `conflicts` appends lose to another writer, which adds `theirs` each time. */
function store(conflicts: number, theirs = 1): AggregateStore<Counter, Added> & { value: () => number; appends: number } {
  let state: Counter = { value: 0 };
  let revision = 0;
  let lost = 0;
  return {
    appends: 0,
    value: () => state.value,
    async load() {
      return { state, revision };
    },
    async append(_id, expected, events, next) {
      this.appends++;
      if (lost < conflicts) {
        lost++;
        state = { value: state.value + theirs };
        revision++;
        throw new ConcurrencyError('changed meanwhile', revision);
      }
      if (expected !== revision) throw new ConcurrencyError('stale', revision);
      state = next;
      revision += events.length;
      return revision;
    },
  };
}

describe('handleCommand (load → decide → append → retry on conflict)', () => {
  it('appends the decided events at the loaded revision', async () => {
    const s = store(0);
    const handled = await handleCommand(s, counter, 'c', { type: 'add', by: 3 });
    expect(handled).toMatchObject({ ok: true, events: [{ type: 'added', by: 3 }], revision: 1, state: { value: 3 } });
    expect(s.value()).toBe(3);
  });

  it('decides again on the state another writer left: the retry can be refused', async () => {
    const s = store(1, 8);
    const handled = await handleCommand(s, counter, 'c', { type: 'add', by: 3 });
    expect(handled).toMatchObject({ ok: false, refusal: { code: 'FAILED_PRECONDITION', reason: 'OVER_LIMIT' }, state: { value: 8 } });
    expect(s.value()).toBe(8);
  });

  it('gives up after the attempts with the ConcurrencyError', async () => {
    const s = store(10);
    await expect(handleCommand(s, counter, 'c', { type: 'add', by: 0.5 }, 3)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(s.appends).toBe(3);
  });

  it('writes nothing for a decision without events', async () => {
    const s = store(0);
    expect(await handleCommand(s, counter, 'c', { type: 'add', by: 0 })).toMatchObject({ ok: true, events: [], revision: 0 });
    expect(s.appends).toBe(0);
  });
});

// The quiet-moment barrier of the test kit: a count that stops changing for one poll.
import { describe, expect, it } from 'vitest';
import { unchanged } from '../support/wait';

describe('unchanged', () => {
  it('holds only once the count answers the same at two polls in a row', () => {
    const counts = [0, 2, 3, 3];
    let i = 0;
    const quiet = unchanged(() => counts[i++]!);
    expect([quiet(), quiet(), quiet(), quiet()]).toEqual([false, false, false, true]);
  });

  it('does not hold at the first poll, even for a count of nothing', () => {
    const quiet = unchanged(() => 0);
    expect(quiet()).toBe(false);
    expect(quiet()).toBe(true);
  });
});

// The lines a failed run ends with: each failed test with its file and suites, and a file or suite that failed in a
// hook or at collection without a failing test.
import { describe, expect, it } from 'vitest';
import { failureLines, type TaskLike } from '../support/run-failures';

const pass = { state: 'pass' };
const fail = (message: string) => ({ state: 'fail', errors: [{ message }] });

describe('failure lines', () => {
  it('names each failed test with its path and the first line of its error', () => {
    const files: TaskLike[] = [
      { name: 'a.int.test.ts', result: pass, tasks: [{ name: 'passes', result: pass }] },
      {
        name: 'b.int.test.ts',
        result: fail('ignored'),
        tasks: [
          {
            name: 'suite',
            result: fail('ignored'),
            tasks: [
              { name: 'refuses', result: fail('expected 400\nto be 200') },
              { name: 'ok', result: pass },
            ],
          },
        ],
      },
    ];
    expect(failureLines(files)).toEqual(['b.int.test.ts > suite > refuses: expected 400']);
  });

  it('names a file that failed in its hooks, and bounds the list', () => {
    expect(failureLines([{ name: 'c.int.test.ts', result: fail('Hook timed out in 300000ms'), tasks: [{ name: 't', result: { state: 'skip' } }] }])).toEqual([
      'c.int.test.ts: Hook timed out in 300000ms',
    ]);
    const many = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, result: fail('x') }));
    expect(failureLines(many, 2)).toEqual(['f0: x', 'f1: x', '… and 3 more']);
  });
});

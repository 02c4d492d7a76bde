// The tests' stack watch: a component that stays down ends the run with its log; one that recovers does not; a run
// past its budget ends too. Probes are functions here (no infrastructure); the intervals are shortened.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settings } from '../../infra/local/settings';
import { logTail, watchStack, type StackWatch } from '../support/stack-watch';
import { within } from '../support/wait';

const fast = { checkEveryMs: 20, failuresBeforeAbort: 3, probeTimeoutMs: 50, budgetMs: 0, say: () => undefined };

function aborted(): { promise: Promise<string>; onAbort: (report: string) => void } {
  let onAbort: (report: string) => void = () => undefined;
  const promise = new Promise<string>((resolve) => {
    onAbort = resolve;
  });
  return { promise, onAbort };
}

/** The report, or 'not called' when the watch has not ended the run within `ms`. */
const reportWithin = (ms: number, p: Promise<string>): Promise<string> => within(ms, 'the watch', p).catch(() => 'not called');

describe('stack watch', () => {
  let watch: StackWatch | undefined;
  afterEach(() => watch?.stop());
  const dir = mkdtempSync(join(tmpdir(), 'stack-watch-'));
  const s = { ...settings(), logDir: dir };

  it('ends the run when a component fails every check, naming it and showing its log', async () => {
    const log = join(dir, 'broker.log');
    writeFileSync(log, 'line 1\nbroker: out of disk\n');
    const { promise, onAbort } = aborted();
    watch = watchStack(
      s,
      [
        { name: 'broker', logPath: log, healthy: async () => false },
        { name: 'engine', healthy: async () => true },
      ],
      onAbort,
      fast,
    );
    const report = await reportWithin(2_000, promise);
    expect(report).toContain('broker stopped answering');
    expect(report).toContain('broker=3');
    expect(report).toContain('engine=0');
    expect(report).toContain('broker: out of disk');
  });

  it('counts a probe that never answers as a failure', async () => {
    const { promise, onAbort } = aborted();
    watch = watchStack(s, [{ name: 'stuck', healthy: () => new Promise<boolean>(() => undefined) }], onAbort, fast);
    expect(await reportWithin(2_000, promise)).toContain('stuck stopped answering');
  });

  it('lets a component that recovers between failures run on', async () => {
    let checks = 0;
    const { promise, onAbort } = aborted();
    watch = watchStack(s, [{ name: 'flaky', healthy: async () => ++checks % 3 !== 0 }], onAbort, { ...fast, failuresBeforeAbort: 2 });
    expect(await reportWithin(400, promise)).toBe('not called');
    expect(checks).toBeGreaterThan(5);
  });

  it('ends a run that outlives its budget', async () => {
    const { promise, onAbort } = aborted();
    watch = watchStack(s, [{ name: 'fine', healthy: async () => true }], onAbort, { ...fast, budgetMs: 100 });
    expect(await reportWithin(2_000, promise)).toContain('BPS_TEST_BUDGET_MINUTES');
  });

  it('shows the end of a long log only', () => {
    const log = join(dir, 'long.log');
    writeFileSync(log, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'));
    const tail = logTail(log, 3).split('\n');
    expect(tail.at(-1)).toBe('line 99');
    expect(tail.length).toBeLessThanOrEqual(4);
    expect(logTail(join(dir, 'none.log'), 3)).toContain('no log at');
  });
});

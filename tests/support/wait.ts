// Barriers for tests: wait for an exact condition (an event seen, a record written), never for a fixed time.
// Inside `it`, prefer expect.poll; these work anywhere (beforeAll, fixtures, benchmarks).

/** Resolves once `condition` holds (polled every `intervalMs`); fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A condition for `waitUntil`: holds once `count` answers the same at two polls in a row, that is once nothing more
 * arrived for one interval (a quiet moment, so that stragglers and late duplicates have the time to show).
 */
export function unchanged(count: () => number): () => boolean {
  let seen = -1;
  return () => {
    const now = count();
    const quiet = now === seen;
    seen = now;
    return quiet;
  };
}

/** Resolves with the first value `probe` returns that is not undefined (polled); fails with `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000, intervalMs = 50): Promise<T> {
  let found: T | undefined;
  await waitUntil(async () => (found = await probe()) !== undefined, what, timeoutMs, intervalMs);
  return found as T;
}

/** `work`'s outcome, or a failure naming `what` after `ms` (for calls that may never answer, such as a wedged database). */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

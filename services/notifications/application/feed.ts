// Reads the feed in cursor order for a stream. A cursor is taken (counter $inc) before its entry is written, so
// a reader can see cursor n+1 while n is still being written: it waits at such a gap, and only steps over it once
// the later entry is older than the grace period (the writer of n died or lost a race: n will never exist).
import type { Feed, FeedDoc } from './ports';

export class FeedSignal {
  private readonly waiters = new Set<() => void>();
  notify(): void {
    for (const w of [...this.waiters]) w();
  }
  /** Resolves on the next notify, after `ms`, or when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

export type FeedReadOptions = {
  readonly pollMs: number;
  readonly gapGraceMs: number;
  readonly batchSize: number;
  readonly signal: AbortSignal;
  readonly feedSignal: FeedSignal;
};

export async function* readFeed(feed: Pick<Feed, 'after'>, afterCursor: number, options: FeedReadOptions): AsyncGenerator<FeedDoc> {
  let last = afterCursor;
  while (!options.signal.aborted) {
    const docs = await feed.after(last, options.batchSize);
    let stalled = docs.length < options.batchSize;
    for (const doc of docs) {
      if (options.signal.aborted) return;
      if (doc.cursor !== last + 1 && Date.now() - doc.appendedAt.getTime() < options.gapGraceMs) {
        stalled = true; // an earlier cursor may still be being written
        break;
      }
      yield doc;
      last = doc.cursor;
    }
    if (stalled) await options.feedSignal.wait(options.pollMs, options.signal);
  }
}

// The subscriptions held in memory (issue #16): fan-out and delivery read them without a round trip each. The
// index is invalidated by version: every write of a subscription bumps one counter document, so knowing whether the
// copy is current costs one `_id` read, and only a change reloads the set (one read of the subscriptions, not of
// history). Writes made in this process invalidate it at once; writes made by another instance are seen at the next
// check (intake checks before every event, delivery at most `maxAgeMs` late).
import type { SubscriptionState } from '../domain/subscription';
import type { SubscriptionStore } from './ports';

export class SubscriptionIndex {
  private byId = new Map<string, SubscriptionState>();
  private version: string | undefined;
  private checkedAt = 0;
  private inFlight: Promise<void> | undefined;
  /** Set by a local write: the next read reloads even if a check just ran. */
  private stale = true;
  private started = 0;
  private applied = 0;

  constructor(private readonly repository: Pick<SubscriptionStore, 'version' | 'listReceiving'>) {}

  /** The subscriptions, checked against the stored version unless checked less than `maxAgeMs` ago. */
  async current(maxAgeMs = 0): Promise<ReadonlyMap<string, SubscriptionState>> {
    if (this.stale || Date.now() - this.checkedAt > maxAgeMs) await this.check();
    return this.byId;
  }

  /** Every subscription that can still receive events (paused and disabled ones queue). */
  async receiving(): Promise<SubscriptionState[]> {
    return [...(await this.current(0)).values()];
  }

  async get(id: string, maxAgeMs: number): Promise<SubscriptionState | undefined> {
    return (await this.current(maxAgeMs)).get(id);
  }

  /** A write in this process: the next read reloads. */
  invalidate(): void {
    this.stale = true;
  }

  private check(): Promise<void> {
    // Concurrent readers share one check; a check started before an invalidation does not satisfy it.
    if (this.inFlight && !this.stale) return this.inFlight;
    const run = (async () => {
      this.stale = false;
      const seq = ++this.started;
      const startedAt = Date.now();
      const version = await this.repository.version(); // read before the set: a write after it bumps past it
      if (version !== this.version) {
        const all = await this.repository.listReceiving();
        if (seq <= this.applied) return; // a later check already applied a newer copy
        this.byId = new Map(all.map((s) => [s.id, s]));
        this.version = version;
      }
      this.applied = Math.max(this.applied, seq);
      this.checkedAt = startedAt;
    })();
    const shared = run.finally(() => {
      if (this.inFlight === shared) this.inFlight = undefined;
    });
    this.inFlight = shared;
    return shared.catch((error: unknown) => {
      this.stale = true;
      throw error;
    });
  }
}

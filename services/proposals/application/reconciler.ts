// Runs Proposals.reconcileMarked in the background (issue #16): woken in-process when an append marks a proposal,
// once at start (marks left by a stopped or crashed instance), and every `sweepMs` (marks another instance wrote
// and could not finish). Failures are logged and retried after a pause; the marks stay until done.
import type { Logger } from '../../shared/log/logger';
import type { Proposals } from './proposals';

export class ConflictReconciler {
  private running = false;
  private stopped = false;
  private again = false;
  private idle: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly proposals: Proposals,
    private readonly logger: Logger,
    private readonly options: { sweepMs?: number; retryMs?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.sweepMs ?? 30_000);
    this.timer.unref();
    this.wake();
  }

  /** Asks for a pass; one already running makes one more after it. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = this.drain().finally(() => {
      this.running = false;
    });
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.proposals.reconcileMarked()) > 0);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'conflict reconciliation failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1000));
        this.again = !this.stopped;
      }
    } while (this.again && !this.stopped);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle;
  }
}

// Polls the persisted due list and fires version.effective when a release's date arrives. State lives in the
// database, so a restart resumes where it stopped; the claim protocol (Registry.fireDue in application/publication.ts) prevents double fires.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../shared/errors/errors';
import type { Logger } from '../../shared/log/logger';
import type { Registry } from '../application/registry';

export class EffectiveScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  readonly id = `scheduler-${randomUUID()}`;

  constructor(
    private readonly registry: Registry,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.registry
        .fireDue(this.id)
        .then((fired) => {
          if (fired > 0) this.logger.info({ fired }, 'version.effective fired');
        })
        .catch((error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'scheduler pass failed; will retry'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.pollMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * National monitoring's tick (issue #17): a pass every `everyMs` finds the early warnings that only the calendar
 * brings (a re-filing deadline passing); filings and national changes ask for a pass themselves. The first tick comes
 * after `everyMs`, not at start-up.
 */
export class MonitoringScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly registry: Registry,
    private readonly logger: Logger,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.registry
        .monitor()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'monitoring pass failed; will retry'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.everyMs);
        });
    };
    this.timer = setTimeout(tick, this.everyMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

// Keeps the platform's service processes running under `npm start`: a process that exits while the platform is
// not stopping (a crash, kill -9, an OOM kill) is started again after a backoff that doubles with each quick
// failure (0.5 s, 1 s, 2 s … at most 30 s) and resets once the process has stayed up for a minute. Every exit and
// restart is said on the console, so an operator sees what happened.
import type { ChildProcess } from 'node:child_process';

export type SupervisedProcess = {
  readonly name: string;
  /** Starts one instance of the process. */
  spawn(): ChildProcess;
};

export type SupervisorOptions = {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A run at least this long counts as healthy and resets the backoff. */
  readonly stableAfterMs?: number;
  readonly say?: (line: string) => void;
};

type Entry = { spec: SupervisedProcess; child: ChildProcess; startedAt: number; backoffMs: number; restarts: number; timer?: NodeJS.Timeout };

export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private stopping = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly stableAfterMs: number;
  private readonly say: (line: string) => void;

  constructor(options: SupervisorOptions = {}) {
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    this.say = options.say ?? ((line) => console.error(`[start] ${line}`));
  }

  /** Starts a process and keeps it running until `stop()`. */
  start(spec: SupervisedProcess): ChildProcess {
    const entry: Entry = { spec, child: spec.spawn(), startedAt: Date.now(), backoffMs: this.initialBackoffMs, restarts: 0 };
    this.entries.set(spec.name, entry);
    this.watch(entry);
    return entry.child;
  }

  /** The current child of a supervised process (a new one after each restart). */
  current(name: string): ChildProcess | undefined {
    return this.entries.get(name)?.child;
  }

  restarts(name: string): number {
    return this.entries.get(name)?.restarts ?? 0;
  }

  private watch(entry: Entry): void {
    const child = entry.child;
    child.once('exit', (code, signal) => {
      if (this.stopping || entry.child !== child) return;
      const ranMs = Date.now() - entry.startedAt;
      if (ranMs >= this.stableAfterMs) entry.backoffMs = this.initialBackoffMs;
      const delay = entry.backoffMs;
      entry.backoffMs = Math.min(entry.backoffMs * 2, this.maxBackoffMs);
      this.say(
        `${entry.spec.name} exited (${signal ? `signal ${signal}` : `code ${code}`}) after ${(ranMs / 1000).toFixed(1)}s; restarting in ${(delay / 1000).toFixed(1)}s (restart ${entry.restarts + 1})`,
      );
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        if (this.stopping) return;
        entry.restarts += 1;
        entry.startedAt = Date.now();
        entry.child = entry.spec.spawn();
        this.say(`${entry.spec.name} restarted (pid ${entry.child.pid ?? '?'})`);
        this.watch(entry);
      }, delay);
    });
  }

  /** Stops every process: SIGTERM, then SIGKILL after the grace period. Nothing is restarted after this. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.entries.values()].map(async (entry) => {
        if (entry.timer) clearTimeout(entry.timer);
        const child = entry.child;
        if (child.exitCode !== null || child.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
        });
      }),
    );
  }
}

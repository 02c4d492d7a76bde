// The service host: every service's app.ts declares its parts (database, Kafka, relay, consumers, workers, gRPC
// server…) through one host, which starts them in the order declared and stops them in reverse order.
//
//   return hostService({ name: 'registry', logger }, async (host) => {
//     const mongo = await host.start('mongo', () => connectMongo(uri, db), (m) => m.close());
//     await host.step('indexes', () => store.init());
//     const consumer = await host.launch('change-set consumer', changeSetConsumer({ … }));
//     return { grpcPort: server.port };
//   });
//
// - Start-up steps that meet a transient failure (a TransientError, a dependency outage per isDependencyOutage, a
//   retriable Kafka error) are tried again, a bounded number of times with growing pauses, each retry logged. Any
//   other failure — a configuration error above all — fails at once.
// - When a part fails to start, the parts already started are stopped (reverse order) before the error is thrown.
// - stop() runs every part's stop in reverse start order, each even when an earlier one throws (every failure is
//   logged, the first rethrown once all have run); it runs once: later calls wait for the first.
import { ConfigError } from '../config/config';
import { errorMessage, isDependencyOutage, PlatformError } from '../errors/errors';
import type { Logger } from '../log/logger';

export type StartRetry = {
  /** How many times a transiently failing step is tried in all (1 = no retry). */
  readonly attempts: number;
  /** Pause before the second try; doubled for each further try, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
};

export const defaultStartRetry: StartRetry = { attempts: 4, baseDelayMs: 200, maxDelayMs: 2_000 };

/**
 * Start-up failures worth another try: a platform error marked retriable (TransientError: connectMongo and
 * connectTemporal throw one when they cannot reach their server), a dependency outage anywhere in the cause chain,
 * a kafkajs error it marks retriable, or a broker not yet serving a topic it has just created. Configuration
 * errors never are.
 */
export function isTransientAtStart(error: unknown): boolean {
  if (error instanceof ConfigError) return false;
  if (error instanceof PlatformError) return error.retriable;
  if (isDependencyOutage(error)) return true;
  if (!(error instanceof Error)) return false;
  if (error.name.startsWith('KafkaJS') && (error as { retriable?: boolean }).retriable === true) return true;
  return /does not host this topic-partition/.test(error.message);
}

export type HostOptions = {
  /** The service's name (in log lines). */
  readonly name: string;
  readonly logger: Logger;
  readonly retry?: Partial<StartRetry>;
  /** Which failures are transient (default isTransientAtStart). */
  readonly transient?: (error: unknown) => boolean;
  /** Waits between tries (tests pass a fake clock). */
  readonly sleep?: (ms: number) => Promise<void>;
};

/** Something that starts and stops (a consumer, a scheduler, a relay…). */
export type Startable = { start(): unknown; stop(): unknown };

type Stop = { readonly name: string; readonly stop: () => unknown };

export class ServiceHost {
  readonly name: string;
  readonly logger: Logger;
  private readonly retry: StartRetry;
  private readonly transient: (error: unknown) => boolean;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly stops: Stop[] = [];
  private readonly startedNames: string[] = [];
  private stopping: Promise<void> | undefined;

  constructor(options: HostOptions) {
    this.name = options.name;
    this.logger = options.logger;
    this.retry = { ...defaultStartRetry, ...options.retry };
    this.transient = options.transient ?? isTransientAtStart;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The parts started so far, in start order. */
  get started(): readonly string[] {
    return [...this.startedNames];
  }

  /**
   * Starts one part (retried while it fails transiently) and, with `stop`, records how to stop it: stop() runs it
   * in reverse start order.
   */
  async start<T>(name: string, start: () => T | Promise<T>, stop?: (value: T) => unknown): Promise<T> {
    if (this.stopping) throw new Error(`${this.name}: cannot start ${name}: the service is stopping`);
    const value = await this.attempt(name, start);
    this.startedNames.push(name);
    if (stop) this.stops.push({ name, stop: () => stop(value) });
    return value;
  }

  /** A start-up step with nothing to stop (creating indexes or topics, a recovery pass); retried like a start. */
  step<T>(name: string, run: () => T | Promise<T>): Promise<T> {
    return this.start(name, run);
  }

  /** Starts a part that has start() and stop() (a consumer, a scheduler…); stop() stops it. */
  launch<T extends Startable>(name: string, part: T): Promise<T> {
    return this.start(
      name,
      async () => {
        await part.start();
        return part;
      },
      (p) => p.stop(),
    );
  }

  /** Records how to stop something made without a start (a client built by its constructor), at this point in the order. */
  onStop(name: string, stop: () => unknown): void {
    if (this.stopping) throw new Error(`${this.name}: cannot add ${name}: the service is stopping`);
    this.startedNames.push(name);
    this.stops.push({ name, stop });
  }

  /** Stops every part in reverse start order; each stop runs even if an earlier one throws. Runs once. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const { name, stop } of [...this.stops].reverse()) {
      try {
        await stop();
      } catch (error) {
        failures.push(error);
        this.logger.error({ part: name, err: errorMessage(error) }, `${this.name}: stopping ${name} failed; stopping the rest`);
      }
    }
    this.stops.length = 0;
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${this.name}: ${failures.length} parts failed to stop`);
  }

  private async attempt<T>(name: string, start: () => T | Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start();
      } catch (error) {
        if (attempt >= this.retry.attempts || !this.transient(error)) throw error;
        const delayMs = Math.min(this.retry.baseDelayMs * 2 ** (attempt - 1), this.retry.maxDelayMs);
        this.logger.warn(
          { part: name, attempt, attempts: this.retry.attempts, delayMs, err: errorMessage(error) },
          `${this.name}: starting ${name} failed transiently; retrying`,
        );
        await this.sleep(delayMs);
      }
    }
  }
}

/**
 * Runs a service's declaration on a new host. When a part fails to start, what already started is stopped (reverse
 * order; failures to stop are logged) and the start-up error is thrown. The result gets the host's stop(), unless
 * the declaration returns a stop of its own (which should end with host.stop()).
 */
export async function hostService<T extends object>(options: HostOptions, declare: (host: ServiceHost) => Promise<T>): Promise<T & { stop(): Promise<void> }> {
  const host = new ServiceHost(options);
  try {
    const declared = await declare(host);
    return { stop: () => host.stop(), ...declared };
  } catch (error) {
    options.logger.warn({ started: host.started, err: errorMessage(error) }, `${options.name}: start-up failed; stopping what started`);
    await host.stop().catch(() => undefined); // each failure is logged by the host
    throw error;
  }
}

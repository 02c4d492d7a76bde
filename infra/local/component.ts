// One piece of the local stack (Kafka, the MongoDB-protocol database, Temporal) and how the stack brings a set of
// them up. Installs run one after another (2 cores: parallel Go builds only thrash) and never block the event
// loop; each component is launched as soon as its own install is done, and its readiness deadline starts at its
// launch, so a long build of one component never eats another's deadline. A failed bring-up stops every
// component it launched before reporting.
import { say, sleep } from './process';

export type Component = {
  readonly name: string;
  healthy(): Promise<boolean>;
  /** Installs what is missing; a no-op when installed. May take minutes on a first run. */
  install(): Promise<void>;
  /** Launches the process and returns without waiting for it to be ready. */
  launch(): Promise<void>;
  /** How long the component may take from launch to healthy. */
  readonly readyWithinMs: number;
  readonly logPath?: string;
  stop(): Promise<unknown>;
};

export async function waitUntilHealthy(component: Pick<Component, 'name' | 'healthy' | 'readyWithinMs' | 'logPath'>, pollMs = 300): Promise<void> {
  const deadline = Date.now() + component.readyWithinMs;
  for (;;) {
    if (await component.healthy().catch(() => false)) return;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
  throw new Error(
    `${component.name} did not become healthy within ${Math.round(component.readyWithinMs / 1000)}s of its start${component.logPath ? `; see ${component.logPath}` : ''}`,
  );
}

/**
 * Brings up every component that is not healthy yet. Returns the names of those it launched, in launch order.
 * On any failure it stops what it launched, then throws one error naming every component that failed.
 */
const skipped = new Error('skipped after an earlier failure');

export async function bringUp(components: readonly Component[]): Promise<string[]> {
  const health = await Promise.all(components.map((c) => c.healthy().catch(() => false)));
  const needed = components.filter((_, i) => !health[i]);
  const launched: Component[] = [];
  const failures: string[] = [];
  let aborted = false;
  let installs: Promise<void> = Promise.resolve();
  const ready = needed.map((component) => {
    // Chain each install behind the previous one; the readiness wait runs beside the next install.
    const installed = installs.then(() => {
      if (aborted) throw skipped; // fail fast: no further minutes-long builds after a failure
      return component.install().catch((error: unknown) => {
        aborted = true;
        throw error;
      });
    });
    installs = installed.catch(() => undefined);
    return installed
      .then(async () => {
        if (aborted) throw skipped; // another component failed while this one installed
        launched.push(component);
        await component.launch();
        await waitUntilHealthy(component);
      })
      .catch((error: unknown) => {
        aborted = true;
        if (error !== skipped) failures.push(error instanceof Error ? error.message : String(error));
      });
  });
  await Promise.all(ready);
  if (failures.length > 0) {
    if (launched.length > 0) {
      say(`bring-up failed; stopping what it started (${launched.map((c) => c.name).join(', ')})`);
      await Promise.all(launched.map((c) => c.stop().catch(() => undefined)));
    }
    throw new Error(failures.join('\n'));
  }
  return launched.map((c) => c.name);
}

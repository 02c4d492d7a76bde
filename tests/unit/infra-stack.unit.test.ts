// How the local stack comes up on a first run: installs run as child processes that never block the event loop,
// each component's readiness deadline starts at its own launch, and a failed bring-up stops what it launched.
// The components here are stand-ins with real child processes for their installs (`sleep`), so the timing
// logic is exercised without building Kafka, FerretDB or Temporal.
import { describe, expect, it } from 'vitest';
import { bringUp, type Component } from '../../infra/local/component';
import { runStep } from '../../infra/local/process';

type Probe = Component & { launchedAt?: number; stopped: boolean };

function component(name: string, options: { installSeconds?: number; readyAfterMs?: number; readyWithinMs: number; healthyAlready?: boolean }): Probe {
  const probe: Probe = {
    name,
    stopped: false,
    readyWithinMs: options.readyWithinMs,
    async healthy() {
      if (options.healthyAlready) return true;
      if (probe.launchedAt === undefined || options.readyAfterMs === undefined) return false;
      return Date.now() - probe.launchedAt >= options.readyAfterMs;
    },
    async install() {
      if (options.installSeconds) await runStep(`${name}: slow install`, 'sleep', [String(options.installSeconds)], { progressEveryMs: 2000 });
    },
    async launch() {
      probe.launchedAt = Date.now();
    },
    async stop() {
      probe.stopped = true;
    },
  };
  return probe;
}

describe('local stack bring-up', () => {
  it('keeps checking a started component while a later one installs for longer than the first one’s deadline', async () => {
    // Kafka-like: no install, healthy 100 ms after launch, 1 s to get there. Temporal-like: a 3 s build.
    const quick = component('quick', { readyAfterMs: 100, readyWithinMs: 1000 });
    const slow = component('slow', { installSeconds: 3, readyAfterMs: 100, readyWithinMs: 1000 });
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks += 1;
    }, 100);
    try {
      expect(await bringUp([quick, slow])).toEqual(['quick', 'slow']);
    } finally {
      clearInterval(ticker);
    }
    // The event loop ran throughout the 3 s install (a blocking spawnSync would give ~0 ticks).
    expect(ticks).toBeGreaterThan(20);
    expect(quick.stopped).toBe(false);
  });

  it('starts a component’s deadline at its launch, not before its own install', async () => {
    const built = component('built', { installSeconds: 2, readyAfterMs: 200, readyWithinMs: 1000 });
    expect(await bringUp([built])).toEqual(['built']);
  });

  it('leaves healthy components alone and reports only what it started', async () => {
    const running = component('running', { healthyAlready: true, readyWithinMs: 1000 });
    const down = component('down', { readyAfterMs: 50, readyWithinMs: 1000 });
    expect(await bringUp([running, down])).toEqual(['down']);
    expect(running.launchedAt).toBeUndefined();
  });

  it('stops what it launched when a component never becomes healthy, and names the one that failed', async () => {
    const good = component('good', { readyAfterMs: 50, readyWithinMs: 1000 });
    const stuck = component('stuck', { readyWithinMs: 500 });
    const never = component('never-reached', { installSeconds: 1, readyAfterMs: 50, readyWithinMs: 1000 });
    await expect(bringUp([good, stuck, never])).rejects.toThrow(/stuck did not become healthy within 1s of its start/);
    expect(good.stopped).toBe(true);
    expect(stuck.stopped).toBe(true);
    // Its install was under way when `stuck` failed; it is not launched after that.
    expect(never.launchedAt).toBeUndefined();
  });

  it('stops launched components and skips later installs when an install fails', async () => {
    const good = component('good', { readyAfterMs: 50, readyWithinMs: 1000 });
    const broken: Probe = { ...component('broken', { readyWithinMs: 1000 }), install: () => runStep('broken: install', 'false', []) };
    const later = component('later', { readyAfterMs: 50, readyWithinMs: 1000 });
    await expect(bringUp([good, broken, later])).rejects.toThrow(/broken: install failed with exit code 1/);
    expect(good.stopped).toBe(true);
    expect(later.launchedAt).toBeUndefined();
  });
});

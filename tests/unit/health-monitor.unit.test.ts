// The dependency monitor behind gRPC health (services/shared/grpc/health.ts): a dependency is down only after
// `failuresBeforeDown` failed checks in a row, up again after one success; a check that does not answer in time fails.
import { describe, expect, it } from 'vitest';
import { HealthImplementation } from 'grpc-health-check';
import { monitorDependencies, onDependencyWedged, WEDGED_AFTER_FAILURES, type DependencyCheck } from '../../services/shared/grpc/health';
import { createLogger } from '../../services/shared/log/logger';

const logger = createLogger('test', 'silent');
const statusOf = (health: HealthImplementation, service: string): string =>
  (health as unknown as { statusMap: Map<string, string> }).statusMap.get(service) ?? 'UNKNOWN';

describe('dependency monitor', () => {
  it('marks a dependency down after consecutive failures only, and up after one success', async () => {
    const answers: boolean[] = [true, false, true, false, false, true];
    let calls = 0;
    const flaky: DependencyCheck = {
      name: 'db',
      check: async () => {
        if (!answers[calls++]) throw new Error('no');
      },
    };
    const health = new HealthImplementation({ '': 'SERVING' });
    const monitor = await monitorDependencies(health, ['x.Y'], [flaky], logger, { intervalMs: 20, timeoutMs: 100, failuresBeforeDown: 2 });
    const seen: string[] = [statusOf(health, '')];
    while (calls < answers.length) {
      const before = calls;
      await expect.poll(() => calls, { timeout: 2_000, interval: 5 }).toBeGreaterThan(before);
      await new Promise((r) => setImmediate(r));
      seen.push(statusOf(health, ''));
    }
    monitor.stop();
    // true, false (one failure: still up), true, false, false (two in a row: down), true (up)
    expect(seen).toEqual(['SERVING', 'SERVING', 'SERVING', 'SERVING', 'NOT_SERVING', 'SERVING']);
    expect(statusOf(health, 'x.Y')).toBe('SERVING');
    expect(statusOf(health, 'dependency/db')).toBe('SERVING');
  });

  it('is down at start when a dependency does not answer within the timeout', async () => {
    const hanging: DependencyCheck = { name: 'kafka', check: () => new Promise(() => undefined) };
    const health = new HealthImplementation({ '': 'SERVING' });
    const monitor = await monitorDependencies(health, ['x.Y'], [hanging], logger, { intervalMs: 10_000, timeoutMs: 50 });
    monitor.stop();
    expect(statusOf(health, '')).toBe('NOT_SERVING');
    expect(statusOf(health, 'x.Y')).toBe('NOT_SERVING');
    expect(statusOf(health, 'dependency/kafka')).toBe('NOT_SERVING');
    expect(monitor.states()).toEqual([expect.objectContaining({ name: 'kafka', up: false, detail: 'no answer within 50 ms' })]);
  });

  it('tells a stuck client from a dependency that is down: a new connection answering while checks keep failing', async () => {
    const wedged: string[] = [];
    onDependencyWedged((dependency) => wedged.push(dependency));
    let freshAnswers = false;
    let checks = 0;
    const stuck: DependencyCheck = {
      name: 'mongodb',
      check: async () => {
        checks += 1;
        throw new Error('connection 5 to 127.0.0.1:27017 closed');
      },
      fresh: async () => {
        if (!freshAnswers) throw new Error('ECONNREFUSED');
      },
    };
    const health = new HealthImplementation({ '': 'SERVING' });
    // The database is down: every check and every new connection fail — nothing to restart for.
    const down = await monitorDependencies(health, ['x.Y'], [stuck], logger, { intervalMs: 5, timeoutMs: 100 });
    await expect.poll(() => checks, { timeout: 2_000, interval: 5 }).toBeGreaterThan(WEDGED_AFTER_FAILURES * 2);
    down.stop();
    expect(wedged).toEqual([]);
    // It is back for a new connection, but this client still fails: stuck, said once per WEDGED_AFTER_FAILURES.
    freshAnswers = true;
    checks = 0;
    const back = await monitorDependencies(health, ['x.Y'], [stuck], logger, { intervalMs: 5, timeoutMs: 100 });
    await expect.poll(() => wedged.length, { timeout: 2_000, interval: 5 }).toBeGreaterThan(0);
    back.stop();
    expect(wedged[0]).toBe('mongodb');
    expect(checks).toBeGreaterThanOrEqual(WEDGED_AFTER_FAILURES);
    onDependencyWedged(() => undefined);
  });
});

// Watches the local stack while the tests run, so that a component that dies or wedges fails the run within about
// two minutes, saying which one and showing its log, instead of every remaining test file waiting out its own
// 300 s setup timeout (that is how a CI run once used up its 90 minutes and printed nothing useful).
// Also bounds the whole run (BPS_TEST_BUDGET_MINUTES, default 60): past it, the same report, then exit 1.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import type { Component } from '../../infra/local/component';
import { mongoUri } from '../../infra/local/mongo';
import { say } from '../../infra/local/process';
import type { Settings } from '../../infra/local/settings';
import { within } from './wait';

export type StackWatch = { stop(): void; report(reason: string): Promise<string> };

type Probe = { readonly name: string; readonly logPath?: string; healthy(): Promise<boolean> };

export type WatchOptions = {
  readonly checkEveryMs: number;
  /** A component is declared down after this many failed checks in a row. */
  readonly failuresBeforeAbort: number;
  readonly probeTimeoutMs: number;
  /** The whole run's bound; 0 for none. */
  readonly budgetMs: number;
  /** Where a first failed check is said (the infra log line by default). */
  readonly say?: (line: string) => void;
};

/** Every 10 s; down after 12 failed checks in a row (2 minutes); the run bounded by BPS_TEST_BUDGET_MINUTES (60). */
export function defaultWatchOptions(): WatchOptions {
  const minutes = Number(process.env['BPS_TEST_BUDGET_MINUTES'] ?? '60');
  return { checkEveryMs: 10_000, failuresBeforeAbort: 12, probeTimeoutMs: 15_000, budgetMs: Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : 0 };
}

/**
 * The database answers a ping even when its storage is stuck, so its probe writes and reads a document (in a
 * database of its own) as the tests do.
 */
function databaseRoundTrip(s: Settings): () => Promise<boolean> {
  return async () => {
    const client = new MongoClient(mongoUri(s), { serverSelectionTimeoutMS: 5_000, connectTimeoutMS: 5_000, socketTimeoutMS: 15_000 });
    try {
      const probes = client.db('bps_stack_watch').collection<{ _id: string; at: Date }>('probes');
      await probes.updateOne({ _id: 'probe' }, { $set: { at: new Date() } }, { upsert: true });
      return (await probes.findOne({ _id: 'probe' })) !== null;
    } finally {
      await client.close().catch(() => undefined);
    }
  };
}

/** The last `lines` lines of a log file (reads at most its last 256 KiB). */
export function logTail(path: string, lines: number): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  const size = statSync(path).size;
  const text = readFileSync(path)
    .subarray(Math.max(0, size - 256 * 1024))
    .toString('utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n')
    .trimEnd();
}

/**
 * What FerretDB's goroutines wait on (its debug handler), grouped: a wedge shows as many requests waiting for a
 * PostgreSQL connection (`pgxpool.(*Pool).Acquire`) while the pool's connections sit idle.
 */
async function ferretdbGoroutines(s: Settings): Promise<string> {
  if (s.mongo.externalUri) return '';
  try {
    const response = await fetch(`http://127.0.0.1:${s.mongo.debugPort}/debug/pprof/goroutine?debug=1`, { signal: AbortSignal.timeout(5_000) });
    const groups = (await response.text()).split('\n\n');
    const lines = [groups[0]?.split('\n')[0] ?? ''];
    for (const group of groups.slice(0, 40)) {
      const count = /^(\d+) @/m.exec(group)?.[1];
      const frames = [...group.matchAll(/#\s+0x[0-9a-f]+\s+(\S+)/g)].map((m) => m[1] ?? '');
      const own = frames.find((f) => f.includes('FerretDB/internal/handler') || f.includes('FerretDB/internal/backends'));
      if (!count || !own) continue;
      const waitsForConnection = frames.some((f) => f.includes('pgxpool.(*Pool).Acquire'));
      lines.push(`  ${count} in ${own}${waitsForConnection ? ' (waiting for a PostgreSQL connection)' : ''}`);
    }
    return lines.join('\n');
  } catch (error) {
    return `(FerretDB's debug handler did not answer: ${error instanceof Error ? error.message : String(error)})`;
  }
}

export function watchStack(
  s: Settings,
  components: readonly Pick<Component, 'name' | 'healthy' | 'logPath'>[],
  onAbort: (report: string) => void,
  options: WatchOptions = defaultWatchOptions(),
): StackWatch {
  const { checkEveryMs, failuresBeforeAbort } = options;
  const probes: Probe[] = components.map((c) => (c.name === 'mongo' ? { name: c.name, logPath: c.logPath, healthy: databaseRoundTrip(s) } : c));
  const failures = new Map<string, number>(probes.map((p) => [p.name, 0]));
  const began = Date.now();
  let stopped = false;
  let aborted = false;

  const report = async (reason: string): Promise<string> => {
    const parts = [`[stack-watch] ${reason}`, `[stack-watch] consecutive failed checks: ${probes.map((p) => `${p.name}=${failures.get(p.name)}`).join(', ')}`];
    for (const p of probes) {
      if (p.logPath) parts.push(`[stack-watch] last lines of ${p.logPath}:`, logTail(p.logPath, 25));
    }
    const goroutines = probes.some((p) => p.name === 'mongo') ? await ferretdbGoroutines(s) : '';
    if (goroutines) parts.push('[stack-watch] FerretDB goroutines:', goroutines);
    return parts.join('\n');
  };

  const abort = (reason: string): void => {
    if (aborted || stopped) return;
    aborted = true;
    void report(reason).then(onAbort);
  };

  const timer = setInterval(() => {
    void (async () => {
      if (options.budgetMs > 0 && Date.now() - began > options.budgetMs) {
        abort(`the tests have run for more than ${options.budgetMs / 60_000} minutes (BPS_TEST_BUDGET_MINUTES); stopping the run`);
        return;
      }
      const results = await Promise.all(probes.map((p) => within(options.probeTimeoutMs, `${p.name} health check`, p.healthy()).catch(() => false)));
      if (stopped) return;
      probes.forEach((p, i) => {
        const count = results[i] ? 0 : (failures.get(p.name) ?? 0) + 1;
        if (count === 1) (options.say ?? say)(`stack-watch: ${p.name} failed a health check during the tests`);
        failures.set(p.name, count);
      });
      const down = probes.filter((p) => (failures.get(p.name) ?? 0) >= failuresBeforeAbort);
      if (down.length > 0) {
        abort(
          `${down.map((p) => p.name).join(', ')} stopped answering for ${Math.round((failuresBeforeAbort * checkEveryMs) / 1000)}s during the tests; stopping the run`,
        );
      }
    })();
  }, checkEveryMs);
  timer.unref();

  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    report,
  };
}

// CPU time of a process and its descendants, from /proc (Linux): user + system, including what exited children
// left in their parents' cutime/cstime. For idle-cost rows: sample, wait, sample again.
import { readdirSync, readFileSync } from 'node:fs';
import { mongoPid } from '../../infra/local/mongo';
import { postgresPid } from '../../infra/local/postgres';
import { settings } from '../../infra/local/settings';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

type Stat = { pid: number; ppid: number; ticks: number };

function readStat(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    const num = (n: number): number => Number(fields[n - 3]);
    return { pid, ppid: num(4), ticks: num(14) + num(15) + num(16) + num(17) };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by the processes and all their descendants. */
export function treeCpuSeconds(roots: readonly number[]): number {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readStat(Number(d)))
    .filter((s): s is Stat => s !== undefined);
  const children = new Map<number, Stat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const byPid = new Map(all.map((s) => [s.pid, s]));
  let ticks = 0;
  const seen = new Set<number>();
  const visit = (pid: number): void => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const s = byPid.get(pid);
    if (s) ticks += s.ticks;
    for (const c of children.get(pid) ?? []) visit(c.pid);
  };
  for (const r of roots) visit(r);
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by the database processes: the stack's FerretDB and PostgreSQL, or BENCH_DB_PIDS
 * (comma-separated; BENCH_OUTBOX_DB_PIDS, its older name, too). NaN when none is known.
 */
export function databaseCpu(): () => number {
  const s = settings();
  const given = process.env['BENCH_DB_PIDS'] ?? process.env['BENCH_OUTBOX_DB_PIDS'];
  const pids = given ? given.split(',').map(Number) : [mongoPid(s), postgresPid(s)].filter((p): p is number => p !== undefined);
  return () => (pids.length === 0 ? NaN : treeCpuSeconds(pids));
}

/** CPU seconds used so far by this process (the bench, and the services it runs in-process). */
export function processCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

// `tsx tests/bench/cpu.ts <seconds> <pid>...`: CPU seconds the process trees use over the window.
if (process.argv[1]?.endsWith('cpu.ts')) {
  const [seconds, ...pids] = process.argv.slice(2).map(Number);
  const before = treeCpuSeconds(pids);
  await new Promise((r) => setTimeout(r, (seconds ?? 60) * 1000));
  const used = treeCpuSeconds(pids) - before;
  console.log(JSON.stringify({ seconds, pids, cpuSeconds: +used.toFixed(2), coreShare: +(used / (seconds ?? 60)).toFixed(3) }));
}

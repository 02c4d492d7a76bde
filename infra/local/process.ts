// Starting and stopping the stack's background processes: detached, logged to one folder, tracked by pid files.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Settings } from './settings';

export function say(line: string): void {
  process.stderr.write(`[infra] ${line}\n`);
}

export function pidFile(s: Settings, name: string): string {
  return join(s.runDir, `${name}.pid`);
}

export function runningPid(s: Settings, name: string): number | undefined {
  const file = pidFile(s, name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export function startDetached(
  s: Settings,
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): number {
  mkdirSync(s.logDir, { recursive: true });
  mkdirSync(s.runDir, { recursive: true });
  const logPath = join(s.logDir, `${name}.log`);
  const out = openSync(logPath, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command}); see ${logPath}`);
  child.unref();
  writeFileSync(pidFile(s, name), String(child.pid));
  return child.pid;
}

export async function stopProcess(s: Settings, name: string, graceMs = 15_000, firstSignal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  const pid = runningPid(s, name);
  rmSync(pidFile(s, name), { force: true });
  if (pid === undefined) return false;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig); // the whole process group: wrappers and their children
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal(firstSignal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(200);
  }
  signal('SIGKILL');
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logPath?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(300);
  }
  throw new Error(`${what} did not become healthy within ${Math.round(timeoutMs / 1000)}s${logPath ? `; see ${logPath}` : ''}`);
}

// Runs an install step as a child process without blocking the event loop (health checks of components already
// started keep running meanwhile), streaming its output and saying every 30 s how long it has taken against the
// usual time, so a first install is never silent.
export async function runStep(
  what: string,
  command: string,
  args: readonly string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    usually?: string;
    progressEveryMs?: number;
    /** the arguments carry secrets: do not echo them */ quiet?: boolean;
  } = {},
): Promise<void> {
  say(`${what}: ${command}${options.quiet ? '' : ` ${args.join(' ')}`}${options.usually ? ` (first install usually ${options.usually})` : ''}`);
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)}s`;
  const progress = setInterval(
    () => say(`${what}: still running, ${elapsed()} so far${options.usually ? ` (usually ${options.usually})` : ''}`),
    options.progressEveryMs ?? 30_000,
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', (error) => reject(new Error(`${what} failed: ${error.message} (is ${command} installed?)`)));
      child.once('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`${what} failed with ${signal ? `signal ${signal}` : `exit code ${code}`}`));
      });
    });
  } finally {
    clearInterval(progress);
  }
  say(`${what}: done in ${elapsed()}`);
}

export function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : undefined;
}

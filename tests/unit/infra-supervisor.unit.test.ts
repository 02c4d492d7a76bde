// `npm start` keeps its services running: a process killed with SIGKILL is started again after a backoff that
// grows with quick failures, says so, and nothing is restarted once the platform is stopping. Real child processes.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Supervisor } from '../../infra/scripts/supervisor';

const longRunning = () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

async function until(check: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('service supervisor', () => {
  it('restarts a service killed with SIGKILL, with a doubling backoff, and says so', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor({ initialBackoffMs: 100, maxBackoffMs: 400, say: (l) => lines.push(l) });
    const first = supervisor.start({ name: 'registry', spawn: longRunning });
    try {
      first.kill('SIGKILL');
      await until(() => supervisor.restarts('registry') === 1);
      const second = supervisor.current('registry');
      expect(second?.pid).not.toBe(first.pid);
      expect(second?.exitCode).toBeNull();
      second?.kill('SIGKILL');
      await until(() => supervisor.restarts('registry') === 2);
      expect(lines.filter((l) => l.includes('exited'))).toEqual([
        expect.stringMatching(/^registry exited \(signal SIGKILL\) after .*restarting in 0\.1s \(restart 1\)$/),
        expect.stringMatching(/^registry exited \(signal SIGKILL\) after .*restarting in 0\.2s \(restart 2\)$/),
      ]);
    } finally {
      await supervisor.stop(1000);
    }
    expect(supervisor.current('registry')?.exitCode !== null || supervisor.current('registry')?.signalCode !== null).toBe(true);
  });

  it('caps the backoff for a process that keeps failing', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor({ initialBackoffMs: 20, maxBackoffMs: 80, say: (l) => lines.push(l) });
    supervisor.start({ name: 'crashing', spawn: () => spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' }) });
    try {
      await until(() => supervisor.restarts('crashing') >= 4, 10_000);
    } finally {
      await supervisor.stop(1000);
    }
    const delays = lines.filter((l) => l.includes('restarting in')).map((l) => /restarting in ([\d.]+)s/.exec(l)?.[1]);
    expect(delays.slice(0, 4)).toEqual(['0.0', '0.0', '0.1', '0.1']); // 20, 40, 80, 80 ms
    expect(lines[0]).toMatch(/crashing exited \(code 3\)/);
  });

  it('does not restart anything once stopping', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor({ initialBackoffMs: 10, say: (l) => lines.push(l) });
    const child = supervisor.start({ name: 'audit', spawn: longRunning });
    await supervisor.stop(1000);
    expect(child.signalCode).toBe('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(supervisor.restarts('audit')).toBe(0);
    expect(lines).toEqual([]);
  });
});

// Temporal CLI dev server (SQLite), installed from its Go module, with its Web UI on loopback (BPS_TEMPORAL_UI_PORT).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { Component } from './component';
import { portOpen, runStep, runningPid, say, startDetached, stopProcess, which } from './process';
import { temporalSearchAttributes, versions, type Settings } from './settings';

export function temporalBinary(s: Settings): string {
  return join(s.binDir, 'temporal');
}

export function temporalInstalled(s: Settings): boolean {
  return existsSync(temporalBinary(s));
}

export async function installTemporal(s: Settings): Promise<void> {
  if (temporalInstalled(s)) return;
  if (!which('go')) throw new Error('The Temporal dev server is built with Go; install Go 1.22+ and retry');
  mkdirSync(s.binDir, { recursive: true });
  // v1.5.1: later tags carry a `replace` directive in go.mod, which `go install …@tag` refuses.
  await runStep(
    `Temporal CLI ${versions.temporalCli}: building from the Go module`,
    'go',
    ['install', `github.com/temporalio/cli/cmd/temporal@${versions.temporalCli}`],
    { env: { GOBIN: s.binDir, GOFLAGS: '-mod=mod' }, usually: '5–10 min on 2 cores with an empty Go cache' },
  );
}

export async function temporalHealthy(s: Settings): Promise<boolean> {
  if (!(await portOpen(s.temporal.port))) return false;
  const connection = await Connection.connect({ address: `127.0.0.1:${s.temporal.port}`, connectTimeout: 1000 });
  try {
    await connection.workflowService.describeNamespace({ namespace: s.temporal.namespace });
    return true;
  } finally {
    await connection.close();
  }
}

/** The dev server's Web UI, on the stack's namespace (served on 127.0.0.1:BPS_TEMPORAL_UI_PORT). */
export function temporalUiUrl(s: Settings): string {
  return `http://127.0.0.1:${s.temporal.uiPort}/namespaces/${encodeURIComponent(s.temporal.namespace)}/workflows`;
}

export async function launchTemporal(s: Settings): Promise<void> {
  mkdirSync(s.temporal.dataDir, { recursive: true });
  const attributes = Object.entries(temporalSearchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
  say(`Temporal: starting dev server on 127.0.0.1:${s.temporal.port} (namespace ${s.temporal.namespace}), Web UI on 127.0.0.1:${s.temporal.uiPort}`);
  startDetached(s, 'temporal', temporalBinary(s), [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(s.temporal.port),
    '--ui-ip',
    '127.0.0.1',
    '--ui-port',
    String(s.temporal.uiPort),
    '--db-filename',
    join(s.temporal.dataDir, 'temporal.db'),
    '--namespace',
    s.temporal.namespace,
    '--log-level',
    'warn',
    ...attributes,
  ]);
}

export function temporalComponent(s: Settings): Component {
  return {
    name: 'temporal',
    healthy: () => temporalHealthy(s).catch(() => false),
    install: () => installTemporal(s),
    launch: () => launchTemporal(s),
    readyWithinMs: 90_000,
    logPath: join(s.logDir, 'temporal.log'),
    stop: () => stopTemporal(s),
  };
}

export async function stopTemporal(s: Settings): Promise<boolean> {
  return stopProcess(s, 'temporal');
}

export function temporalPid(s: Settings): number | undefined {
  return runningPid(s, 'temporal');
}

// The Temporal container's command (infra/containers/images.ts) run here without Docker: the image is the Temporal
// CLI at the local stack's version, so the local binary runs the SAME arguments (only the port moved to a free one
// and the listen address to loopback). Proves the ready line the testcontainers wait strategy looks for is what the
// dev server prints, and that the namespace and every search attribute the approvals inbox filters on exist.
// What it cannot prove: the image itself (its entrypoint) — that needs a Docker engine (see README).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerPorts } from '../../infra/containers/images';
import { containerSpecs } from '../../infra/containers/testcontainers';
import { generateDevSecrets } from '../../infra/local/secrets';
import { settings, temporalSearchAttributes } from '../../infra/local/settings';
import { temporalBinary, temporalInstalled } from '../../infra/local/temporal';
import { uniqueName } from '../support/names';

const s = settings();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// Only where the local stack's Temporal CLI is installed (always on the local path; the containers path runs the image).
describe.skipIf(!temporalInstalled(s))('the Temporal container command, run on the same CLI version without Docker', () => {
  const namespace = uniqueName('ns');
  const spec = containerSpecs(generateDevSecrets(), namespace).temporal;
  let server: ChildProcess | undefined;
  let output = '';
  let port = 0;
  let home = '';

  beforeAll(async () => {
    port = await freePort();
    home = mkdtempSync(join(tmpdir(), 'temporal-container-emulation-'));
    const args = spec.command.map((a) => (a === String(containerPorts.temporal) ? String(port) : a === '0.0.0.0' ? '127.0.0.1' : a));
    server = spawn(temporalBinary(s), [...args, '--ui-port', String(await freePort())], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    server.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('prints the ready line the wait strategy waits for, then serves the namespace with every search attribute', async () => {
    if (spec.wait.kind !== 'log') throw new Error('the Temporal container waits for a log line');
    const ready = new RegExp(spec.wait.line.source.replace(String(containerPorts.temporal), String(port)));
    const deadline = Date.now() + 60_000;
    while (!ready.test(output)) {
      if (server?.exitCode !== null) throw new Error(`dev server exited ${server?.exitCode}:\n${output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`no ready line within 60 s:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 5000 });
    try {
      const described = await connection.workflowService.describeNamespace({ namespace });
      expect(described.namespaceInfo?.name).toBe(namespace);
      const attributes = await connection.operatorService.listSearchAttributes({ namespace });
      for (const name of Object.keys(temporalSearchAttributes)) expect(Object.keys(attributes.customAttributes ?? {}), name).toContain(name);
    } finally {
      await connection.close();
    }
  }, 90_000);
});

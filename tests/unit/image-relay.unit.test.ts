// infra/image/relay.mjs, the network-namespace owner of Compose's platform: it relays each `listen=target` pair
// (the gateway to the host's loopback, the infrastructure's host addresses to its containers) both ways.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const relay = fileURLToPath(new URL('../../infra/image/relay.mjs', import.meta.url));
const started: { children: ChildProcess[]; servers: Server[] } = { children: [], servers: [] };

afterEach(async () => {
  for (const child of started.children.splice(0)) child.kill('SIGKILL');
  await Promise.all(started.servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listening(server: Server): Promise<number> {
  started.servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function startRelay(args: string[]): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, [relay, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.children.push(child);
  let output = '';
  return new Promise((resolve) => {
    const done = () => resolve({ child, output });
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.split('\n').filter((l) => l.startsWith('relay: ')).length >= args.length) done();
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', done);
  });
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end(text));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('end', () => resolve(answer));
    // A relay that cannot reach its target closes the client's socket: by an end, or by a reset when the client's
    // bytes were still in flight (which one depends on timing; both are a close).
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(answer) : reject(error)));
  });
}

describe('infra/image/relay.mjs', () => {
  it('relays every pair both ways', async () => {
    const upper = await listening(createServer((s) => s.on('data', (d: Buffer) => s.end(d.toString().toUpperCase()))));
    const reverse = await listening(createServer((s) => s.on('data', (d: Buffer) => s.end([...d.toString()].reverse().join('')))));
    const [a, b] = [await freePort(), await freePort()];
    const { output } = await startRelay([`127.0.0.1:${a}=127.0.0.1:${upper}`, `127.0.0.1:${b}=localhost:${reverse}`]);
    expect(output).toContain(`relay: 127.0.0.1:${a} -> 127.0.0.1:${upper}`);
    expect(await roundTrip(a, 'gateway')).toBe('GATEWAY');
    expect(await roundTrip(b, 'kafka')).toBe('akfak');
  });

  it('closes the client side when the target refuses, and refuses malformed pairs', async () => {
    const [a, closed] = [await freePort(), await freePort()];
    await startRelay([`127.0.0.1:${a}=127.0.0.1:${closed}`]);
    expect(await roundTrip(a, 'anyone?')).toBe('');
    const bad = await startRelay(['nonsense']);
    await new Promise((r) => (bad.child.exitCode === null ? bad.child.once('exit', r) : r(undefined)));
    expect(bad.child.exitCode).toBe(2);
    expect(bad.output).toContain('is not host:port');
  });
});

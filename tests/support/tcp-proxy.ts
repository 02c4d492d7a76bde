// A TCP proxy in front of a real dependency, to take it away from one service instance and give it back: `down()`
// stops listening (new connections are refused) and cuts every open connection; `up()` listens again on the same port.
// `loseAnswersAfter(marker)` makes a request's answer go missing, as when a network fails after the server did the
// work: once a client has sent bytes containing `marker`, nothing more reaches that client until `cut()`, which
// closes its connections (the client then sees the call fail) while the proxy keeps accepting new ones.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type TcpProxy = {
  readonly port: number;
  readonly address: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  loseAnswersAfter(marker: string): void;
  /** Whether a client has sent the marker (its answer is being lost). */
  readonly losing: boolean;
  cut(): void;
};

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, portText] = [target.slice(0, target.lastIndexOf(':')), target.slice(target.lastIndexOf(':') + 1)];
  const sockets = new Set<Socket>();
  const lost = new Set<Socket>();
  let marker: Buffer | undefined;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  let server: Server | undefined;
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = createConnection({ host, port: Number(portText) });
        track(client);
        track(upstream);
        let losing = false;
        client.on('data', (chunk: Buffer) => {
          if (marker !== undefined && chunk.includes(marker)) {
            losing = true;
            marker = undefined;
            lost.add(client);
          }
        });
        client.pipe(upstream);
        upstream.on('data', (chunk: Buffer) => {
          if (!losing) client.write(chunk);
        });
        upstream.on('end', () => client.end());
        client.on('close', () => upstream.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve((s.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    port,
    address: `127.0.0.1:${port}`,
    loseAnswersAfter: (text) => {
      marker = Buffer.from(text);
    },
    get losing() {
      return lost.size > 0;
    },
    cut: () => {
      for (const socket of lost) socket.destroy();
      lost.clear();
    },
    down,
    up: async () => {
      if (!server) await listen(port);
    },
    close: down,
  };
}

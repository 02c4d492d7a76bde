// The network-namespace owner of infra/compose.yaml's platform (its `platform` container). The services' containers
// join its network namespace, so they reach each other on 127.0.0.1 exactly as under `npm start` (gRPC servers bind
// loopback), and this relays:
//   - the infrastructure's addresses as the host sees them (127.0.0.1:<BPS_KAFKA_PORT> etc.) to its containers, so
//     what the broker advertises and the replica set's member address work inside as outside;
//   - the published gateway port (0.0.0.0:8088) to the gateway's loopback listener: development mode binds loopback
//     only, and Compose publishes this port on the host's loopback only.
// Plain JavaScript, no dependencies:  node infra/image/relay.mjs <listen host:port>=<target host:port> …
import { createConnection, createServer } from 'node:net';

function split(address) {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  if (at < 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`relay: "${address}" is not host:port (usage: relay.mjs <listen host:port>=<target host:port> …)`);
    process.exit(2);
  }
  return { host: address.slice(0, at), port };
}

const pairs = process.argv.slice(2).map((arg) => {
  const [listen = '', target = ''] = arg.split('=');
  return { arg, from: split(listen), to: split(target) };
});
if (pairs.length === 0) {
  console.error('usage: relay.mjs <listen host:port>=<target host:port> …');
  process.exit(2);
}
const servers = pairs.map(({ arg, from, to }) => {
  // Half-open both ways: a client that finishes sending still gets the whole answer.
  const server = createServer({ allowHalfOpen: true }, (inbound) => {
    const outbound = createConnection({ ...to, allowHalfOpen: true });
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close).on('close', close);
    outbound.on('error', close).on('close', close);
    inbound.pipe(outbound).pipe(inbound);
  });
  server.on('error', (error) => {
    console.error(`relay: ${arg}: ${error.message}`);
    process.exit(1);
  });
  server.listen(from.port, from.host, () => console.log(`relay: ${from.host}:${from.port} -> ${to.host}:${to.port}`));
  return server;
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))).then(() => process.exit(0)));

// The image's health probe, plain JavaScript (no tsx start-up per probe); exit 0 = healthy, 1 = not.
//   node infra/image/health.mjs grpc 127.0.0.1:50051 [server-name]     grpc.health.v1 Check of the whole server ("") is SERVING;
//     over mutual TLS when BPS_GRPC_TLS_CA/_CERT/_KEY are set (as services/shared/grpc/tls.ts does), verifying the
//     server's certificate for server-name (or BPS_GRPC_TLS_SERVER_NAME) when it does not name the address dialled
//   node infra/image/health.mjs http http://127.0.0.1:8080/healthz     the URL answers 2xx
// Compose's health checks run it (infra/compose.yaml); tests/integration/image-runtime.int.test.ts runs it against
// services started from the image's runtime layout.
import { readFileSync } from 'node:fs';
import { checkServerIdentity } from 'node:tls';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const [kind, target, serverNameArg] = process.argv.slice(2);
const timeoutMs = Number(process.env['BPS_HEALTH_PROBE_TIMEOUT_MS'] ?? 3000);

function fail(message) {
  console.error(`health: ${message}`);
  process.exit(1);
}

/** The service's own client credentials: mutual TLS with the BPS_GRPC_TLS_* files when set, else plaintext. */
function credentials() {
  const { BPS_GRPC_TLS_CA: ca, BPS_GRPC_TLS_CERT: cert, BPS_GRPC_TLS_KEY: key } = process.env;
  if (!ca && !cert && !key) return grpc.credentials.createInsecure();
  if (!ca || !cert || !key) fail('BPS_GRPC_TLS_CA, BPS_GRPC_TLS_CERT and BPS_GRPC_TLS_KEY go together');
  const serverName = serverNameArg || process.env['BPS_GRPC_TLS_SERVER_NAME'];
  return grpc.credentials.createSsl(
    readFileSync(ca),
    readFileSync(key),
    readFileSync(cert),
    serverName ? { checkServerIdentity: (_host, certificate) => checkServerIdentity(serverName, certificate) } : {},
  );
}

if (kind === 'grpc' && target) {
  const protoFile = fileURLToPath(new URL('../../proto/grpc/health/v1/health.proto', import.meta.url));
  const definition = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile, { enums: String }));
  const Health = definition.grpc.health.v1.Health;
  const client = new Health(target, credentials());
  client.check({ service: '' }, { deadline: Date.now() + timeoutMs }, (error, response) => {
    client.close();
    if (error) fail(`${target}: ${error.message}`);
    if (response.status !== 'SERVING') fail(`${target}: ${response.status}`);
    console.log(`${target}: SERVING`);
    process.exit(0);
  });
} else if (kind === 'http' && target) {
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) fail(`${target}: HTTP ${response.status}`);
    console.log(`${target}: HTTP ${response.status}`);
  } catch (error) {
    fail(`${target}: ${error.message}`);
  }
} else {
  fail('usage: health.mjs grpc <host:port> [server-name] | http <url>');
}

// The image's health probe, plain JavaScript (no tsx start-up per probe); exit 0 = healthy, 1 = not.
//   node infra/image/health.mjs grpc 127.0.0.1:50051     grpc.health.v1 Check of the whole server ("") is SERVING
//   node infra/image/health.mjs http http://127.0.0.1:8080/healthz     the URL answers 2xx
// Compose's health checks run it (infra/compose.yaml); tests/integration/image-runtime.int.test.ts runs it against
// services started from the image's runtime layout.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const [kind, target] = process.argv.slice(2);
const timeoutMs = Number(process.env['BPS_HEALTH_PROBE_TIMEOUT_MS'] ?? 3000);

function fail(message) {
  console.error(`health: ${message}`);
  process.exit(1);
}

if (kind === 'grpc' && target) {
  const protoFile = fileURLToPath(new URL('../../proto/grpc/health/v1/health.proto', import.meta.url));
  const definition = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile, { enums: String }));
  const Health = definition.grpc.health.v1.Health;
  const client = new Health(target, grpc.credentials.createInsecure());
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
  fail('usage: health.mjs grpc <host:port> | http <url>');
}

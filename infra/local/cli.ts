// `npm run infra -- <status|start|stop|install|compose-env|compose-file>`: manage the local stack by hand.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeEnv, installKafka } from './kafka';
import { installFerretdb, mongoFlavour, usesPostgres } from './mongo';
import { installPostgres } from './postgres';
import { settings } from './settings';
import { ensureStack, stackStatus, stopStack } from './stack';
import { installTemporal } from './temporal';
import { installGrpcurl } from './grpcurl';
import { ensureDevSecrets, secretsFile } from './secrets';

const command = process.argv[2] ?? 'status';
const s = settings();

switch (command) {
  case 'install':
    await installKafka(s);
    if (usesPostgres(s)) await installPostgres(s);
    if (mongoFlavour(s) === 'ferretdb') await installFerretdb(s);
    await installTemporal(s);
    await installGrpcurl(s);
    break;
  case 'start': {
    const { endpoints } = await ensureStack(s);
    console.log(JSON.stringify(endpoints, null, 2));
    break;
  }
  case 'compose-env': {
    // For infra/compose.yaml: the same development credentials as the local stack, in an env file for Compose.
    // The platform part: every secret the service containers read (profile `platform`).
    const { composePlatformEnv } = await import('../containers/compose');
    const file = join(secretsFile(s), '..', 'compose.env');
    const secrets = ensureDevSecrets(s);
    writeFileSync(file, composeEnv(secrets) + composePlatformEnv(secrets), { mode: 0o600 });
    console.log(
      `wrote ${file}\n` +
        `infrastructure only:  docker compose --env-file ${file} -f infra/compose.yaml up -d\n` +
        `the whole platform:   docker compose --env-file ${file} -f infra/compose.yaml --profile platform up -d --build\n` +
        `  then http://127.0.0.1:${process.env['GATEWAY_HTTP_PORT'] ?? 8080}/ (console, API) and http://127.0.0.1:${s.temporal.uiPort}/ (Temporal Web UI)`,
    );
    break;
  }
  case 'compose-file': {
    // infra/compose.yaml is generated from infra/containers/images.ts (the testcontainers path's definitions).
    const { writeComposeFile } = await import('../containers/compose');
    console.log(`wrote ${writeComposeFile()}`);
    break;
  }
  case 'stop':
    await stopStack(s, process.argv.slice(3).length > 0 ? process.argv.slice(3) : undefined);
    break;
  case 'status': {
    const rows = await stackStatus(s);
    console.table(
      rows.map((r) => ({
        component: r.name,
        state: r.up ? 'up' : 'down',
        version: r.version,
        port: r.port,
        pid: r.pid ?? '-',
        installed: r.installed,
        dataDir: r.dataDir,
      })),
    );
    console.log(`logs: ${s.logDir}`);
    break;
  }
  default:
    console.error(`unknown command "${command}"; use status | start | stop [kafka|mongo|postgres|temporal] | install | compose-env | compose-file`);
    process.exit(2);
}

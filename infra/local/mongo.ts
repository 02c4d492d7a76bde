// The MongoDB-protocol database: MONGODB_URI if given, else a `mongod` on PATH, else FerretDB v1 on PostgreSQL
// (infra/local/postgres.ts; BPS_FERRETDB_BACKEND=sqlite for the SQLite backend).
// Platform code therefore avoids multi-document transactions, change streams, $lookup and $facet.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { waitUntilHealthy, type Component } from './component';
import { runStep, runningPid, say, startDetached, stopProcess, which } from './process';
import { ensureListenerPki, listenerPkiFiles, type ListenerPki } from './pki';
import { applyFerretdbLookups, postgresComponent, postgresUrl } from './postgres';
import { versions, type Settings } from './settings';

export type MongoFlavour = 'external' | 'mongod' | 'ferretdb';

export function mongoFlavour(s: Settings): MongoFlavour {
  if (s.mongo.externalUri) return 'external';
  if (which('mongod')) return 'mongod';
  return 'ferretdb';
}

export function mongoUri(s: Settings): string {
  return s.mongo.externalUri ?? `mongodb://127.0.0.1:${s.mongo.port}/`;
}

/**
 * Our fixes to FerretDB, applied to its source before the build (each file says what it fixes and why). The
 * binary's name carries a digest of them, so a changed set of patches rebuilds it on the next start.
 */
const patchDir = join(dirname(fileURLToPath(import.meta.url)), 'ferretdb-patches');

function ferretdbPatches(): string[] {
  return existsSync(patchDir)
    ? readdirSync(patchDir)
        .filter((f) => f.endsWith('.patch'))
        .sort()
        .map((f) => join(patchDir, f))
    : [];
}

export function ferretdbBinary(s: Settings): string {
  const digest = createHash('sha256');
  for (const patch of ferretdbPatches()) digest.update(readFileSync(patch));
  return join(s.binDir, `ferretdb-${versions.ferretdb}-${digest.digest('hex').slice(0, 8)}`);
}

/** The patched source the binary is built from (kept after the build: the patches' own Go tests run in it). */
export function ferretdbSource(s: Settings): string {
  return join(s.cacheDir, 'src', `ferretdb-${versions.ferretdb}`);
}

export async function installFerretdb(s: Settings): Promise<void> {
  if (existsSync(ferretdbBinary(s))) return;
  if (!which('go')) throw new Error('FerretDB is built with Go; install Go 1.22+, or set MONGODB_URI, or put mongod on PATH');
  mkdirSync(s.binDir, { recursive: true });
  // `go install …@version` asks the module proxy for the version list to check deprecation, and the proxy
  // here refuses that list for FerretDB; downloading the exact version and building it in place avoids the call.
  const module = `github.com/FerretDB/FerretDB@${versions.ferretdb}`;
  await runStep(`FerretDB ${versions.ferretdb}: downloading module`, 'go', ['mod', 'download', module], { usually: 'under a minute' });
  const { stdout } = spawnJson('go', ['mod', 'download', '-json', module]);
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new Error(`go mod download did not report a directory for ${module}`);
  // The module cache copy is read-only and lacks build/version/version.txt, which FerretDB's main package
  // requires (it panics otherwise); build from a writable copy that has it.
  const src = ferretdbSource(s);
  rmSync(src, { recursive: true, force: true });
  mkdirSync(dirname(src), { recursive: true });
  cpSync(moduleDir, src, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', src]);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `${versions.ferretdb}\n`);
  for (const patch of ferretdbPatches()) {
    // `patch` when present, else git (there on any machine that cloned this repository).
    const applied = which('patch')
      ? spawnSync('patch', ['-p1', '--forward', '--batch', '-i', patch], { cwd: src, encoding: 'utf8' })
      : spawnSync('git', ['apply', '-p1', patch], { cwd: src, encoding: 'utf8', env: { ...process.env, GIT_DIR: '/nonexistent' } });
    if (applied.status !== 0) throw new Error(`could not apply ${patch} to FerretDB ${versions.ferretdb}: ${applied.stdout}${applied.stderr}`);
  }
  await runStep(`FerretDB ${versions.ferretdb}: building`, 'go', ['build', '-trimpath', '-o', ferretdbBinary(s), './cmd/ferretdb'], {
    cwd: src,
    env: { GOFLAGS: '-mod=mod' },
    usually: 'about 5 min on 2 cores with an empty Go cache',
  });
}

function spawnJson(command: string, args: readonly string[]): { stdout: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return { stdout: result.stdout };
}

export async function mongoHealthy(s: Settings): Promise<boolean> {
  const client = new MongoClient(mongoUri(s), { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The stack's FerretDB TLS material (infra/local/pki.ts): its CA, FerretDB's certificate, a client certificate. */
export function mongoTlsFiles(s: Settings): ListenerPki {
  return listenerPkiFiles(join(s.mongo.dataDir, 'tls'));
}

/** The address of FerretDB's TLS listener, for clients that bring the CA and a client certificate (mutual TLS). */
export function mongoTlsUri(s: Settings): string {
  return `mongodb://127.0.0.1:${s.mongo.tlsPort}/`;
}

/** FerretDB's TLS listener answers a client with the stack's client certificate (FerretDB only). */
async function mongoTlsHealthy(s: Settings): Promise<boolean> {
  if (mongoFlavour(s) !== 'ferretdb') return true;
  const files = mongoTlsFiles(s);
  if (!Object.values(files).every((f) => existsSync(f))) return false;
  const options = { tls: true, tlsCAFile: files.ca, tlsCertificateKeyFile: files.clientCertKey, serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 };
  const client = new MongoClient(mongoTlsUri(s), options);
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function launchMongo(s: Settings): Promise<void> {
  const flavour = mongoFlavour(s);
  if (flavour === 'external') throw new Error(`MONGODB_URI=${s.mongo.externalUri} does not answer a ping`);
  mkdirSync(s.mongo.dataDir, { recursive: true });
  if (flavour === 'mongod') {
    say(`MongoDB: starting mongod on 127.0.0.1:${s.mongo.port}`);
    startDetached(s, 'mongo', 'mongod', ['--bind_ip', '127.0.0.1', '--port', String(s.mongo.port), '--dbpath', s.mongo.dataDir, '--quiet']);
  } else {
    const postgres = s.mongo.backend === 'postgresql';
    // Launched beside PostgreSQL by the stack; FerretDB needs it answering before it takes requests.
    if (postgres) {
      await waitUntilHealthy(postgresComponent(s));
      await applyFerretdbLookups(s); // before FerretDB creates any table
    }
    // Ours, yet not healthy on both listeners: a FerretDB started before the TLS listener existed.
    if (runningPid(s, 'mongo') !== undefined) {
      say('MongoDB protocol: the running FerretDB has no TLS listener (started before it existed?); restarting it');
      await stopMongo(s);
    }
    const tlsDir = join(s.mongo.dataDir, 'tls');
    if (await ensureListenerPki(tlsDir, 'ferretdb')) say(`MongoDB protocol: TLS certificates for FerretDB's TLS listener made in ${tlsDir}`);
    const tls = mongoTlsFiles(s);
    say(`MongoDB protocol: starting FerretDB ${versions.ferretdb} (${ferretdbBackendName(s)}) on 127.0.0.1:${s.mongo.port}`);
    startDetached(
      s,
      'mongo',
      ferretdbBinary(s),
      [
        ...(postgres ? ['--handler=postgresql', `--postgresql-url=${postgresUrl(s)}`] : ['--handler=sqlite', `--sqlite-url=file:${s.mongo.dataDir}/`]),
        `--listen-addr=127.0.0.1:${s.mongo.port}`,
        '--telemetry=disable',
        `--state-dir=${s.mongo.dataDir}`,
        '--log-level=warn',
        `--debug-addr=127.0.0.1:${s.mongo.debugPort}`,
        // Mutual TLS (a CA file makes FerretDB require client certificates), as production's MongoDB runs (issue #20).
        `--listen-tls=127.0.0.1:${s.mongo.tlsPort}`,
        `--listen-tls-cert-file=${tls.serverCert}`,
        `--listen-tls-key-file=${tls.serverKey}`,
        `--listen-tls-ca-file=${tls.ca}`,
      ],
      {
        // Go's collector ran at ~15% of FerretDB's CPU on reads (every document decoded into short-lived maps); a
        // live heap of tens of MB can grow 4x before a collection at no cost that matters here.
        env: { GOGC: process.env['GOGC'] ?? '400' },
      },
    );
  }
}

export function ferretdbBackendName(s: Settings): string {
  return s.mongo.backend === 'postgresql' ? `PostgreSQL ${versions.postgresql}` : 'SQLite';
}

/** Whether the stack runs PostgreSQL for FerretDB. */
export function usesPostgres(s: Settings): boolean {
  return mongoFlavour(s) === 'ferretdb' && s.mongo.backend === 'postgresql';
}

export function mongoComponent(s: Settings): Component {
  return {
    name: 'mongo',
    // Both listeners (FerretDB): one started before the TLS listener existed is restarted with it.
    healthy: async () => (await mongoHealthy(s)) && (await mongoTlsHealthy(s)),
    install: async () => {
      if (mongoFlavour(s) === 'ferretdb') await installFerretdb(s);
    },
    launch: () => launchMongo(s),
    readyWithinMs: 60_000,
    logPath: join(s.logDir, 'mongo.log'),
    stop: () => stopMongo(s),
  };
}

export async function stopMongo(s: Settings): Promise<boolean> {
  return stopProcess(s, 'mongo');
}

export function mongoPid(s: Settings): number | undefined {
  return runningPid(s, 'mongo');
}

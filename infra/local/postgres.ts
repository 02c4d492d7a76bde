// PostgreSQL 15 as FerretDB's storage (the default backend; BPS_FERRETDB_BACKEND=sqlite keeps the old one).
// Measured on the 2-core dev machine, 20,000 documents: an equality filter on FerretDB/SQLite is decoded and
// filtered in Go (≈ 415 ms); on PostgreSQL FerretDB pushes it down as SQL (≈ 8–15 ms). Installed from Debian's
// `postgresql-15` package without touching the system: `apt-get download` + `dpkg -x` into the cache
// (BPS_CACHE_DIR/postgresql-15), so an empty cache works and nothing is installed system-wide. Shared libraries
// the machine lacks are extracted beside it from the package's own dependencies. The cluster lives in
// BPS_DATA_DIR/postgresql (initdb once), listens on 127.0.0.1 only (BPS_POSTGRES_PORT), trust auth, no Unix socket.
// PostgreSQL refuses to run as root; as root it runs in a user namespace mapped to `nobody`, so the files stay
// root's (and reachable under /root) while the server sees an unprivileged user.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Component } from './component';
import { portOpen, runStep, runningPid, say, startDetached, stopProcess, which } from './process';
import { versions, type Settings } from './settings';

const major = versions.postgresql;

function root(s: Settings): string {
  return join(s.cacheDir, `postgresql-${major}`, 'root');
}

export function postgresBinDir(s: Settings): string {
  return join(root(s), 'usr', 'lib', 'postgresql', major, 'bin');
}

function libraryPath(s: Settings): string {
  const r = root(s);
  const extra = [
    join(r, 'usr', 'lib', 'x86_64-linux-gnu'),
    join(r, 'lib', 'x86_64-linux-gnu'),
    join(r, 'usr', 'lib', 'aarch64-linux-gnu'),
    join(r, 'lib', 'aarch64-linux-gnu'),
  ];
  return [...extra, process.env['LD_LIBRARY_PATH'] ?? ''].filter(Boolean).join(':');
}

export function postgresInstalled(s: Settings): boolean {
  return existsSync(join(postgresBinDir(s), 'postgres')) && missingLibraries(s).length === 0;
}

/** Shared libraries `ldd` cannot find for the server binaries, with the cache's extracted libraries on the path. */
function missingLibraries(s: Settings): string[] {
  const missing = new Set<string>();
  for (const binary of ['postgres', 'initdb']) {
    const path = join(postgresBinDir(s), binary);
    if (!existsSync(path)) continue;
    const result = spawnSync('ldd', [path], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: libraryPath(s) } });
    for (const line of result.stdout.split('\n')) {
      const m = /^\s*(\S+) => not found/.exec(line);
      if (m) missing.add(m[1]!);
    }
  }
  return [...missing];
}

async function downloadAndExtract(s: Settings, packages: readonly string[], what: string): Promise<void> {
  const debs = join(s.cacheDir, `postgresql-${major}`, 'debs');
  rmSync(debs, { recursive: true, force: true });
  mkdirSync(debs, { recursive: true });
  // `apt-get download` fetches the candidate version from the machine's configured Debian mirrors, as the
  // unprivileged _apt user when it can; running from a folder _apt may not write only costs a warning.
  await runStep(`PostgreSQL ${major}: downloading ${what}`, 'apt-get', ['download', '-q', ...packages], { cwd: debs, usually: 'a few seconds' });
  mkdirSync(root(s), { recursive: true });
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    const result = spawnSync('dpkg', ['-x', join(debs, deb), root(s)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`dpkg -x ${deb} failed: ${result.stderr}`);
  }
  rmSync(debs, { recursive: true, force: true });
}

/** The libraries package names postgresql-NN depends on (libc and LLVM excluded: JIT is off). */
function libraryDependencies(): string[] {
  const result = spawnSync('apt-cache', ['depends', '--no-recommends', '--no-suggests', `postgresql-${major}`], { encoding: 'utf8' });
  const names = new Set<string>();
  for (const line of result.stdout.split('\n')) {
    const m = /^\s*\|?Depends: (lib[^\s<>]+)$/.exec(line);
    if (m && !/^libc6|^libgcc|^libstdc\+\+|^libllvm/.test(m[1]!)) names.add(m[1]!);
  }
  return [...names];
}

export async function installPostgres(s: Settings): Promise<void> {
  if (postgresInstalled(s)) return;
  if (!which('apt-get') || !which('dpkg')) {
    throw new Error(
      `FerretDB's PostgreSQL backend is installed from Debian's postgresql-${major} package (apt-get download + dpkg -x); on this machine use BPS_FERRETDB_BACKEND=sqlite, MONGODB_URI, or mongod on PATH`,
    );
  }
  if (!existsSync(join(postgresBinDir(s), 'postgres')))
    await downloadAndExtract(s, [`postgresql-${major}`], `postgresql-${major} (Debian package, extracted into ${root(s)})`);
  const missing = missingLibraries(s);
  if (missing.length > 0) {
    say(`PostgreSQL ${major}: the machine lacks ${missing.join(', ')}; extracting the package's library dependencies beside it`);
    await downloadAndExtract(s, libraryDependencies(), 'its shared libraries');
    const still = missingLibraries(s);
    if (still.length > 0)
      throw new Error(`PostgreSQL ${major} still lacks ${still.join(', ')}; install postgresql-${major} with apt-get, or use BPS_FERRETDB_BACKEND=sqlite`);
  }
}

/** As root, PostgreSQL's binaries run in a user namespace as `nobody` (the server refuses uid 0). */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, [...args]];
  return ['unshare', ['--user', '--map-user=65534', '--map-group=65534', command, ...args]];
}

function clusterDir(s: Settings): string {
  return s.postgres.dataDir;
}

async function initCluster(s: Settings): Promise<void> {
  if (existsSync(join(clusterDir(s), 'PG_VERSION'))) return;
  rmSync(clusterDir(s), { recursive: true, force: true }); // a half-made cluster from an interrupted initdb
  mkdirSync(join(clusterDir(s), '..'), { recursive: true });
  const [command, args] = asServerUser(join(postgresBinDir(s), 'initdb'), [
    '-D',
    clusterDir(s),
    '-U',
    s.postgres.user,
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  await runStep(`PostgreSQL ${major}: initdb ${clusterDir(s)}`, command, args, { env: { LD_LIBRARY_PATH: libraryPath(s) }, usually: 'a few seconds' });
}

export function postgresUrl(s: Settings): string {
  return `postgres://${s.postgres.user}@127.0.0.1:${s.postgres.port}/postgres`;
}

export async function postgresHealthy(s: Settings): Promise<boolean> {
  // The postmaster writes "ready" on line 8 of postmaster.pid once it accepts connections (what `pg_ctl -w` waits for).
  const pidFile = join(clusterDir(s), 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return lines[7]?.trim() === 'ready' && Number(lines[3]) === s.postgres.port && (await portOpen(s.postgres.port));
}

export async function launchPostgres(s: Settings): Promise<void> {
  await initCluster(s);
  say(`PostgreSQL ${major}: starting on 127.0.0.1:${s.postgres.port} (data ${clusterDir(s)})`);
  const [command, args] = asServerUser(join(postgresBinDir(s), 'postgres'), [
    '-D',
    clusterDir(s),
    '-p',
    String(s.postgres.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'jit=off',
    '-c',
    'shared_buffers=128MB',
    '-c',
    'max_connections=200',
    '-c',
    'log_min_messages=warning',
    '-c',
    'log_checkpoints=off',
  ]);
  startDetached(s, 'postgres', command, args, { env: { LD_LIBRARY_PATH: libraryPath(s) } });
}

export function postgresComponent(s: Settings): Component {
  return {
    name: 'postgres',
    healthy: () => postgresHealthy(s),
    install: () => installPostgres(s),
    launch: () => launchPostgres(s),
    readyWithinMs: 60_000,
    logPath: join(s.logDir, 'postgres.log'),
    stop: () => stopPostgres(s),
  };
}

/** SIGINT is PostgreSQL's "fast" shutdown: it does not wait for FerretDB's pooled connections to go away. */
export async function stopPostgres(s: Settings): Promise<boolean> {
  return stopProcess(s, 'postgres', 30_000, 'SIGINT');
}

export function postgresPid(s: Settings): number | undefined {
  return runningPid(s, 'postgres');
}

/**
 * Makes FerretDB's finds by `_id` (and by any indexed field) index lookups instead of sequential scans: applies
 * `ferretdb-lookups.sql` (GIN companions of FerretDB's B-tree indexes, kept by event triggers; why in the file).
 * Idempotent and quick once applied; the first time on an existing data folder it indexes what is there.
 */
export async function applyFerretdbLookups(s: Settings): Promise<void> {
  const began = Date.now();
  const client = new pg.Client({ connectionString: postgresUrl(s), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(readFileSync(fileURLToPath(new URL('./ferretdb-lookups.sql', import.meta.url)), 'utf8'));
  } finally {
    await client.end();
  }
  const ms = Date.now() - began;
  if (ms > 2_000) say(`PostgreSQL: FerretDB's lookups indexed in ${(ms / 1000).toFixed(1)}s (infra/local/ferretdb-lookups.sql)`);
}

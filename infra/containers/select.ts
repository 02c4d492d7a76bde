// Which infrastructure the test suite runs against:
//   BPS_INFRA=containers  Kafka, MongoDB and Temporal as containers (testcontainers; infra/containers/testcontainers.ts)
//   BPS_INFRA=local       the local stack (infra/local: Kafka jars, FerretDB or mongod, Temporal CLI dev server)
//   unset                 containers when a Docker engine answers its /_ping within BPS_DOCKER_PROBE_TIMEOUT_MS
//                         (default 1000), else the local stack.
// The probe looks where testcontainers looks, in its order (tc.host and docker.host in ~/.testcontainers.properties,
// DOCKER_HOST, /var/run/docker.sock, the rootless and Docker Desktop sockets) and costs nothing when none exists;
// testcontainers itself is loaded only on the containers path.
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

export type Infra = 'containers' | 'local';
export type InfraChoice = { readonly infra: Infra; readonly reason: string };
export type DockerProbe = { readonly answers: boolean; readonly detail: string };

/** The pure decision. `probe` is called only when BPS_INFRA leaves the choice open. */
export async function selectInfra(env: Readonly<Record<string, string | undefined>>, probe: () => Promise<DockerProbe>): Promise<InfraChoice> {
  const forced = env['BPS_INFRA']?.trim() ?? '';
  if (forced === 'containers') return { infra: 'containers', reason: 'BPS_INFRA=containers' };
  if (forced === 'local') return { infra: 'local', reason: 'BPS_INFRA=local' };
  if (forced !== '') throw new Error(`BPS_INFRA must be "containers" or "local" (or unset to detect a Docker engine), got "${env['BPS_INFRA']}"`);
  let result: DockerProbe;
  try {
    result = await probe();
  } catch (error) {
    result = { answers: false, detail: `probe failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  return result.answers
    ? { infra: 'containers', reason: `a Docker engine answers (${result.detail})` }
    : { infra: 'local', reason: `no Docker engine (${result.detail})` };
}

export type DockerEndpoint =
  | { readonly kind: 'socket'; readonly socketPath: string; readonly source: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls: boolean; readonly certPath?: string; readonly source: string }
  | { readonly kind: 'unsupported'; readonly uri: string; readonly source: string };

export type ProbeEnvironment = {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly home: string;
  readonly uid: number;
  readonly exists: (path: string) => boolean;
  /** The text of ~/.testcontainers.properties, if any. */
  readonly properties?: string;
};

function property(text: string | undefined, key: string): string | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === key) return m[2];
  }
  return undefined;
}

function fromUri(uri: string, source: string, tls: boolean, certPath: string | undefined): DockerEndpoint {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { kind: 'unsupported', uri, source };
  }
  if (url.protocol === 'unix:') return { kind: 'socket', socketPath: url.pathname, source };
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const secure = tls || url.protocol === 'https:';
    return { kind: 'tcp', host: url.hostname, port: Number(url.port || (secure ? 2376 : 2375)), tls: secure, ...(certPath ? { certPath } : {}), source };
  }
  return { kind: 'unsupported', uri, source };
}

/** Where a Docker engine may answer, in testcontainers' order (its runtime strategies); only existing sockets. */
export function dockerCandidates(p: ProbeEnvironment): DockerEndpoint[] {
  const out: DockerEndpoint[] = [];
  const tcHost = property(p.properties, 'tc.host');
  if (tcHost) out.push(fromUri(tcHost, 'tc.host in ~/.testcontainers.properties', false, undefined));
  const dockerHost = p.env['DOCKER_HOST'] ?? property(p.properties, 'docker.host');
  if (dockerHost) {
    const tls = (p.env['DOCKER_TLS_VERIFY'] ?? property(p.properties, 'docker.tls.verify')) === '1';
    const certPath = p.env['DOCKER_CERT_PATH'] ?? property(p.properties, 'docker.cert.path');
    out.push(fromUri(dockerHost, p.env['DOCKER_HOST'] ? 'DOCKER_HOST' : 'docker.host in ~/.testcontainers.properties', tls, certPath));
  }
  if (p.platform === 'linux' || p.platform === 'darwin') {
    const sockets = [
      '/var/run/docker.sock',
      ...(p.env['XDG_RUNTIME_DIR'] ? [join(p.env['XDG_RUNTIME_DIR'], 'docker.sock')] : []),
      join(p.home, '.docker', 'run', 'docker.sock'),
      join(p.home, '.docker', 'desktop', 'docker.sock'),
      join('/run', 'user', String(p.uid), 'docker.sock'),
    ];
    for (const socketPath of sockets) {
      if (p.exists(socketPath) && !out.some((c) => c.kind === 'socket' && c.socketPath === socketPath))
        out.push({ kind: 'socket', socketPath, source: socketPath });
    }
  }
  return out;
}

export function probeEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): ProbeEnvironment {
  const home = homedir();
  const file = join(home, '.testcontainers.properties');
  let properties: string | undefined;
  try {
    properties = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  } catch {
    properties = undefined;
  }
  return { env, platform: process.platform, home, uid: userInfo().uid, exists: existsSync, ...(properties !== undefined ? { properties } : {}) };
}

/** GET /_ping on one endpoint; resolves false on any error or after timeoutMs (and leaves no socket open). */
export function pingDocker(endpoint: DockerEndpoint, timeoutMs: number): Promise<boolean> {
  if (endpoint.kind === 'unsupported') return Promise.resolve(false);
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(ok);
    };
    const base: RequestOptions = { method: 'GET', path: '/_ping', headers: { 'User-Agent': 'bps-infra-probe' } };
    let req: ReturnType<typeof httpRequest>;
    if (endpoint.kind === 'socket') {
      req = httpRequest({ ...base, socketPath: endpoint.socketPath });
    } else if (endpoint.tls) {
      const cert = (name: string): Buffer | undefined => {
        if (!endpoint.certPath) return undefined;
        try {
          return readFileSync(join(endpoint.certPath, name));
        } catch {
          return undefined;
        }
      };
      const [ca, certificate, key] = [cert('ca.pem'), cert('cert.pem'), cert('key.pem')];
      req = httpsRequest({
        ...base,
        host: endpoint.host,
        port: endpoint.port,
        ...(ca ? { ca } : {}),
        ...(certificate ? { cert: certificate } : {}),
        ...(key ? { key } : {}),
      });
    } else {
      req = httpRequest({ ...base, host: endpoint.host, port: endpoint.port });
    }
    // Not unref'd: the caller awaits the answer; the timer bounds the wait and done() destroys the request.
    const timer = setTimeout(() => done(false), timeoutMs);
    req.on('response', (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.end();
  });
}

/** Asks each candidate in turn until one answers, all within timeoutMs in total. */
export async function probeDocker(p: ProbeEnvironment = probeEnvironment(), timeoutMs = probeTimeoutMs(p.env)): Promise<DockerProbe> {
  const candidates = dockerCandidates(p);
  if (candidates.length === 0) return { answers: false, detail: 'no DOCKER_HOST, testcontainers host or Docker socket' };
  const deadline = Date.now() + timeoutMs;
  const tried: string[] = [];
  for (const candidate of candidates) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    if (await pingDocker(candidate, left)) return { answers: true, detail: candidate.source };
    tried.push(candidate.kind === 'unsupported' ? `${candidate.source} (${candidate.uri}: not probed; set BPS_INFRA=containers to use it)` : candidate.source);
  }
  return { answers: false, detail: `no answer within ${timeoutMs} ms from ${tried.join(', ') || candidates.map((c) => c.source).join(', ')}` };
}

export function probeTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['BPS_DOCKER_PROBE_TIMEOUT_MS'];
  if (raw === undefined || raw === '') return 1000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 60_000) throw new Error(`BPS_DOCKER_PROBE_TIMEOUT_MS must be an integer of milliseconds (1..60000), got "${raw}"`);
  return n;
}

/** The choice for this process: BPS_INFRA, else a bounded probe for a Docker engine. */
export async function chooseInfra(env: Readonly<Record<string, string | undefined>> = process.env): Promise<InfraChoice> {
  const timeoutMs = probeTimeoutMs(env); // a bad value is an error, not a silent fall-back to the local stack
  return selectInfra(env, () => probeDocker(probeEnvironment(env), timeoutMs));
}

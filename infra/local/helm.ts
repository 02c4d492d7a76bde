// The Kubernetes manifest tools CI validates the chart with (infra/helm/bps), installed into the cache's bin dir from
// the package registries: helm and kubeconform built from their Go modules, and the Kubernetes JSON schemas
// kubeconform checks against from the kubernetes-validate wheel on PyPI (it ships them for every Kubernetes release;
// kubeconform has no schemas of its own and this machine reaches no other source of them).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStep, say, which } from './process';
import { versions, type Settings } from './settings';

export function helmBinary(s: Settings): string {
  return join(s.binDir, `helm-${versions.helm}`);
}

export function kubeconformBinary(s: Settings): string {
  return join(s.binDir, `kubeconform-${versions.kubeconform}`);
}

/** The schemas' directory: one v<major>.<minor>.0-local-strict directory per Kubernetes release. */
export function kubernetesSchemaDir(s: Settings): string {
  return join(s.cacheDir, `kubernetes-validate-${versions.kubernetesValidate}`, 'kubernetes_validate', 'kubernetes-json-schema');
}

/** kubeconform's -schema-location for the cached schemas ({{ .NormalizedKubernetesVersion }} is "v1.33.0"). */
export function kubeconformSchemaLocation(s: Settings): string {
  return join(kubernetesSchemaDir(s), '{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}', '{{ .ResourceKind }}{{ .KindSuffix }}.json');
}

async function goInstall(s: Settings, name: string, module: string, version: string, binary: string, usually: string): Promise<string> {
  if (existsSync(binary)) return binary;
  if (!which('go')) throw new Error(`${name} is built with Go; install Go 1.24+ and retry`);
  // Built into a directory of its own, then linked under a versioned name: a version bump installs anew.
  const dir = join(s.binDir, `${name}-${version}.d`);
  mkdirSync(dir, { recursive: true });
  await runStep(`${name} ${version}: building from the Go module`, 'go', ['install', `${module}@${version}`], {
    env: { GOBIN: dir, GOFLAGS: '-mod=mod' },
    usually,
  });
  renameSync(join(dir, name), binary);
  return binary;
}

/** Installs helm when missing (progress every 30 s) and returns its path. */
export function installHelm(s: Settings): Promise<string> {
  return goInstall(s, 'helm', 'helm.sh/helm/v3/cmd/helm', versions.helm, helmBinary(s), '5–12 min on 2 cores with an empty Go cache');
}

/** Installs kubeconform when missing and returns its path. */
export function installKubeconform(s: Settings): Promise<string> {
  return goInstall(
    s,
    'kubeconform',
    'github.com/yannh/kubeconform/cmd/kubeconform',
    versions.kubeconform,
    kubeconformBinary(s),
    '1 min on 2 cores with an empty Go cache',
  );
}

/**
 * The wheel's schemas name themselves https://kubernetes.io/api/… ($id) and refer to "/api/_definitions.json", which
 * kubernetes-validate maps to its files but kubeconform would fetch over the network: drop the $id and make the
 * references relative, so they resolve to the _definitions.json beside each file.
 */
function localiseSchemaRefs(dir: string): void {
  for (const release of readdirSync(dir)) {
    for (const name of readdirSync(join(dir, release))) {
      if (!name.endsWith('.json')) continue;
      const path = join(dir, release, name);
      const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      delete schema['$id'];
      writeFileSync(path, JSON.stringify(schema).replaceAll('"/api/_definitions.json#', '"_definitions.json#'));
    }
  }
}

/** PyPI's simple index in JSON (PEP 691): each file with its URL and SHA-256. */
type PypiProject = { files: { filename: string; url: string; hashes: { sha256?: string } }[] };

/**
 * Downloads the kubernetes-validate wheel of the pinned version from PyPI (its simple index names the file and its
 * SHA-256), checks it and unpacks the schemas into the cache; returns the schema directory.
 */
export async function installKubernetesSchemas(s: Settings): Promise<string> {
  const dir = kubernetesSchemaDir(s);
  const root = join(s.cacheDir, `kubernetes-validate-${versions.kubernetesValidate}`);
  if (existsSync(join(root, '.complete'))) return dir;
  const index = process.env['BPS_PYPI_SIMPLE_URL'] ?? 'https://pypi.org/simple';
  const listing = await fetch(`${index}/kubernetes-validate/`, {
    headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    signal: AbortSignal.timeout(60_000),
  });
  if (!listing.ok) throw new Error(`PyPI: kubernetes-validate: HTTP ${listing.status}`);
  const wanted = `kubernetes_validate-${versions.kubernetesValidate}-py3-none-any.whl`;
  const wheel = ((await listing.json()) as PypiProject).files.find((f) => f.filename === wanted);
  if (!wheel?.hashes.sha256) throw new Error(`PyPI: kubernetes-validate lists no ${wanted} with a SHA-256`);
  say(`Kubernetes schemas: downloading ${wheel.filename} from PyPI`);
  const response = await fetch(wheel.url, { signal: AbortSignal.timeout(300_000) });
  if (!response.ok) throw new Error(`PyPI: ${wheel.filename}: HTTP ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  const digest = createHash('sha256').update(body).digest('hex');
  if (digest !== wheel.hashes.sha256) throw new Error(`PyPI: ${wheel.filename}: SHA-256 ${digest}, PyPI says ${wheel.hashes.sha256}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const file = join(root, wheel.filename);
  writeFileSync(file, body);
  // A wheel is a zip; only the strict schemas are unpacked (not the Python code, nor the lax copies).
  const unpack = which('unzip')
    ? { command: 'unzip', args: ['-q', '-o', file, 'kubernetes_validate/kubernetes-json-schema/*-local-strict/*', '-d', root] }
    : { command: 'python3', args: ['-m', 'zipfile', '-e', file, root] };
  await runStep('Kubernetes schemas: unpacking', unpack.command, unpack.args, { usually: 'a few seconds' });
  rmSync(file);
  if (!existsSync(dir)) throw new Error(`${wheel.filename} holds no kubernetes-json-schema directory`);
  localiseSchemaRefs(dir);
  writeFileSync(join(root, '.complete'), `${wheel.filename} ${digest}\n`);
  return dir;
}

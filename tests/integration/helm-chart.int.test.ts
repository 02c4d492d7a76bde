// The Helm chart (infra/helm/bps, issue #20) validated with the ecosystem's tools, installed from the package
// registries on first use (infra/local/helm.ts): `helm lint` with the default values and the production example,
// values.schema.json refusing bad values, `helm template` checked by kubeconform -strict against the Kubernetes
// schemas of the chart's oldest and the newest supported release; then what the issue asks of the manifests, read
// from the rendered YAML: every service of infra/scripts/services.ts runs with ≥ 2 replicas, readiness and liveness
// probes, resource limits, a PodDisruptionBudget, NetworkPolicies (default deny, callers only), never as root, and
// with every setting production requires (services/shared/config/config.ts `requirements`).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { aclRules } from '../../infra/local/kafka-acls';
import { installHelm, installKubeconform, installKubernetesSchemas, kubeconformSchemaLocation } from '../../infra/local/helm';
import { settings, temporalSearchAttributes } from '../../infra/local/settings';
import { platformServices } from '../../infra/scripts/services';
import { requirements, type ServiceName } from '../../services/shared/config/config';

const chart = 'infra/helm/bps';
const productionExample = `${chart}/values-production.example.yaml`;
/** The chart's kubeVersion floor and the newest release the schemas' wheel knows. */
const kubeVersions = ['1.27.0', '1.37.0'];
/** Custom resources kubeconform has no schema for (Prometheus Operator, Strimzi); their shape is asserted below. */
const customKinds = ['ServiceMonitor', 'KafkaUser'];
const release = 'bps';
const namespace = 'bps';

type Run = { readonly code: number; readonly stdout: string; readonly stderr: string };
function run(command: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

// Just enough of the Kubernetes objects to read what is asserted.
type Labels = Record<string, string>;
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
type Probe = { grpc?: { port: number; service?: string }; httpGet?: { path: string; port: string | number }; exec?: { command: string[] } };
type SecurityContext = {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[] };
};
type Container = {
  name: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
};
type PodSpec = { containers: Container[]; securityContext?: SecurityContext };
type Peer = { podSelector?: { matchLabels?: Labels }; namespaceSelector?: object; ipBlock?: object };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: { port: string | number; protocol?: string }[] };
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels; annotations?: Record<string, string> };
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Labels } | Labels;
    template?: { metadata: { labels: Labels; annotations?: Record<string, string> }; spec: PodSpec };
    podSelector?: { matchLabels?: Labels };
    policyTypes?: string[];
    ingress?: Rule[] | null;
    egress?: Rule[] | null;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    ports?: { name: string; port: number }[];
    endpoints?: { port: string }[];
    authentication?: { type: string };
    authorization?: { type: string; acls: { resource: { type: string; name: string; patternType: string }; operations: string[]; host: string }[] };
  };
};

const matches = (selector: Labels | undefined, labels: Labels): boolean =>
  selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);

let helm = '';
let kubeconform = '';
let work = '';

beforeAll(async () => {
  const s = settings();
  // kubeconform and the schemas first (quick); helm's first build takes minutes (runStep prints progress).
  kubeconform = await installKubeconform(s);
  await installKubernetesSchemas(s);
  helm = await installHelm(s);
  work = mkdtempSync(join(tmpdir(), 'bps-helm-'));
}, 30 * 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function render(...args: string[]): Promise<string> {
  const result = await run(helm, ['template', release, chart, '--namespace', namespace, ...args]);
  expect(result.stderr, `helm template ${args.join(' ')}`).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

function objects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => {
      expect(doc.errors, 'rendered YAML parses').toEqual([]);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

describe('helm lint', () => {
  it.each([
    ['the default values', []],
    ['the production example', ['-f', productionExample]],
  ])('passes with %s (--strict)', async (_what, args) => {
    const result = await run(helm, ['lint', '--strict', chart, ...args]);
    expect(result.stdout + result.stderr).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(result.code).toBe(0);
  });

  it.each([
    ['replicas is not a number', ['--set', 'replicas=two'], /\/replicas.*got string, want integer/],
    ['a service has no replica', ['--set', 'services.registry.replicas=0'], /\/services\/registry\/replicas.*minimum/],
    ['a port is out of range', ['--set', 'services.audit.grpcPort=70000'], /\/services\/audit\/grpcPort.*maximum/],
    ['a container may run as root', ['--set', 'securityContext.runAsNonRoot=false'], /\/securityContext\/runAsNonRoot/],
    ['limits lack memory', ['--set', 'resources.limits.memory=null'], /\/resources\/limits.*memory/],
    ['a PDB names both bounds', ['--set', 'pdb.minAvailable=1'], /\/pdb/],
    ['a service calls an unknown one', ['--set', 'services.gateway.calls={registry,billing}'], /\/services\/gateway\/calls\/1/],
    ['production has no token issuer', ['--set', 'auth.issuer='], /\/auth\/issuer/],
    ['production has no audit signing key', ['--set', 'secrets.auditSigningKey.name='], /\/secrets\/auditSigningKey\/name/],
    ['an unknown setting', ['--set', 'replica=3'], /additional properties 'replica' not allowed/],
    ['the environment is development (loopback only)', ['--set', 'environment=development'], /\/environment/],
  ])('fails when %s (values.schema.json)', async (_what, args, message) => {
    const result = await run(helm, ['lint', chart, ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(message);
  });
});

describe.each(kubeVersions)('helm template | kubeconform -strict, Kubernetes %s', (kubeVersion) => {
  it.each([
    ['default values', []],
    ['production example', ['-f', productionExample]],
  ])('every object of the %s is valid', async (_what, args) => {
    const rendered = await render('--kube-version', kubeVersion, ...args);
    const file = join(work, `rendered-${kubeVersion}-${args.length}.yaml`);
    writeFileSync(file, rendered);
    const result = await run(kubeconform, [
      '-strict',
      '-summary',
      '-verbose',
      '-output',
      'json',
      '-kubernetes-version',
      kubeVersion,
      '-schema-location',
      kubeconformSchemaLocation(settings()),
      '-skip',
      customKinds.join(','),
      file,
    ]);
    const report = JSON.parse(result.stdout) as { resources: { kind: string; name: string; status: string; msg: string }[] };
    const problems = report.resources.filter((r) => r.status !== 'statusValid' && !(r.status === 'statusSkipped' && customKinds.includes(r.kind)));
    expect(problems, result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    const kinds = new Set(report.resources.filter((r) => r.status === 'statusValid').map((r) => r.kind));
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'ServiceAccount', 'Job']) expect(kinds).toContain(kind);
    if (args.length > 0) expect(kinds).toContain('Ingress');
  });
});

describe.each([
  ['default values', [] as string[]],
  ['production example', ['-f', productionExample]],
])('the manifests of the %s', (_what, args) => {
  let all: K8sObject[] = [];
  const of = (kind: string): K8sObject[] => all.filter((o) => o.kind === kind);
  const deploymentOf = (name: string): K8sObject => {
    const found = of('Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === name);
    expect(found, `one Deployment for ${name}`).toHaveLength(1);
    return found[0]!;
  };
  const containerOf = (name: string): Container => deploymentOf(name).spec.template!.spec.containers[0]!;
  const envOf = (name: string): Map<string, EnvVar> => new Map((containerOf(name).env ?? []).map((e) => [e.name, e]));

  beforeAll(async () => {
    all = objects(await render('--kube-version', kubeVersions[kubeVersions.length - 1]!, ...args));
  });

  it('runs every service of infra/scripts/services.ts (and nothing else) from its entry, on its ports', () => {
    expect(
      of('Deployment')
        .map((d) => d.metadata.labels?.['app.kubernetes.io/component'])
        .sort(),
    ).toEqual(platformServices.map((s) => s.name).sort());
    for (const s of platformServices) {
      const container = containerOf(s.name);
      const env = envOf(s.name);
      expect(container.args, s.name).toEqual([s.entry]);
      expect(env.get(s.metricsPortEnv)?.value, s.name).toBe(String(s.metricsPort));
      const ports = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
      expect(ports.get('metrics')).toBe(s.metricsPort);
      if (s.grpcPort > 0) {
        expect(env.get(s.grpcPortEnv)?.value, s.name).toBe(String(s.grpcPort));
        expect(ports.get('grpc')).toBe(s.grpcPort);
        expect(env.get('BPS_GRPC_HOST')?.value).toBe('0.0.0.0');
      }
      if (s.httpPortEnv && s.httpPort) {
        expect(env.get(s.httpPortEnv)?.value, s.name).toBe(String(s.httpPort));
        expect(ports.get('http')).toBe(s.httpPort);
      }
      // Prometheus reaches the metrics port from outside the pod.
      expect(env.get('BPS_METRICS_HOST')?.value).toBe('0.0.0.0');
      const service = of('Service').find((svc) => matches(svc.spec.selector as Labels, deploymentOf(s.name).spec.template!.metadata.labels));
      expect(service, `a Service for ${s.name}`).toBeDefined();
      expect(service!.spec.ports!.map((p) => p.port).sort()).toEqual([s.grpcPort || s.httpPort!, s.metricsPort].sort());
    }
  });

  it('runs each service with at least two replicas, readiness and liveness probes and resource limits', () => {
    for (const s of platformServices) {
      const deployment = deploymentOf(s.name);
      const container = containerOf(s.name);
      expect(deployment.spec.replicas, s.name).toBeGreaterThanOrEqual(2);
      const readiness = container.readinessProbe;
      const liveness = container.livenessProbe;
      expect(readiness, `${s.name} readiness`).toBeDefined();
      expect(liveness, `${s.name} liveness`).toBeDefined();
      // Readiness is the dependency-aware check (gRPC health of the server, the gateway's /readyz); liveness is not.
      if (s.grpcPort > 0) {
        const viaGrpc = readiness!.grpc?.port === s.grpcPort && !readiness!.grpc.service;
        const viaCommand = readiness!.exec?.command.some((arg) => arg.endsWith(`:${s.grpcPort}`)) ?? false;
        expect(viaGrpc || viaCommand, `${s.name} readiness asks gRPC health on ${s.grpcPort}`).toBe(true);
        expect(liveness!.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
      } else {
        expect(readiness!.httpGet).toEqual({ path: '/readyz', port: 'http' });
        expect(liveness!.httpGet).toEqual({ path: '/healthz', port: 'http' });
      }
      for (const kind of ['requests', 'limits'] as const) {
        expect(container.resources?.[kind]?.['cpu'], `${s.name} ${kind}.cpu`).toBeTruthy();
        expect(container.resources?.[kind]?.['memory'], `${s.name} ${kind}.memory`).toBeTruthy();
      }
    }
  });

  it('gives every service a PodDisruptionBudget that selects its pods', () => {
    for (const s of platformServices) {
      const labels = deploymentOf(s.name).spec.template!.metadata.labels;
      const budgets = of('PodDisruptionBudget').filter((p) => matches((p.spec.selector as { matchLabels?: Labels }).matchLabels, labels));
      expect(budgets, s.name).toHaveLength(1);
      const { minAvailable, maxUnavailable } = budgets[0]!.spec;
      expect((minAvailable === undefined) !== (maxUnavailable === undefined), `${s.name}: one of minAvailable, maxUnavailable`).toBe(true);
      // A budget that allows no disruption at the replicas it has would block every drain.
      if (typeof minAvailable === 'number') expect(minAvailable).toBeLessThan(deploymentOf(s.name).spec.replicas!);
    }
  });

  it('denies all traffic by default and lets each backend be called only by its callers (gateway → all; proposals, programme → registry)', () => {
    const policies = of('NetworkPolicy');
    const callers: Record<string, string[]> = {
      registry: ['gateway', 'programme', 'proposals'],
      proposals: ['gateway'],
      approvals: ['gateway'],
      notifications: ['gateway'],
      audit: ['gateway'],
      programme: ['gateway'],
    };
    for (const s of platformServices) {
      const labels = deploymentOf(s.name).spec.template!.metadata.labels;
      const selecting = policies.filter((p) => matches(p.spec.podSelector?.matchLabels, labels));
      const denyAll = selecting.filter((p) => !p.spec.ingress && !p.spec.egress);
      expect(denyAll, `${s.name}: a default-deny policy`).toHaveLength(1);
      expect(denyAll[0]!.spec.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
      const own = selecting.filter((p) => p.spec.ingress || p.spec.egress);
      expect(own, `${s.name}: its own policy`).toHaveLength(1);
      const policy = own[0]!;
      expect(policy.spec.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
      const ingress = policy.spec.ingress ?? [];
      if (s.grpcPort > 0) {
        const grpcFrom = ingress.filter((r) => r.ports?.some((p) => p.port === 'grpc')).flatMap((r) => r.from ?? []);
        expect(
          grpcFrom.every((peer) => peer.podSelector && !peer.namespaceSelector && !peer.ipBlock),
          `${s.name}: gRPC from this release's pods only`,
        ).toBe(true);
        const allowed = of('Deployment')
          .filter((d) => grpcFrom.some((peer) => matches(peer.podSelector?.matchLabels, d.spec.template!.metadata.labels)))
          .map((d) => d.metadata.labels!['app.kubernetes.io/component']!)
          .sort();
        expect(allowed, `${s.name}: who may call it`).toEqual(callers[s.name]);
      } else {
        const httpFrom = ingress.filter((r) => r.ports?.some((p) => p.port === 'http')).flatMap((r) => r.from ?? []);
        expect(httpFrom.length, 'the gateway: HTTP from the ingress controller').toBeGreaterThan(0);
        expect(
          httpFrom.every((peer) => peer.namespaceSelector),
          'the gateway: HTTP from the ingress controller namespace',
        ).toBe(true);
      }
      // Nothing reaches any other port; no rule lets everything in.
      for (const rule of ingress) {
        expect(rule.from?.length, `${s.name}: an ingress rule without peers allows all`).toBeGreaterThan(0);
        expect(rule.ports?.every((p) => ['grpc', 'http', 'metrics'].includes(String(p.port)))).toBe(true);
      }
      // Out: DNS always; the gRPC ports of what it calls.
      const egress = policy.spec.egress ?? [];
      expect(
        egress.some((r) => r.ports?.some((p) => p.port === 53 && p.protocol === 'UDP')),
        `${s.name}: DNS`,
      ).toBe(true);
      const calls = Object.entries(callers)
        .filter(([, from]) => from.includes(s.name))
        .map(([to]) => to);
      for (const callee of calls) {
        const port = platformServices.find((x) => x.name === callee)!.grpcPort;
        const reaches = egress.some(
          (r) =>
            r.ports?.some((p) => p.port === port) &&
            r.to?.some((peer) => matches(peer.podSelector?.matchLabels, deploymentOf(callee).spec.template!.metadata.labels)),
        );
        expect(reaches, `${s.name} → ${callee}:${port}`).toBe(true);
      }
    }
  });

  it('runs no container as root: non-root user, no privilege escalation, read-only root file system, all capabilities dropped', () => {
    const workloads = [...of('Deployment'), ...of('Job')];
    expect(workloads.length).toBe(platformServices.length + 1);
    for (const workload of workloads) {
      const pod = workload.spec.template!.spec;
      for (const container of pod.containers) {
        const context = { ...pod.securityContext, ...container.securityContext };
        const what = `${workload.kind} ${workload.metadata.name}/${container.name}`;
        expect(context.runAsNonRoot, what).toBe(true);
        expect(context.runAsUser, what).not.toBe(0);
        expect(context.allowPrivilegeEscalation, what).toBe(false);
        expect(context.privileged ?? false, what).toBe(false);
        expect(context.readOnlyRootFilesystem, what).toBe(true);
        expect(context.capabilities?.drop, what).toContain('ALL');
      }
    }
  });

  it('sets everything production requires of each service (services/shared/config/config.ts requirements)', () => {
    for (const s of platformServices) {
      const env = envOf(s.name);
      expect(env.get('BPS_ENV')?.value).toBe('production');
      for (const requirement of requirements[s.name as ServiceName]) {
        if (requirement.when === 'development') continue;
        const set = requirement.anyOf.filter((name) => env.get(name)?.value || env.get(name)?.valueFrom?.secretKeyRef?.name);
        expect(set.length, `${s.name}: ${requirement.anyOf.join(' or ')} (${requirement.what})`).toBeGreaterThan(0);
      }
      // Production refuses a development signing key anywhere.
      expect(env.has('BPS_JWT_SIGNING_JWK'), s.name).toBe(false);
    }
    // The Kafka password is the service's Strimzi KafkaUser Secret's `password`.
    for (const s of platformServices.filter((x) => x.name !== 'gateway')) {
      const env = envOf(s.name);
      expect(env.get('BPS_KAFKA_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: env.get('BPS_KAFKA_USERNAME')?.value, key: 'password' });
    }
  });

  it('hands each caller the in-cluster gRPC address of what it calls', () => {
    const address = (callee: string): string => {
      const spec = platformServices.find((x) => x.name === callee)!;
      return `${release}-${callee}.${namespace}.svc:${spec.grpcPort}`;
    };
    for (const [caller, callees] of Object.entries({
      proposals: ['registry'],
      programme: ['registry'],
      gateway: ['registry', 'proposals', 'approvals', 'notifications', 'audit', 'programme'],
    })) {
      const env = envOf(caller);
      for (const callee of callees) expect(env.get(`${callee.toUpperCase()}_GRPC_ADDRESS`)?.value, `${caller} → ${callee}`).toBe(address(callee));
    }
  });

  it('registers the Temporal namespace and the search attributes the services filter on before they start', () => {
    const job = of('Job').find((j) => j.metadata.name.endsWith('-temporal-setup'));
    expect(job?.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const env = new Map((job!.spec.template!.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
    expect(env.get('TEMPORAL_NAMESPACE')).toBe('bps');
    const registered = Object.fromEntries(
      (env.get('SEARCH_ATTRIBUTES') ?? '')
        .trim()
        .split(/\s+/)
        .map((pair) => pair.split('=')),
    ) as Record<string, string>;
    expect(registered).toEqual(temporalSearchAttributes);
  });

  it('creates the Strimzi KafkaUsers (kafka.users.create) with exactly the ACLs of infra/local/kafka-acls.ts', () => {
    const users = of('KafkaUser');
    if (args.length === 0) {
      expect(users, 'off by default').toEqual([]);
      return;
    }
    for (const user of users) {
      expect(user.spec.authentication?.type, user.metadata.name).toBe('scram-sha-512');
      expect(user.spec.authorization?.type).toBe('simple');
    }
    const rendered = users.flatMap((u) =>
      u.spec.authorization!.acls.flatMap((a) =>
        a.operations.map((op) => `${u.metadata.name} ${a.resource.type} ${a.resource.name} ${a.resource.patternType} ${op.toUpperCase()} ${a.host}`),
      ),
    );
    const expected = aclRules().flatMap((r) => r.operations.map((op) => `${r.principal} ${r.resource} ${r.prefix} prefix ${op} *`));
    expect(rendered.sort()).toEqual(expected.sort());
    // Each service signs in as its KafkaUser.
    for (const s of platformServices.filter((x) => x.name !== 'gateway')) {
      expect(users.map((u) => u.metadata.name)).toContain(envOf(s.name).get('BPS_KAFKA_USERNAME')?.value);
    }
  });

  it('offers the metrics port to Prometheus (scrape annotations or a ServiceMonitor per service)', () => {
    for (const s of platformServices) {
      const template = deploymentOf(s.name).spec.template!;
      const monitor = of('ServiceMonitor').find((m) => matches((m.spec.selector as { matchLabels?: Labels }).matchLabels, template.metadata.labels));
      if (monitor) expect(monitor.spec.endpoints?.[0]?.port).toBe('metrics');
      else expect(template.metadata.annotations?.['prometheus.io/port'], s.name).toBe(String(s.metricsPort));
    }
  });
});

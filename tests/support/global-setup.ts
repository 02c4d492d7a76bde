// Chooses the infrastructure (infra/containers/select.ts: BPS_INFRA=containers|local, else containers when a
// Docker engine answers within ~1 s), starts it, hands the endpoints and secrets to the tests, and stops it after.
// - local: the real local stack (Kafka, Temporal, MongoDB protocol) when it is not running; stops afterwards only
//   what it started (BPS_KEEP_INFRA=1 keeps it up).
// - containers: Kafka, MongoDB (mongod replica set) and Temporal as containers (infra/containers/testcontainers.ts),
//   always removed at the end; their logs are kept when a test failed.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureBrowser } from '../../infra/local/browser';
import { say } from '../../infra/local/process';
import { ensureDevSecrets, type DevSecrets } from '../../infra/local/secrets';
import { settings } from '../../infra/local/settings';
import { ensureStack, stackComponents, stopStack, type StackEndpoints } from '../../infra/local/stack';
import { chooseInfra } from '../../infra/containers/select';
import type { ContainerStack } from '../../infra/containers/testcontainers';
import { createKafka } from '../../services/shared/kafka/kafka';
import { failureLines } from './run-failures';
import { testLogger } from './stack';
import { pruneTestTopics } from './test-topics';
import { watchStack, type StackWatch } from './stack-watch';
import { writeWorkflowBundle } from './workflow-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
    /** The stack's development secrets (Kafka principals, Temporal payload key, token issuer, decision signing). */
    secrets: DevSecrets;
    /** Where this run's workflow bundle is (being) written: tests/support/workflow-bundle.ts. */
    workflowBundlePath: string;
  }
}

let started: string[] = [];
let containers: ContainerStack | undefined;
let project: TestProject | undefined;
let bundling: Promise<void> | undefined;
let bundlePath: string | undefined;
let watch: StackWatch | undefined;

export async function setup(testProject: TestProject): Promise<void> {
  project = testProject;
  // The workflows are bundled once per run, in the background while the stack starts (see workflow-bundle.ts).
  bundlePath = join(tmpdir(), `bps-workflows-${process.pid}-${Date.now().toString(36)}.js`);
  bundling = writeWorkflowBundle(bundlePath);
  testProject.provide('workflowBundlePath', bundlePath);
  // The browser install (first run only) goes first: it is quick, and the stack's readiness deadlines then run
  // undisturbed.
  await ensureBrowser();
  const choice = await chooseInfra();
  if (choice.infra === 'containers') {
    say(`test infrastructure: containers (${choice.reason}); BPS_INFRA=local uses the local stack instead`);
    const s = settings();
    // The same development secrets as the local stack (one source): Kafka principals, keys, token issuer.
    const secrets = ensureDevSecrets(s);
    const { startContainerStack } = await import('../../infra/containers/testcontainers');
    containers = await startContainerStack(s, secrets);
    testProject.provide('stack', containers.endpoints);
    testProject.provide('secrets', secrets);
    return;
  }
  if (process.env['BPS_INFRA']) say(`test infrastructure: local stack (${choice.reason})`);
  const result = await ensureStack();
  started = result.started;
  testProject.provide('stack', result.endpoints);
  testProject.provide('secrets', result.secrets);
  const s = settings();
  await pruneStaleTopics(result.endpoints, result.secrets);
  watch = watchStack(s, stackComponents(s, result.secrets), (report) => {
    // A dead component fails every later test only after its timeouts: end the run now, with the evidence.
    console.error(report);
    const stopping = started.length > 0 && process.env['BPS_KEEP_INFRA'] !== '1' ? stopStack(s, started) : Promise.resolve();
    void stopping.catch(() => undefined).finally(() => process.exit(1));
  });
}

/** Deletes earlier runs' test topics from a kept stack (test-topics.ts); a failure is only reported. */
async function pruneStaleTopics(endpoints: StackEndpoints, secrets: DevSecrets): Promise<void> {
  const ttlMinutes = Number(process.env['BPS_TEST_TOPIC_TTL_MINUTES'] ?? 60);
  try {
    const admin = createKafka({ brokers: endpoints.kafkaBrokers, clientId: 'test-setup', logger: testLogger, credentials: secrets.kafka.admin });
    const pruned = await pruneTestTopics(admin, ttlMinutes * 60_000);
    if (pruned > 0) say(`test setup: deleted ${pruned} topics of test runs older than ${ttlMinutes} min (tests/support/test-topics.ts)`);
  } catch (error) {
    say(`test setup: could not delete old test topics (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Whether the run had a failure (a failed test or file, or an unhandled error); unknown counts as failed. */
function runFailed(): boolean {
  try {
    const state = project?.vitest.state;
    if (!state) return true;
    return state.getCountOfFailedTests() > 0 || state.errorsSet.size > 0 || state.getFiles().some((f) => f.result?.state === 'fail');
  } catch {
    return true;
  }
}

/** The run's failed tests, files and hooks, a line each (run-failures.ts). */
function failedTests(): string[] {
  try {
    const state = project?.vitest.state;
    const lines = state ? failureLines(state.getFiles()) : [];
    const unhandled = state ? [...state.errorsSet].map((e) => `unhandled error: ${String((e as { message?: unknown }).message ?? e).split('\n')[0]}`) : [];
    return [...lines, ...unhandled];
  } catch (error) {
    return [`(could not list the failures: ${error instanceof Error ? error.message : String(error)})`];
  }
}

export async function teardown(): Promise<void> {
  watch?.stop();
  // CI shows the end of the output: a failed run ends with the state of the stack it ran on.
  if (watch && runFailed()) {
    console.error(await watch.report('the run had failures; the stack as the tests left it:'));
    console.error(['[run] what failed:', ...failedTests().map((line) => `  ${line}`)].join('\n'));
  }
  await bundling;
  if (bundlePath) for (const f of [bundlePath, `${bundlePath}.error`, `${bundlePath}.tmp`]) rmSync(f, { force: true });
  if (containers) {
    await containers.stop({ failed: runFailed() });
    containers = undefined;
    return;
  }
  if (started.length > 0 && process.env['BPS_KEEP_INFRA'] !== '1') await stopStack(undefined, started);
}

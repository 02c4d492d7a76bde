// Starts the real local stack (Kafka, Temporal, MongoDB protocol) when it is not running, hands the
// endpoints to the tests, and stops afterwards only what it started (BPS_KEEP_INFRA=1 keeps it up).
import type { TestProject } from 'vitest/node';
import { ensureBrowser } from '../../infra/local/browser';
import type { DevSecrets } from '../../infra/local/secrets';
import { ensureStack, stopStack, type StackEndpoints } from '../../infra/local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
    /** The stack's development secrets (Kafka principals, Temporal payload key, token issuer, decision signing). */
    secrets: DevSecrets;
  }
}

let started: string[] = [];

export async function setup(project: TestProject): Promise<void> {
  // The browser install (first run only) goes first: it is quick, and the stack's readiness deadlines then run
  // undisturbed.
  await ensureBrowser();
  const result = await ensureStack();
  started = result.started;
  project.provide('stack', result.endpoints);
  project.provide('secrets', result.secrets);
}

export async function teardown(): Promise<void> {
  if (started.length > 0 && process.env['BPS_KEEP_INFRA'] !== '1') await stopStack(undefined, started);
}

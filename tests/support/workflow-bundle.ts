// The approval workflows bundled once per test run: the global setup starts bundling (in the background, so runs
// that start no worker do not wait for it) and hands the file's path to the test workers; every in-process
// approvals worker loads that bundle instead of bundling the workflows again (seconds of CPU each time).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inject } from 'vitest';
import { failureConverterPath } from '../../services/shared/temporal/sealing';
import { workflowsPath, workflowTelemetryInterceptors } from '../../services/shared/temporal/temporal';
import { waitUntil } from './wait';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/**
 * Bundles the workflows exactly as the approvals worker would (the telemetry interceptors and the sealing failure
 * converter bundled in) and writes { code } to `path` (atomically; `path`.error holds the message if it failed).
 */
export async function writeWorkflowBundle(path: string): Promise<void> {
  try {
    const bundle = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [workflowTelemetryInterceptors],
      failureConverterPath,
      logger: quiet,
    });
    writeFileSync(`${path}.tmp`, bundle.code);
    renameSync(`${path}.tmp`, path);
  } catch (error) {
    writeFileSync(`${path}.error`, error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}

let cached: Promise<WorkflowBundleWithSourceMap | undefined> | undefined;

/** The run's workflow bundle (waits for the global setup to finish it); undefined outside vitest's integration project. */
export function testWorkflowBundle(): Promise<WorkflowBundleWithSourceMap | undefined> {
  cached ??= (async () => {
    let path: string | undefined;
    try {
      path = inject('workflowBundlePath');
    } catch {
      path = undefined;
    }
    if (!path) return undefined;
    await waitUntil(() => existsSync(path) || existsSync(`${path}.error`), 'the workflow bundle of this run', 180_000, 200);
    if (!existsSync(path)) throw new Error(`bundling the workflows failed: ${readFileSync(`${path}.error`, 'utf8')}`);
    return { code: readFileSync(path, 'utf8'), sourceMap: '' };
  })();
  return cached;
}

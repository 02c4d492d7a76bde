// Test access to the real stack started by the global setup (outside vitest — benchmarks run with tsx — the local
// stack's endpoints and secrets from its settings).
import { inject } from 'vitest';
import { ensureDevSecrets, type DevSecrets } from '../../infra/local/secrets';
import { settings } from '../../infra/local/settings';
import { endpoints, type StackEndpoints } from '../../infra/local/stack';
import { createLogger } from '../../services/shared/log/logger';

function provided<T>(key: 'stack' | 'secrets'): T | undefined {
  try {
    return inject(key) as T | undefined;
  } catch {
    return undefined; // not under vitest
  }
}

export function stack(): StackEndpoints {
  return provided<StackEndpoints>('stack') ?? endpoints(settings());
}

/** The development secrets of the stack the tests run against. */
export function stackSecrets(): DevSecrets {
  return provided<DevSecrets>('secrets') ?? ensureDevSecrets(settings());
}

export const testLogger = createLogger('test', process.env['BPS_TEST_LOG_LEVEL'] ?? 'silent');

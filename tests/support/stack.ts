// Test access to the real stack started by the global setup.
import { inject } from 'vitest';
import { createLogger } from '../../services/shared/log/logger';

export function stack() {
  return inject('stack');
}

/** The development secrets of the stack the tests run against. */
export function stackSecrets() {
  return inject('secrets');
}

export const testLogger = createLogger('test', process.env['BPS_TEST_LOG_LEVEL'] ?? 'silent');

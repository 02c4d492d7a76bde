// Payload sealing as the workflows see it. Every payload the platform sends to Temporal is sealed with its key
// (AES-256-GCM, services/shared/temporal/sealing.ts). The worker's codec turns a payload that is not sealed with that
// key (a raw Temporal client's signal, update, query or start) into this marker value instead of failing the
// workflow task, so an outsider can neither act nor wedge a workflow: validators refuse the marker, signal handlers
// drop it, a workflow started with it fails at once. No Node built-ins here (workflow code).
import { ApplicationFailure, log } from '@temporalio/workflow';
import { unsealedMarker } from './contracts';

/**
 * True for a value that came out of a sealed payload: an object that is not the marker. `undefined` (a raw client
 * sending no argument at all) is not sealed either: the platform always sends its argument object.
 */
export function isSealed(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(unsealedMarker in value);
}

/** For update validators and workflow inputs: refuses anything not sealed with the platform's key. */
export function requireSealed(value: unknown, what: string): void {
  if (!isSealed(value)) {
    throw ApplicationFailure.create({
      type: 'PERMISSION_DENIED',
      message: `${what} is not sealed with the platform's key`,
      details: ['UNSEALED_PAYLOAD'],
      nonRetryable: true,
    });
  }
}

/** For signal handlers: false (and a warning in the worker log) for anything not sealed; the signal changes nothing. */
export function acceptSignal(value: unknown, signal: string): boolean {
  if (isSealed(value)) return true;
  log.warn(`${signal} ignored: not sealed with the platform's key`);
  return false;
}

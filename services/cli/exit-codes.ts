// Exit codes scripts can rely on (documented in services/cli/README.md and `bps --help`).
import { status } from '@grpc/grpc-js';

export const exitCodes = {
  ok: 0,
  failure: 1, // anything unexpected (internal error, a bug)
  usage: 2, // bad command line: unknown command or flag, missing argument, malformed value
  notFound: 3, // NOT_FOUND
  permissionDenied: 4, // PERMISSION_DENIED
  unauthenticated: 5, // UNAUTHENTICATED: no token, a bad or expired one
  invalidInput: 6, // INVALID_ARGUMENT: the service rejected fields (listed on stderr)
  ruleViolated: 7, // FAILED_PRECONDITION: a business rule or state forbids it (violations listed on stderr)
  conflict: 8, // ALREADY_EXISTS or ABORTED (stale revision)
  unavailable: 9, // UNAVAILABLE / DEADLINE_EXCEEDED: a service is down or too slow; retrying may help
} as const;

export function exitCodeForGrpc(code: number): number {
  switch (code) {
    case status.OK:
      return exitCodes.ok;
    case status.NOT_FOUND:
      return exitCodes.notFound;
    case status.PERMISSION_DENIED:
      return exitCodes.permissionDenied;
    case status.UNAUTHENTICATED:
      return exitCodes.unauthenticated;
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return exitCodes.invalidInput;
    case status.FAILED_PRECONDITION:
      return exitCodes.ruleViolated;
    case status.ALREADY_EXISTS:
    case status.ABORTED:
      return exitCodes.conflict;
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
    case status.RESOURCE_EXHAUSTED:
      return exitCodes.unavailable;
    default:
      return exitCodes.failure;
  }
}

export const exitCodeHelp = `Exit codes:
  0  success
  1  unexpected failure
  2  usage error (unknown command or flag, missing or malformed argument)
  3  not found
  4  permission denied
  5  not authenticated (no token, or an invalid or expired one)
  6  invalid input (the service names the fields)
  7  rule violated / precondition failed (the service names the violations)
  8  conflict (already exists, or a stale revision)
  9  service unavailable or timed out (retrying may help)`;

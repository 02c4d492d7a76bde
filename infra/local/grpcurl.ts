// grpcurl, the command-line gRPC client, built from its Go module into the cache's bin dir: what operators use to
// look at a service through server reflection, and what the reflection test drives.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { runStep, which } from './process';
import { versions, type Settings } from './settings';

export function grpcurlBinary(s: Settings): string {
  return join(s.binDir, `grpcurl-${versions.grpcurl}`);
}

/** Installs grpcurl when missing (progress every 30 s) and returns its path. */
export async function installGrpcurl(s: Settings): Promise<string> {
  const binary = grpcurlBinary(s);
  if (existsSync(binary)) return binary;
  if (!which('go')) throw new Error('grpcurl is built with Go; install Go 1.22+ and retry');
  // Built into a directory of its own, then linked under a versioned name: a version bump installs anew.
  const dir = join(s.binDir, `grpcurl-${versions.grpcurl}.d`);
  mkdirSync(dir, { recursive: true });
  await runStep(
    `grpcurl ${versions.grpcurl}: building from the Go module`,
    'go',
    ['install', `github.com/fullstorydev/grpcurl/cmd/grpcurl@${versions.grpcurl}`],
    { env: { GOBIN: dir, GOFLAGS: '-mod=mod' }, usually: '1–3 min on 2 cores with an empty Go cache' },
  );
  renameSync(join(dir, 'grpcurl'), binary);
  return binary;
}

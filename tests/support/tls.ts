// TLS material for tests (issue #20): throwaway CAs and leaves (infra/local/pki.ts), as gRPC material or as files for
// what reads file paths (config).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GrpcTls } from '../../services/shared/grpc/tls';
import type { Leaf, TestCa } from '../../infra/local/pki';

export { testCa, type Leaf, type TestCa } from '../../infra/local/pki';

/** A process's gRPC TLS material: trusts `ca`, presents `leaf`. */
export const grpcTlsOf = (ca: TestCa | string, leaf: Leaf, serverName?: string): GrpcTls => ({
  ca: Buffer.from(typeof ca === 'string' ? ca : ca.cert),
  cert: Buffer.from(leaf.cert),
  key: Buffer.from(leaf.key),
  ...(serverName ? { serverName } : {}),
});

/** Writes the CA and a leaf as ca.pem, cert.pem, key.pem (and cert-key.pem, both in one) in `dir`; returns the paths. */
export function writeTls(dir: string, ca: TestCa, leaf: Leaf): { ca: string; cert: string; key: string; certKey: string } {
  mkdirSync(dir, { recursive: true });
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), certKey: join(dir, 'cert-key.pem') };
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.cert, leaf.cert);
  writeFileSync(files.key, leaf.key, { mode: 0o600 });
  writeFileSync(files.certKey, leaf.cert + leaf.key, { mode: 0o600 });
  return files;
}

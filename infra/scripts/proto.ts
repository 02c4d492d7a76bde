// Regenerates proto/gen from proto/ with buf + ts-proto (both from npm; no protoc needed), and writes every file's
// complete descriptor (imports and well-known types included, with comments) to proto/gen/descriptors.binpb: what
// gRPC server reflection serves (services/shared/grpc/reflection.ts).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const buf = fileURLToPath(new URL('../../node_modules/.bin/buf', import.meta.url));

rmSync(new URL('../../proto/gen', import.meta.url), { recursive: true, force: true });
execFileSync(buf, ['generate'], { cwd: root, stdio: 'inherit' });
execFileSync(buf, ['build', '--as-file-descriptor-set', '-o', 'proto/gen/descriptors.binpb'], { cwd: root, stdio: 'inherit' });

// Drives the real grpcurl (built from its Go module on first use, into BPS_CACHE_DIR/bin) against a gRPC port.
import { execFile } from 'node:child_process';
import { installGrpcurl } from '../../infra/local/grpcurl';
import { settings } from '../../infra/local/settings';

export type GrpcurlResult = { readonly code: number; readonly stdout: string; readonly stderr: string };
export type Grpcurl = (...args: string[]) => Promise<GrpcurlResult>;

/** Installs grpcurl if missing; returns a runner for `grpcurl -plaintext <args>` that never throws on exit codes. */
export async function grpcurl(): Promise<Grpcurl> {
  const binary = await installGrpcurl(settings());
  return (...args) =>
    new Promise((resolve) => {
      execFile(binary, ['-plaintext', '-max-time', '20', ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
}

// Runs the real `bps` binary (node services/cli/bps.js, through tsx) with only the env given (development mode with
// the test issuer's keys unless overridden; an empty value unsets a variable).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { identityEnv } from '../support/identity';

const bin = fileURLToPath(new URL('../../services/cli/bps.js', import.meta.url));

export type CliResult = { code: number; stdout: string; stderr: string };

export function runBps(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        env: Object.fromEntries(
          Object.entries({ PATH: process.env['PATH'] ?? '', ...identityEnv(), BPS_LOG_LEVEL: 'silent', ...env }).filter(([, v]) => v !== ''),
        ),
        timeout: 90_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

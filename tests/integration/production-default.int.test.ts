// Production unless told otherwise (issue #13): a service started with BPS_ENV unset and no keys exits non-zero
// naming every key it lacks (the TLS settings too); production refuses the development signing key; development binds to loopback only;
// `npm run token` signs with the local stack's development issuer (its generated secrets), as after `npm start`.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { identityEnv, testVerifier } from '../support/identity';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs a script with only PATH/HOME plus `env` — nothing inherited from the test process. */
function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      tsx,
      [script, ...args],
      { cwd: root, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', BPS_LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: child.exitCode ?? (error ? 1 : 0), stdout, stderr });
      },
    );
  });
}

describe('production unless told otherwise', () => {
  it('a service with BPS_ENV unset and no keys exits 1 naming every missing key', async () => {
    const [registry, audit] = await Promise.all([run('services/registry/main.ts', [], {}), run('services/audit/main.ts', [], {})]);
    expect(registry.code).toBe(1);
    expect(registry.stderr).toContain('registry: invalid configuration');
    for (const key of [
      'BPS_JWT_JWKS or BPS_JWT_JWKS_URL',
      'BPS_JWT_ISSUER',
      'BPS_DIRECTORY_FILE',
      'BPS_KAFKA_USERNAME',
      'BPS_KAFKA_PASSWORD',
      'BPS_DECISION_PUBLIC_JWKS',
    ]) {
      expect(registry.stderr).toContain(`${key}: must be set`);
    }
    // Production refuses plaintext (issue #20): gRPC mTLS files, TLS to Kafka and to MongoDB.
    for (const key of ['BPS_GRPC_TLS_CA', 'BPS_GRPC_TLS_CERT', 'BPS_GRPC_TLS_KEY', 'BPS_KAFKA_TLS_CA', 'BPS_MONGODB_TLS_CA']) {
      expect(registry.stderr).toContain(`${key}: must be set in production`);
    }
    expect(registry.stderr).toContain('BPS_ENV: unset, so this is production');
    expect(audit.code).toBe(1);
    expect(audit.stderr).toContain('AUDIT_SIGNING_KEY: must be set in production');
  });

  it('production refuses the development signing key; development refuses a non-loopback bind', async () => {
    const { BPS_ENV: _development, ...keys } = identityEnv();
    const [prod, exposed] = await Promise.all([
      run('services/gateway/main.ts', [], { ...keys, BPS_DIRECTORY_FILE: '/nonexistent.json' }),
      run('services/gateway/main.ts', [], { ...identityEnv(), GATEWAY_HTTP_HOST: '0.0.0.0', GATEWAY_HTTP_PORT: '0' }),
    ]);
    expect(prod.code).toBe(1);
    expect(prod.stderr).toContain('BPS_JWT_SIGNING_JWK: must not be set in production');
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toContain('GATEWAY_HTTP_HOST: must be a loopback address in development mode');
  });

  it('npm run token signs a persona token with the local stack issuer', async () => {
    // The stack's own locations: its data directory derives from BPS_CACHE_DIR unless BPS_DATA_DIR says otherwise
    // (pinning ~/.cache/bps/data read another stack's keys when the suite ran with an empty BPS_CACHE_DIR).
    const locations = Object.fromEntries(['BPS_DATA_DIR', 'BPS_CACHE_DIR', 'HOME'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
    const minted = await run('infra/scripts/token.ts', ['beijing-officer'], locations);
    expect(minted.code, minted.stderr).toBe(0);
    expect(await testVerifier().verify(minted.stdout.trim())).toMatchObject({ subject: 'bj.officer.liu', organisation: '110000', roles: ['province-officer'] });
    expect((await run('infra/scripts/token.ts', ['root'], {})).code).toBe(2);
  });
});

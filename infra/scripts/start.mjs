// `npm start`: installs dependencies when missing, then hands over to the platform launcher.
// Plain JavaScript so it runs on a fresh clone before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
if (!existsSync(new URL('../../node_modules/.bin/tsx', import.meta.url))) {
  console.error('[start] installing npm dependencies (npm ci)…');
  let result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  // npm 11 may refuse its own lock file (other platforms' optional packages unrecorded); install does the same job.
  if (result.status !== 0) result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const child = spawn(fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url)), ['infra/scripts/platform.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));

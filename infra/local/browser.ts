// The headless browser the console's end-to-end tests drive: Debian's chromium (no browser download, which this
// machine could not make), with fonts-noto-cjk so Chinese renders in screenshots. Installed from Debian's packages
// on first use when missing, so `npm test` works on a machine where nothing was installed before.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runStep, say, which } from './process';

export const chromiumPath = process.env['BPS_CHROMIUM'] ?? '/usr/bin/chromium';

function debianPackageInstalled(name: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

export function browserMissing(): string[] {
  const missing: string[] = [];
  if (!existsSync(chromiumPath)) missing.push('chromium');
  if (which('dpkg-query') && !debianPackageInstalled('fonts-noto-cjk')) missing.push('fonts-noto-cjk');
  return missing;
}

/** Installs chromium and the CJK fonts with apt-get when they are missing (as root, or through sudo). */
export async function ensureBrowser(): Promise<void> {
  const missing = browserMissing();
  if (missing.length === 0) return;
  if (process.env['BPS_CHROMIUM'] && missing.includes('chromium')) throw new Error(`BPS_CHROMIUM=${chromiumPath} does not exist`);
  const root = process.getuid?.() === 0;
  const sudo = !root && which('sudo') ? ['sudo', '-n'] : [];
  if (!root && sudo.length === 0) {
    throw new Error(`the browser tests need ${missing.join(' and ')}: apt-get install ${missing.join(' ')} (or set BPS_CHROMIUM)`);
  }
  say(`browser tests: installing ${missing.join(', ')} from Debian's packages`);
  const apt = (args: string[]): Promise<void> =>
    sudo.length > 0
      ? runStep(`apt-get ${args[0]}`, sudo[0]!, [...sudo.slice(1), 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], { usually: 'about a minute' })
      : runStep(`apt-get ${args[0]}`, 'apt-get', args, { env: { DEBIAN_FRONTEND: 'noninteractive' }, usually: 'about a minute' });
  await apt(['update', '-qq']);
  await apt(['install', '-y', '-qq', ...missing]);
}

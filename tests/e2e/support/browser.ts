// Real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core: no browser download, a fresh
// profile per launch, screenshots saved under test-results/screenshots/ as test artifacts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { chromiumPath } from '../../../infra/local/browser';
const screenshotDir = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

export type TestBrowser = {
  browser: Browser;
  /** A fresh context (own cookies) with one page; signs nobody in. */
  newPage(options?: {
    viewport?: { width: number; height: number };
    deviceScaleFactor?: number;
    locale?: string;
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
};

/** Starts Chromium with exactly the flags we choose (a fresh --user-data-dir among them) and attaches over CDP. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'bps-chromium-'));
  const child: ChildProcess = spawn(
    chromiumPath,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--disable-dev-shm-usage',
      '--remote-debugging-port=0',
      '--remote-debugging-address=127.0.0.1',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start within 60s:\n${seen.slice(-2000)}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited with ${code}:\n${seen.slice(-2000)}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`chromium could not be started from ${chromiumPath}: ${error.message}`));
    });
  });
  child.stderr?.resume();
  const browser = await chromium.connectOverCDP(endpoint, { timeout: 60_000 });
  return {
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 900 },
        deviceScaleFactor: options.deviceScaleFactor ?? 1,
        locale: options.locale ?? 'zh-CN',
      });
      context.setDefaultTimeout(30_000);
      context.setDefaultNavigationTimeout(60_000);
      return { context, page: await context.newPage() };
    },
    async close() {
      await browser.close().catch(() => undefined);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      // Chromium's helper processes may still be writing to the profile for a moment after the browser exits (e.g.
      // after a download); a temporary profile left behind must not fail the suite that used it.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch (error) {
        process.emitWarning(`could not remove the Chromium profile ${profile}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the local sign-in page as a seeded persona (the button carries data-persona). */
export async function signIn(page: Page, baseUrl: string, persona: string, next = '/standards'): Promise<void> {
  await page.goto(`${baseUrl}/signin?next=${encodeURIComponent(next)}`);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/signin')), page.click(`button[data-persona="${persona}"]`)]);
}

// `npm run bench`: runs every tests/bench/*.bench.ts (or those named on the command line) against the real stack
// and prints each one's results as a table. Benchmarks are never part of `npm test`.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureStack, stopStack } from '../../infra/local/stack';

export type BenchRow = Record<string, string | number>;
export type Bench = { title: string; run(endpoints: Awaited<ReturnType<typeof ensureStack>>['endpoints']): Promise<BenchRow[]> };

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (wanted.length === 0 || wanted.some((w) => f.includes(w))))
  .sort();
if (files.length === 0) {
  console.log('no benchmarks found');
  process.exit(0);
}
const { started, endpoints } = await ensureStack();
let failed = false;
try {
  for (const file of files) {
    const bench = (await import(new URL(file, import.meta.url).href)).default as Bench;
    console.log(`\n## ${bench.title} (${file})`);
    try {
      console.table(await bench.run(endpoints));
    } catch (error) {
      failed = true;
      console.error(`benchmark ${file} failed:`, error);
    }
  }
} finally {
  if (process.env['BPS_KEEP_INFRA'] !== '1') await stopStack(undefined, started);
}
process.exit(failed ? 1 : 0);

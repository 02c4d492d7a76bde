// `npm run audit:verify -- <export.json> [--trusted-key-id <id>]…`: checks an exported trace offline (no database,
// no network): every entry's hash and link, every checkpoint's signature, and every step against its entry.
// Exit 0 = verified, 1 = does not verify, 2 = usage or unreadable file.
import { readFileSync } from 'node:fs';
import { verifyExport } from './domain/export';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--trusted-key-id');
const trustedKeyIds = args.flatMap((a, i) => (a === '--trusted-key-id' && args[i + 1] ? [args[i + 1]!] : []));
if (!file) {
  console.error('usage: npm run audit:verify -- <export.json> [--trusted-key-id <key id>]...');
  process.exit(2);
}

let document: unknown;
try {
  document = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const result = verifyExport(document, trustedKeyIds.length > 0 ? { trustedKeyIds } : {});
if (result.ok) {
  console.log(`OK: ${result.steps} steps, ${result.entries} entries in ${result.logs} logs verified`);
  process.exit(0);
}
console.error(`FAILED: ${result.problems.length} problem(s)`);
for (const p of result.problems) console.error(`  - ${p}`);
process.exit(1);

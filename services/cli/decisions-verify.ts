// `npm run decisions:verify -- <publication.json> --keys <jwks.json | https://…/.well-known/bps-decision-keys.json>`:
// checks offline that a publication (a bps.standard.version.published webhook body or its data) applies a decision
// the approvals service signed. Exit 0 = verified, 1 = does not verify, 2 = usage or unreadable input.
import { readFileSync } from 'node:fs';
import { checkPublication } from '../shared/events/publication-check';

const args = process.argv.slice(2);
const keysAt = args.indexOf('--keys');
const keysSource = keysAt >= 0 ? args[keysAt + 1] : undefined;
const file = args.find((a, i) => !a.startsWith('--') && i !== keysAt + 1);
if (!file || !keysSource) {
  console.error('usage: npm run decisions:verify -- <publication.json> --keys <jwks.json | url of /.well-known/bps-decision-keys.json>');
  process.exit(2);
}

async function readKeys(source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`GET ${source}: HTTP ${response.status}`);
    return response.text();
  }
  return readFileSync(source, 'utf8');
}

let document: unknown;
let keys: string;
try {
  document = JSON.parse(readFileSync(file, 'utf8'));
  keys = await readKeys(keysSource);
} catch (error) {
  console.error(`cannot read input: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
try {
  const result = await checkPublication(document, keys);
  if (result.ok) {
    console.log(`OK: change set ${result.changeSetId} was signed by ${result.keyId} (decision ${result.eventId})`);
    process.exit(0);
  }
  console.error(`FAILED: ${result.problems.length} problem(s)`);
  for (const p of result.problems) console.error(`  - ${p}`);
  process.exit(1);
} catch (error) {
  console.error(`cannot check: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

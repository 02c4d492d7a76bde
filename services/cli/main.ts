// `bps`: the platform's command-line tool (see services/cli/README.md). Exit codes: services/cli/exit-codes.ts.
import { runCli, type Command } from './cli';
import { auditCommands } from './commands/audit';
import { editionCommands } from './commands/edition';
import { programmeCommands } from './commands/programme';
import { standardsCommands } from './commands/standards';
import { subscriptionCommands } from './commands/subscriptions';
import { tokenCommands } from './commands/token';
import { workCommands } from './commands/work';

export const commands: Command[] = [
  ...standardsCommands,
  ...workCommands,
  ...subscriptionCommands,
  ...auditCommands,
  ...programmeCommands,
  ...editionCommands,
  ...tokenCommands,
];

const code = await runCli(process.argv.slice(2), commands, process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
// Let stdout drain before exiting (large --json outputs through a pipe).
process.stdout.write('', () => process.exit(code));

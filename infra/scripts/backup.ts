// `npm run backup -- [--out DIR] [--live]` and `npm run restore -- --from DIR [--replace]` (infra/backup/backup.ts).
// Backup copies every service's database and the Kafka offsets of the local stack (or MONGODB_URI); restore puts a
// checked backup into an empty stack. A backup is consistent when nothing writes meanwhile: it refuses to run while
// the platform's services answer, unless --live (a best-effort copy, collection by collection).
import { join } from 'node:path';
import { backup, platformDatabases, restore } from '../backup/backup';
import { infraKafka } from '../local/kafka';
import { mongoUri } from '../local/mongo';
import { portOpen } from '../local/process';
import { ensureDevSecrets } from '../local/secrets';
import { settings } from '../local/settings';
import { platformServices } from './services';

const [command, ...args] = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const usage = 'usage: npm run backup -- [--out DIR] [--live]  |  npm run restore -- --from DIR [--replace]';

const s = settings();
const uri = mongoUri(s);

async function runningServices(): Promise<string[]> {
  const open = await Promise.all(
    platformServices.map(async (svc) => ((await portOpen(Number(process.env[svc.grpcPortEnv] ?? svc.grpcPort))) ? svc.name : undefined)),
  );
  return open.filter((name): name is string => name !== undefined);
}

try {
  if (command === 'backup') {
    const running = await runningServices();
    if (running.length > 0 && !flag('--live')) {
      console.error(`[backup] the platform is running (${running.join(', ')} answer): stop npm start first for a consistent copy, or pass --live`);
      process.exit(1);
    }
    const outDir = value('--out') ?? join(s.dataDir, 'backups', new Date().toISOString().replace(/[:.]/g, '-'));
    const kafka = infraKafka(s, ensureDevSecrets(s).kafka.admin, 'bps-backup');
    const manifest = await backup({ mongoUri: uri, databases: platformDatabases, outDir, kafka });
    const documents = manifest.collections.reduce((sum, c) => sum + c.documents, 0);
    console.log(
      `[backup] ${manifest.databases.length} databases, ${manifest.collections.length} collections, ${documents} documents, Kafka offsets of ${Object.keys(manifest.kafka?.groups ?? {}).length} groups`,
    );
    console.log(`[backup] written to ${outDir} (manifest.json lists every file with its SHA-256)`);
  } else if (command === 'restore') {
    const fromDir = value('--from');
    if (!fromDir) throw new Error(usage);
    const manifest = await restore({ mongoUri: uri, fromDir, replace: flag('--replace') });
    const documents = manifest.collections.reduce((sum, c) => sum + c.documents, 0);
    console.log(
      `[restore] ${manifest.databases.join(', ')}: ${manifest.collections.length} collections, ${documents} documents from the backup of ${manifest.createdAt}`,
    );
    console.log('[restore] start the platform (npm start); Temporal workflows in flight at the backup are not part of it');
  } else {
    console.error(usage);
    process.exit(2);
  }
} catch (error) {
  console.error(`[${command}] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

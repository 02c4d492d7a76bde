// `npm run chaos`: the chaos suite on the local stack (loopback only). Starts the stack if it is down, two instances
// of every service as `npm start -- --replicas 2` runs them, three verifying webhook receivers, and a steady flow of
// revisions; injects 20 kill -9s (every instance in turn, the approvals worker mid-activity and notifications
// mid-delivery among them), a restart each of Kafka, Temporal and the database, and one receiver down for 20 s;
// then reports per fault (tests/chaos/chaos.ts says what each column means) and writes the report to
// tests/chaos/results/. Exits 1 when anything was lost or done twice, a part never came back, or the audit chain
// does not verify.
//
//   npm run chaos                      # the whole suite (about 10 minutes on 2 cores)
//   npm run chaos -- --kills 6 --no-infra --replicas 1
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { settings } from '../../infra/local/settings';
import { ensureStack, stopStack } from '../../infra/local/stack';
import { startProcessPlatform } from '../support/processes';
import { startWebhookReceiver } from '../support/webhooks';
import { formatReport, runChaos, type Fault, type InfraComponent } from './chaos';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '2' },
    kills: { type: 'string', default: '20' },
    'no-infra': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '3' },
  },
});
const replicas = Number(values.replicas);
const kills = Number(values.kills);
const say = (line: string): void => console.error(`[chaos] ${line}`);

const s = settings();
say('bringing up the local stack (if down)…');
await ensureStack(s);

// Every instance in turn, the flow's services first; the approvals worker killed right after a final sign-off and
// notifications while a delivery awaits its answer, the first time each comes round.
const order = ['approvals', 'notifications', 'registry', 'proposals', 'gateway', 'audit', 'programme'];
const rotation: string[] = [];
for (let k = 0; k < replicas; k++) for (const service of order) rotation.push(replicas === 1 ? service : `${service}-${k + 1}`);
const faults: Fault[] = [];
const moments = new Set<string>();
for (let i = 0; i < kills; i++) {
  const instance = rotation[i % rotation.length]!;
  const service = instance.replace(/-\d+$/, '');
  const moment =
    service === 'approvals' && !moments.has(service) ? 'mid-activity' : service === 'notifications' && !moments.has(service) ? 'mid-delivery' : undefined;
  if (moment) moments.add(service);
  faults.push({ kind: 'kill', instance, ...(moment ? { moment } : {}) });
  // Between the kills: the receiver outage early, then Kafka, Temporal and the database at a third, two thirds and the end.
  if (i === Math.min(1, kills - 1)) faults.push({ kind: 'receiver-down', receiver: 2, ms: 20_000 });
  if (!values['no-infra'] && i === Math.floor(kills / 3)) faults.push({ kind: 'restart', component: 'kafka' });
  if (!values['no-infra'] && i === Math.floor((2 * kills) / 3)) faults.push({ kind: 'restart', component: 'temporal' });
  if (!values['no-infra'] && i === kills - 1) faults.push({ kind: 'restart', component: 'database' });
}

const components: Record<InfraComponent, string[]> = { kafka: ['kafka'], temporal: ['temporal'], database: ['mongo', 'postgres'] };
async function restart(component: InfraComponent): Promise<void> {
  say(`stopping ${component}…`);
  await stopStack(s, components[component]);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  say(`starting ${component}…`);
  await ensureStack(s);
}

const receivers = await Promise.all([startWebhookReceiver(), startWebhookReceiver(), startWebhookReceiver()]);
say(`starting ${replicas} instance(s) of every service…`);
const platform = await startProcessPlatform('chaos', { replicas });
let failed = true;
try {
  const report = await runChaos({
    platform,
    receivers,
    faults,
    items: ['HEA-01', 'HEA-02', 'HEA-03', 'HEA-04', 'HEA-05', 'HEA-06', 'HEA-07', 'HEA-08', 'HEA-09'],
    concurrency: Number(values.concurrency),
    restart,
    log: say,
  });
  const text = formatReport(report);
  console.log(`\n${text}\n`);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`chaos-${new Date().toISOString().slice(0, 10)}-r${replicas}-k${kills}${values['no-infra'] ? '-noinfra' : ''}.md`, dir);
  writeFileSync(
    file,
    `# npm run chaos -- --replicas ${replicas} --kills ${kills}${values['no-infra'] ? ' --no-infra' : ''} (${new Date().toISOString()})\n\n${text}\n`,
  );
  say(`report written to ${file.pathname}`);
  failed =
    report.totals.lost > 0 ||
    report.totals.duplicateSideEffects > 0 ||
    report.totals.duplicateVersions > 0 ||
    report.totals.maxRecoverMs === null ||
    report.drafts.stored !== report.drafts.created ||
    report.flowErrors.length > 0 ||
    !report.auditVerified;
} finally {
  await platform.stop().catch((error: unknown) => say(`stopping the platform: ${String(error)}`));
  await Promise.all(receivers.map((r) => r.close()));
}
say(failed ? 'FAILED: see the report above' : 'passed: nothing lost, nothing done twice, everything came back');
process.exit(failed ? 1 : 0);

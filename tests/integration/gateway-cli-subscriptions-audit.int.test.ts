// The real `bps` binary against the whole platform (registry, proposals, approvals on Temporal, notifications,
// audit): a subscriber registers a webhook with the CLI, a publication goes through the approval flow, the refused
// first webhook is a dead letter and is redelivered; the audit trace of the published version and of its proposal
// lists who did what, the chains verify, an export is written and checks offline; bad input gets its exit code.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../services/audit/domain/export';
import { runBps } from './gateway-cli-run';
import { publishThroughApproval, startTestPlatform, startWebhookReceiver, type TestPlatform, type WebhookReceiver } from './gateway-platform';

describe('bps subscriptions and bps audit against the running platform', { timeout: 300_000 }, () => {
  let p: TestPlatform;
  let receiver: WebhookReceiver;
  let subscriptionId = '';
  let proposalId = '';
  const bps = (...args: string[]) => runBps(args, p.addresses);
  const poll = { timeout: 90_000, interval: 1000 };

  beforeAll(async () => {
    // The receiver refuses the first webhook (400: a dead letter at once), then accepts.
    [p, receiver] = await Promise.all([
      startTestPlatform('cli-sub', {}, { full: true, notifications: true, audit: true }),
      startWebhookReceiver((n) => (n === 0 ? 400 : 200)),
    ]);
  });
  afterAll(async () => {
    await p?.stop();
    await receiver?.close();
  });

  it('subscriptions add prints the secret once; list shows the subscription', async () => {
    const added = await bps(
      'subscriptions',
      'add',
      '--endpoint',
      receiver.url,
      '--event-type',
      'bps.standard.version.published',
      '--field',
      'F17-HEA',
      '--description',
      '国家统计局数据系统（CLI 测试）',
      '--as',
      'statistics-subscriber',
    );
    expect(added.code, added.stderr).toBe(0);
    const id = /^created subscription (\S+) \(ACTIVE\) for NBS/m.exec(added.stdout)?.[1];
    expect(id).toBeTruthy();
    subscriptionId = id ?? '';
    expect(added.stdout).toMatch(/signing secret \(shown only now\): whsec_\S+/);
    expect(added.stdout).toContain('types=bps.standard.version.published fields=F17-HEA');

    const [listed, json] = await Promise.all([
      bps('subscriptions', 'list', '--as', 'statistics-subscriber'),
      bps('subscriptions', 'list', '--json', '--as', 'statistics-subscriber'),
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/ID\s+STATUS\s+ORG\s+ENDPOINT/);
    expect(listed.stdout).toContain(subscriptionId);
    expect(listed.stdout).not.toContain('whsec_');
    expect(JSON.parse(json.stdout).subscriptions).toEqual([
      expect.objectContaining({ subscriptionId, status: 'SUBSCRIPTION_STATUS_ACTIVE', organisation: 'NBS' }),
    ]);
  });

  it('after a publication, deliveries shows the dead letter; redeliver sends it again', async () => {
    ({ proposalId } = await publishThroughApproval(p, 'HEA-03'));
    let deliveries: any[] = [];
    await expect
      .poll(async () => {
        deliveries = JSON.parse((await bps('subscriptions', 'deliveries', subscriptionId, '--json', '--as', 'statistics-subscriber')).stdout).deliveries ?? [];
        return deliveries[0]?.status;
      }, poll)
      .toBe('DELIVERY_STATUS_DEAD_LETTERED');
    const eventId: string = deliveries[0].eventId;
    const table = await bps('subscriptions', 'deliveries', subscriptionId, '--as', 'statistics-subscriber');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('1 deliveries, 1 DEAD-LETTERED');
    expect(table.stdout).toMatch(/bps\.standard\.version\.published\s+!! DEAD-LETTERED\s+1\s+400/);
    const deadOnly = await bps('subscriptions', 'deliveries', subscriptionId, '--status', 'dead-lettered', '--json', '--as', 'statistics-subscriber');
    expect(JSON.parse(deadOnly.stdout).deliveries.map((d: any) => d.eventId)).toEqual([eventId]);

    const redelivered = await bps('subscriptions', 'redeliver', subscriptionId, '--event', eventId, '--as', 'statistics-subscriber');
    expect(redelivered.code, redelivered.stderr).toBe(0);
    expect(redelivered.stdout).toBe('requeued 1 delivery\n');
    await expect
      .poll(
        async () =>
          JSON.parse((await bps('subscriptions', 'deliveries', subscriptionId, '--json', '--as', 'statistics-subscriber')).stdout).deliveries[0].status,
        poll,
      )
      .toBe('DELIVERY_STATUS_DELIVERED');
    expect(receiver.received.map((r) => r.id)).toEqual([eventId, eventId]);

    expect((await bps('subscriptions', 'pause', subscriptionId, '--as', 'statistics-subscriber')).stdout).toBe(`${subscriptionId}: PAUSED\n`);
    expect((await bps('subscriptions', 'resume', subscriptionId, '--as', 'statistics-subscriber')).stdout).toBe(`${subscriptionId}: ACTIVE\n`);
  });

  it('audit trace lists who did what for the published version and for its proposal', async () => {
    let traced = { code: -1, stdout: '', stderr: '' };
    await expect
      .poll(async () => {
        traced = await bps('audit', 'trace', '--item', 'HEA-03', '--version', '2', '--as', 'auditor');
        return traced.stdout.includes('bps.notification.delivered');
      }, poll)
      .toBe(true);
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toMatch(/^\d+ records for HEA-03 v2 \(logs: /);
    expect(traced.stdout).toContain(`proposals   ${proposalId}`);
    expect(traced.stdout).toMatch(/#\s+TIME\s+EVENT\s+ACTOR\s+ORG\s+DETAILS\s+WHY/);
    for (const s of [
      'bps.proposal.submitted',
      'bps.approval.changeset.approved',
      'bps.standard.version.published',
      'bps.notification.dead-lettered',
      'nhc.staff.li',
      'sco.final.zhou',
    ])
      expect(traced.stdout).toContain(s);

    const proposal = await bps('audit', 'trace', '--proposal', proposalId, '--json', '--as', 'auditor');
    expect(proposal.code, proposal.stderr).toBe(0);
    const steps: { eventType: string; actor?: { subject: string } }[] = JSON.parse(proposal.stdout).trace.steps;
    expect(steps.filter((s) => s.eventType === 'bps.approval.step.signed').map((s) => s.actor?.subject)).toEqual([
      'nhc.approver.zhao',
      'ndrc.approver.chen',
      'mof.approver.sun',
      'sco.final.zhou',
    ]);
    expect(steps.map((s) => s.eventType)).toEqual(expect.arrayContaining(['bps.proposal.created', 'bps.proposal.approved', 'bps.standard.version.published']));
  });

  it('audit verify reports the chains intact; audit export writes a document that checks offline', async () => {
    const verified = await bps('audit', 'verify', '--item', 'HEA-03', '--version', '2', '--as', 'auditor');
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^hash chain intact: \d+ logs verified/);
    expect(verified.stdout).toMatch(new RegExp(`proposal:${proposalId.replace(/\./g, '\\.')}\\s+\\d+\\s+INTACT`));
    const global = await bps('audit', 'verify', '--json', '--as', 'auditor');
    expect(global.code, global.stderr).toBe(0);
    expect(JSON.parse(global.stdout)).toMatchObject({ ok: true, logs: [{ log: 'global', ok: true }] });

    const file = join(mkdtempSync(join(tmpdir(), 'bps-audit-')), 'trace.json');
    const exported = await bps('audit', 'export', '--proposal', proposalId, '--out', file, '--json', '--as', 'auditor');
    expect(exported.code, exported.stderr).toBe(0);
    const summary = JSON.parse(exported.stdout);
    const text = readFileSync(file, 'utf8');
    expect(summary).toEqual({ file, bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') });
    const doc = JSON.parse(text);
    expect(doc.target).toEqual({ kind: 'proposal', proposalId });
    expect(verifyExport(doc)).toMatchObject({ ok: true });

    const stdout = await bps('audit', 'export', '--item', 'HEA-03', '--version', '2', '--as', 'auditor');
    expect(stdout.code, stdout.stderr).toBe(0);
    expect(JSON.parse(stdout.stdout).target).toEqual({ kind: 'item-version', itemCode: 'HEA-03', version: 2 });
  });

  it('exit codes: 3 unknown, 2 usage, 6 invalid, 4 not allowed; --help', async () => {
    // Independent invocations run side by side (each launches the CLI through tsx).
    const sub = ['--as', 'statistics-subscriber'];
    const [
      unknown,
      unknownSubscription,
      noTarget,
      noVersion,
      twoTargets,
      noId,
      noEndpoint,
      badStatus,
      invalid,
      staff,
      staffAudit,
      groupHelp,
      addHelp,
      exportHelp,
    ] = await Promise.all([
      bps('audit', 'trace', '--proposal', 'no-such-proposal', '--as', 'auditor'),
      bps('subscriptions', 'deliveries', 'no-such-subscription', ...sub),
      bps('audit', 'trace', '--as', 'auditor'),
      bps('audit', 'trace', '--item', 'HEA-03', '--as', 'auditor'),
      bps('audit', 'export', '--proposal', 'a', '--cycle', 'b', '--as', 'auditor'),
      bps('subscriptions', 'redeliver', ...sub),
      bps('subscriptions', 'add', ...sub),
      bps('subscriptions', 'deliveries', subscriptionId, '--status', 'lost', ...sub),
      bps('subscriptions', 'add', '--endpoint', receiver.url, '--event-type', 'bps.no.such', ...sub),
      bps('subscriptions', 'add', '--endpoint', receiver.url, '--as', 'nhc-staff'),
      bps('audit', 'trace', '--proposal', proposalId, '--as', 'nhc-staff'),
      bps('subscriptions', '--help'),
      bps('subscriptions', 'add', '--help'),
      bps('audit', 'export', '--help'),
    ]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('not found');
    expect(unknownSubscription.code).toBe(3);
    expect([noTarget.code, noVersion.code, twoTargets.code, noId.code, noEndpoint.code, badStatus.code]).toEqual([2, 2, 2, 2, 2, 2]);
    expect(noVersion.stderr).toContain('--item needs --version');
    expect(noEndpoint.stderr).toContain('--endpoint is required');
    expect(invalid.code).toBe(6);
    expect(invalid.stderr).toContain('filter.event_types[0]');
    expect(staff.code).toBe(4);
    expect(staffAudit.code).toBe(4);
    expect(groupHelp.code).toBe(0);
    for (const c of ['add', 'list', 'pause', 'resume', 'deliveries', 'redeliver']) expect(groupHelp.stdout).toContain(`subscriptions ${c}`);
    expect(addHelp.code).toBe(0);
    expect(addHelp.stdout).toContain('--event-type <type> …');
    expect(exportHelp.stdout).toContain('--out <file|->');
  });
});

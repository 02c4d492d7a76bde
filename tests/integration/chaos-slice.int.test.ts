// The slice of the chaos suite that runs in `npm test` (issue #19; the whole suite is `npm run chaos`): one instance
// of each service as `npm start` runs it, two verifying receivers, a steady flow of revisions, and a kill -9 of
// every flow service in turn — the approvals worker right after a final sign-off, notifications while a delivery
// awaits its answer — plus a receiver down for a while. The test suite shares the stack with other files, so it
// restarts no infrastructure (`npm run chaos` does). Nothing acknowledged may be lost, nothing may be done twice,
// every killed process must come back by itself, and the audit chain must verify.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport, runChaos, type ChaosReport } from '../chaos/chaos';
import { startProcessPlatform, type ProcessPlatform } from '../support/processes';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks';

describe('chaos slice: kill -9 of every service under a steady flow (issue #19)', { timeout: 900_000 }, () => {
  let p: ProcessPlatform;
  let receivers: WebhookReceiver[];
  let report: ChaosReport;

  beforeAll(async () => {
    [p, ...receivers] = await Promise.all([
      startProcessPlatform('chaos-slice', { replicas: 1, services: ['registry', 'proposals', 'approvals', 'notifications', 'audit', 'gateway'] }),
      startWebhookReceiver(),
      startWebhookReceiver(),
    ]);
  }, 300_000);
  afterAll(async () => {
    await p?.stop();
    await Promise.all((receivers ?? []).map((r) => r.close()));
  });

  it('loses nothing, does nothing twice, and every killed service comes back by itself', async () => {
    report = await runChaos({
      platform: p,
      receivers,
      faults: [
        { kind: 'kill', instance: 'approvals', moment: 'mid-activity' },
        { kind: 'kill', instance: 'notifications', moment: 'mid-delivery' },
        { kind: 'receiver-down', receiver: 1, ms: 5_000 },
        { kind: 'kill', instance: 'registry' },
        { kind: 'kill', instance: 'proposals' },
        { kind: 'kill', instance: 'gateway' },
        { kind: 'kill', instance: 'audit' },
      ],
      items: ['HEA-01', 'HEA-02', 'HEA-03', 'HEA-04'],
      concurrency: 2,
    });
    console.log(formatReport(report));

    expect(report.flowErrors).toEqual([]);
    expect(report.totals.acknowledged).toBeGreaterThanOrEqual(report.rows.length);
    expect(report.totals.lost, 'acknowledged but never delivered').toBe(0);
    expect(report.totals.duplicateSideEffects, 'one publication under two webhook-ids').toBe(0);
    expect(report.totals.duplicateVersions, 'one item version published twice').toBe(0);
    expect(report.drafts.stored, 'a retried create made a second draft').toBe(report.drafts.created);
    expect(report.auditVerified).toBe(true);
    for (const row of report.rows.slice(1)) {
      expect(row.backMs, `${row.fault}: back`).not.toBeNull();
      expect(row.recoverMs, `${row.fault}: the flow resumed`).not.toBeNull();
    }
    // Each kill was seen and answered by the supervisor, once.
    for (const name of ['approvals', 'notifications', 'registry', 'proposals', 'gateway', 'audit']) expect(report.restarts[name], name).toBe(1);
  });
});

// Backup and restore (infra/backup/backup.ts, `npm run backup` / `npm run restore`): the whole platform runs a real
// flow (a version published through approval, a draft, a subscription, the audit trail), is backed up, its databases
// are dropped (an empty stack), restored, and the platform started again on them reads the same and its audit
// verifies. A damaged backup is refused before anything is written; a restore over data is refused.
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { backup, restore, verifyBackup, type Manifest } from '../../infra/backup/backup';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { healthProposal } from '../unit/proposals-fixtures';
import { apiAs, publishThroughApproval, startWebhookReceiver, type TestPlatform } from './gateway-platform';
import { adminKafka } from '../support/kafka';
import { startPlatform, type ServiceName } from '../support/platform';
import { stack } from '../support/stack';

const services: ServiceName[] = ['registry', 'proposals', 'approvals', 'notifications', 'audit', 'gateway'];

/** What people read: an item's history, two proposals, the subscriptions, the audit's verdicts. */
async function reading(p: TestPlatform, ids: { approved: string; draft: string }) {
  const get = async (persona: Parameters<typeof apiAs>[1], method: string, path: string, body?: unknown) => {
    const r = await apiAs(p, persona, method, path, body);
    if (r.status !== 200) throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const verify = async (log: string) => {
    const v = await get('auditor', 'POST', '/api/v1/audit/verify', { log });
    return { ok: v.ok, size: v.size };
  };
  return {
    history: (await get('nhc-staff', 'GET', '/api/v1/standards/items/HEA-01/history')).versions.map((v: any) => [v.version, v.effectiveFrom, v.item?.name]),
    items: (await get('nhc-staff', 'GET', '/api/v1/standards/items')).items.length,
    approved: (({ state, revision, content }) => ({ state, revision, content }))((await get('nhc-staff', 'GET', `/api/v1/proposals/${ids.approved}`)).proposal),
    draft: (({ state, revision, content }) => ({ state, revision, content }))((await get('nhc-staff', 'GET', `/api/v1/proposals/${ids.draft}`)).proposal),
    subscriptions: (await get('statistics-subscriber', 'GET', '/api/v1/subscriptions')).subscriptions.map((s: any) => [
      s.subscriptionId,
      s.endpointUrl,
      s.status,
    ]),
    audit: { global: await verify('global'), proposal: await verify(`proposal:${ids.approved}`) },
  };
}

describe('backup and restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bps-backup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores every service database into an empty stack; the platform reads the same and its audit verifies', async () => {
    const receiver = await startWebhookReceiver();
    const first = (await startPlatform('bkp', { services })) as unknown as TestPlatform;
    let before: Awaited<ReturnType<typeof reading>>;
    let ids: { approved: string; draft: string };
    try {
      const { proposalId } = await publishThroughApproval(first, 'HEA-01');
      const draft = await apiAs(first, 'nhc-staff', 'POST', '/api/v1/proposals', {
        content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-02', baseVersion: 1 })),
      });
      expect(draft.status).toBe(201);
      ids = { approved: proposalId, draft: draft.json.proposal.proposalId };
      const subscribed = await apiAs(first, 'statistics-subscriber', 'POST', '/api/v1/subscriptions', {
        endpointUrl: receiver.url,
        description: '备份测试',
        filter: { eventTypes: ['bps.standard.version.published'] },
      });
      expect(subscribed.status).toBe(201);
      // The audit trail has the whole flow before the copy (what is read must be what is kept).
      await expect.poll(async () => (await reading(first, ids)).audit.proposal.size, { timeout: 60_000, interval: 500 }).not.toBe('0');
      await expect.poll(async () => (await reading(first, ids)).approved.state, { timeout: 60_000, interval: 500 }).toBe('PROPOSAL_STATE_APPROVED');
      before = await reading(first, ids);
      expect(before.audit.global.ok).toBe(true);
      expect(before.history.map((h: any[]) => h[0])).toEqual([1, 2]);

      const manifest: Manifest = await backup({
        mongoUri: stack().mongoUri,
        databases: first.databases,
        outDir: join(dir, 'b1'),
        kafka: adminKafka('test-backup'),
        kafkaNames: (name) => name.includes(first.namespace),
      });
      expect(manifest.databases).toEqual(first.databases);
      expect(manifest.collections.length).toBeGreaterThan(10);
      expect(Object.keys(manifest.kafka?.topics ?? {}).some((t) => t.includes(first.namespace))).toBe(true);
    } finally {
      await first.stop(); // drops every database: the empty stack
    }

    const client = new MongoClient(stack().mongoUri);
    await client.connect();
    try {
      for (const db of first.databases) expect(await client.db(db).listCollections().toArray()).toEqual([]);
      const restored = await restore({ mongoUri: stack().mongoUri, fromDir: join(dir, 'b1') });
      expect(restored.collections.reduce((n, c) => n + c.documents, 0)).toBeGreaterThan(100);
      // Over data: refused, unless told to replace it.
      await expect(restore({ mongoUri: stack().mongoUri, fromDir: join(dir, 'b1') })).rejects.toThrow(/is not empty/);
    } finally {
      await client.close();
    }

    const second = (await startPlatform('bkp', { services, names: first.names })) as unknown as TestPlatform;
    try {
      const after = await reading(second, ids!);
      // The global log goes on after the restart (the restarted services' own records): restored, then appended to.
      const { audit: auditAfter, ...restAfter } = after;
      const { audit: auditBefore, ...restBefore } = before!;
      expect(restAfter).toEqual(restBefore);
      expect(auditAfter.proposal).toEqual(auditBefore.proposal);
      expect(auditAfter.global.ok).toBe(true);
      expect(Number(auditAfter.global.size)).toBeGreaterThanOrEqual(Number(auditBefore.global.size));
    } finally {
      await second.stop();
      await receiver.stop();
    }
  }, 240_000);

  it('refuses a damaged backup before writing anything', async () => {
    const client = new MongoClient(stack().mongoUri);
    await client.connect();
    const db = `t_bkp_damaged_${Date.now().toString(36)}`;
    try {
      await client
        .db(db)
        .collection('records')
        .insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: `r${i}` as never, n: i, at: new Date(Date.UTC(2026, 0, i + 1)) })));
      const manifest = await backup({ mongoUri: stack().mongoUri, databases: [db], outDir: join(dir, 'b2') });
      await client.db(db).dropDatabase();
      const file = join(dir, 'b2', manifest.collections[0]!.file);

      const changed = join(dir, 'b2-changed');
      cpSync(join(dir, 'b2'), changed, { recursive: true });
      writeFileSync(join(changed, manifest.collections[0]!.file), readFileSync(file, 'utf8').replace('"n":{"$numberInt":"3"}', '"n":{"$numberInt":"4"}'));
      await expect(verifyBackup(changed)).rejects.toThrow(/SHA-256 differs/);
      await expect(restore({ mongoUri: stack().mongoUri, fromDir: changed })).rejects.toThrow(/SHA-256 differs/);

      const extra = join(dir, 'b2-extra');
      cpSync(join(dir, 'b2'), extra, { recursive: true });
      appendFileSync(join(extra, manifest.collections[0]!.file), '{"_id":"r9"}\n');
      await expect(restore({ mongoUri: stack().mongoUri, fromDir: extra })).rejects.toThrow(/6 documents, the manifest says 5/);
      expect(await client.db(db).listCollections().toArray()).toEqual([]);

      // The intact copy restores with its types (dates stay dates).
      await restore({ mongoUri: stack().mongoUri, fromDir: join(dir, 'b2') });
      const back = await client.db(db).collection('records').find({}).sort({ _id: 1 }).toArray();
      expect(back.map((d) => [d._id, d['n'], (d['at'] as Date).toISOString()])).toEqual(
        Array.from({ length: 5 }, (_, i) => [`r${i}`, i, new Date(Date.UTC(2026, 0, i + 1)).toISOString()]),
      );
    } finally {
      await client.db(db).dropDatabase();
      await client.close();
    }
  });
});

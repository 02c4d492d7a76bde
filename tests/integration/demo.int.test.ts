// Issue #17, "a first look that shows the product": the demo loader (infra/scripts/demo.ts) drives a started
// platform through its public JSON API and leaves a clearly marked demonstration data set — provincial filings, an
// ad-hoc revision approved and published, a proposal in review under public consultation with a published comment,
// a subscription whose deliveries the local receiver verifies (Standard Webhooks) — and removal drops exactly the
// demo's databases and topics: another platform's (the real) data is untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MARK, gatewayApi, loadDemo, removeDemo, startDemoReceiver, type DemoSummary } from '../../infra/scripts/demo';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { adminKafka } from '../support/kafka';
import { stack } from '../support/stack';
import { startPlatform } from '../support/platform';
import { apiAs, type TestPlatform } from './gateway-platform';
import { MongoClient } from 'mongodb';

describe('demonstration data set (issue #17)', { timeout: 300_000 }, () => {
  let demo: TestPlatform;
  let real: TestPlatform;
  let receiver: Awaited<ReturnType<typeof startDemoReceiver>>;
  let secret: string | undefined;
  let summary: DemoSummary;
  const lines: string[] = [];

  beforeAll(async () => {
    [demo, real, receiver] = await Promise.all([
      startPlatform('demo', { services: ['registry', 'proposals', 'approvals', 'notifications', 'audit', 'gateway'] }) as unknown as Promise<TestPlatform>,
      startPlatform('demo-real', { services: ['registry', 'gateway'] }) as unknown as Promise<TestPlatform>,
      startDemoReceiver({ port: 0, secret: () => secret, print: (l) => lines.push(l) }),
    ]);
    // Real data: a filing on the other platform.
    const filed = await apiAs(real, 'beijing-officer', 'POST', '/api/v1/standards/filings', {
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: { year: 2018, month: 1, day: 1 },
      metrics: [{ metric: 'government_subsidy_per_capita', value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
    });
    expect(filed.status, JSON.stringify(filed.json)).toBe(201);
  }, 300_000);
  afterAll(async () => {
    await receiver?.close();
    await demo?.stop().catch(() => undefined);
    await real?.stop();
  });

  it('loads the marked demo data through the public API', async () => {
    const api = gatewayApi(demo.gateway.url, (persona: PersonaName) => demo.token(personas[persona]));
    summary = await loadDemo(api, { receiverUrl: receiver.url, onSecret: (s) => (secret = s), log: (l) => lines.push(l) });

    const proposals = (await apiAs(demo, 'nhc-staff', 'GET', '/api/v1/proposals')).json.proposals as any[];
    const byId = Object.fromEntries(proposals.map((p) => [p.proposalId, p]));
    expect(byId[summary.publishedProposalId]).toMatchObject({ state: 'PROPOSAL_STATE_APPROVED' });
    expect(byId[summary.inReviewProposalId]).toMatchObject({ state: 'PROPOSAL_STATE_IN_REVIEW' });
    for (const p of proposals) expect(p.content.title.startsWith(DEMO_MARK)).toBe(true);
    const history = (await apiAs(demo, 'nhc-staff', 'GET', '/api/v1/standards/items/HEA-01/history')).json.versions as any[];
    expect(history.map((v) => v.version)).toContain(2);
    const compliance = await apiAs(demo, 'guangdong-officer', 'GET', '/api/v1/standards/compliance/440000');
    expect(JSON.stringify(compliance.json)).toContain('INS-05');

    // The portal shows the consultation with the published comment, without sign-in.
    const consultation = (await (await fetch(`${demo.gateway.url}/api/v1/consultations/${summary.inReviewProposalId}`)).json()) as any;
    expect(consultation.consultation.acceptingComments).toBe(true);
    expect(consultation.consultation.comments.map((c: any) => c.commentId)).toEqual([summary.commentId]);

    // The receiver verified deliveries signed with the subscription's secret, and printed them.
    await expect.poll(() => receiver.deliveries.filter((d) => d.verified).length, { timeout: 90_000, interval: 500 }).toBeGreaterThan(0);
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    expect(lines.some((l) => l.startsWith('verified '))).toBe(true);

    // Loading twice is refused rather than doubling the data.
    await expect(loadDemo(api, { receiverUrl: receiver.url, onSecret: () => undefined, log: () => undefined })).rejects.toThrow(/already loaded/);
  });

  it('removes only the demo databases and topics; the real data stays', async () => {
    // Stop the demo services first (as `npm start -- --demo-remove` runs with the platform stopped).
    for (const service of ['gateway', 'audit', 'notifications', 'approvals', 'proposals', 'registry'] as const) await demo[service]!.stop();
    const kafka = adminKafka('demo-remove');
    const removed = await removeDemo({ mongoUri: stack().mongoUri, databases: demo.databases, topicNamespace: demo.namespace, kafka });
    expect([...removed.droppedDatabases].sort()).toEqual([...demo.databases].sort());
    expect(removed.deletedTopics.length).toBeGreaterThan(0);
    expect(removed.deletedTopics.every((t) => t.endsWith(`.${demo.namespace}`))).toBe(true);

    const client = new MongoClient(stack().mongoUri);
    await client.connect();
    const names = (await client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
    await client.close();
    for (const db of demo.databases) expect(names).not.toContain(db);
    for (const db of real.databases) expect(names).toContain(db);
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics.filter((t) => t.endsWith(`.${demo.namespace}`))).toEqual([]);
    expect(topics.some((t) => t.endsWith(`.${real.namespace}`))).toBe(true);

    const compliance = await apiAs(real, 'beijing-officer', 'GET', '/api/v1/standards/compliance/110000');
    expect(compliance.status).toBe(200);
    expect(JSON.stringify(compliance.json)).toContain('380');
  });
});

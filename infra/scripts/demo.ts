// A first look at the product (issue #17): a clearly marked DEMONSTRATION data set, loaded through the platform's
// public JSON API with the seeded personas' development tokens — provincial filings, an ad-hoc revision approved and
// published, a proposal in review under public consultation with a published comment, and a webhook subscription
// to a local receiver that prints every delivery it verifies.
//
// Kept apart from real data: `npm start -- --demo` runs every service on its own databases (bps_<service>_demo),
// Kafka topics (<topic>.demo) and ids (proposal ids end in ".demo"), so nothing of it is ever in the real record.
// Removable in one command: `npm start -- --demo-remove` (or `npm run demo -- --remove`) drops those databases and
// topics. The append-only record is not edited: the whole demonstration record (its audit logs included) goes with
// its databases. What stays: the demo workflows' histories in the local Temporal dev server (ids end in ".demo"),
// until its retention removes them — they are never read by a platform started without --demo.
//
// Every value it enters is a DEMONSTRATION value, marked 【演示】 in titles, notes and texts; none is an official level.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { Webhook } from 'standardwebhooks';
import { Comparator, ExpenditureKind, OrganisationKind, PaymentCategory, RegionTier } from '../../proto/gen/bps/common/v1/common';
import { AdHocTrigger, ProposalContent, ProposalKind } from '../../proto/gen/bps/proposals/v1/proposal';
import type { PersonaName } from '../../services/shared/auth/personas';
import { todayInChina } from '../../services/shared/standards/china-date';

export const DEMO_NAMESPACE = 'demo';
export const DEMO_MARK = '【演示】';
export const DEMO_SERVICES = ['registry', 'proposals', 'approvals', 'notifications', 'audit', 'programme'] as const;

/** The demo's databases: each service's own, suffixed _demo. */
export function demoDatabases(): string[] {
  return DEMO_SERVICES.map((s) => `bps_${s}_demo`);
}

/** The environment that puts every service on the demo's databases and topics. */
export function demoServiceEnv(): Record<string, string> {
  return {
    BPS_TOPIC_NAMESPACE: DEMO_NAMESPACE,
    ...Object.fromEntries(DEMO_SERVICES.map((s) => [`${s.toUpperCase()}_DB`, `bps_${s}_demo`])),
  };
}

export type Api = (persona: PersonaName | 'visitor', method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

/** An Api over a gateway: personas with their bearer token, the visitor without any. */
export function gatewayApi(baseUrl: string, token: (persona: PersonaName) => Promise<string>): Api {
  return async (persona, method, path, body) => {
    const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/json' } : {};
    if (persona !== 'visitor') headers['authorization'] = `Bearer ${await token(persona)}`;
    const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  };
}

// Demonstration documents: the digest is of the title (there is no document behind a demo reference).
const doc = (title: string) => ({
  title: `${DEMO_MARK}${title}`,
  uri: `https://demo.invalid/${encodeURIComponent(title)}`,
  digest: createHash('sha256').update(title).digest('hex'),
  digestAlgorithm: 'sha256',
});

/** 【演示】 proposal content raising the basic public health funding of a health item to a DEMONSTRATION level. */
function demoHealthProposal(itemCode: string, name: string, title: string): ProposalContent {
  // DEMONSTRATION inputs (not official figures): the level, the populations and the central shares.
  const level = '99';
  return ProposalContent.fromPartial({
    title: `${DEMO_MARK}${title}`,
    kind: ProposalKind.PROPOSAL_KIND_AD_HOC,
    trigger: AdHocTrigger.AD_HOC_TRIGGER_MID_TERM_EVALUATION,
    triggerDocument: doc('中期评估报告（演示文档）'),
    changes: [
      {
        changeId: 'c1',
        change: {
          $case: 'modifyItem',
          modifyItem: {
            base: { itemCode, version: 1 },
            lowersFloor: false,
            loweringJustification: '',
            item: {
              itemCode,
              name,
              fieldCode: 'F17-HEA',
              categoryCode: '',
              serviceTarget: { stated: false, text: '' },
              serviceContent: { stated: false, text: '' },
              qualityStandard: {
                stated: true,
                text: `${DEMO_MARK}经费补助标准提高到每人每年${level}元（演示数值，非官方标准）`,
                metrics: [
                  {
                    metric: 'funding_per_capita',
                    label: '基本公共卫生服务经费（演示）',
                    comparator: Comparator.COMPARATOR_GTE,
                    value: level,
                    unit: 'CNY',
                    basis: 'per_person_per_year',
                  },
                ],
              },
              paymentCategory: PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
              expenditureResponsibility: { kind: ExpenditureKind.EXPENDITURE_KIND_NOT_STATED, text: '', centralShares: [] },
              leadUnit: { code: 'NHC', name: '国家卫生健康委', kind: OrganisationKind.ORGANISATION_KIND_MINISTRY },
              leadUnitStated: false,
            },
          },
        },
      },
    ],
    justification: {
      economicSocialDevelopment: `${DEMO_MARK}经济社会发展（演示）`,
      urbanRuralIncomeGrowth: `${DEMO_MARK}城乡居民收入增长（演示）`,
      sectorNeeds: `${DEMO_MARK}行业发展需要（演示）`,
      fiscalCapacity: `${DEMO_MARK}财政承受能力（演示）`,
      technicalInnovation: `${DEMO_MARK}技术创新（演示）`,
      demandSurvey: { summary: `${DEMO_MARK}需求调查（演示）`, documents: [doc('需求调查报告（演示文档）')] },
      evaluation: { summary: `${DEMO_MARK}评价评估（演示）`, documents: [doc('评价评估报告（演示文档）')] },
    },
    evidence: [doc('测算说明（演示文档）')],
    fiscal: {
      years: 3,
      affordabilityAssessment: `${DEMO_MARK}财政可承受性（演示）`,
      lines: [
        {
          changeId: 'c1',
          metric: '',
          populations: [
            { regionTier: RegionTier.REGION_TIER_EAST, coveredPopulation: '1000000' },
            { regionTier: RegionTier.REGION_TIER_CENTRAL, coveredPopulation: '1000000' },
            { regionTier: RegionTier.REGION_TIER_WEST, coveredPopulation: '1000000' },
          ],
          centralShares: [
            { regionTier: RegionTier.REGION_TIER_EAST, percent: '50' },
            { regionTier: RegionTier.REGION_TIER_CENTRAL, percent: '50' },
            { regionTier: RegionTier.REGION_TIER_WEST, percent: '50' },
          ],
        },
      ],
    },
    effectiveFrom: { year: new Date().getUTCFullYear() + 1, month: 1, day: 1 },
  });
}

export type DemoSummary = {
  readonly subscriptionId: string;
  readonly secret: string;
  readonly filings: readonly string[];
  readonly publishedProposalId: string;
  readonly inReviewProposalId: string;
  readonly commentId: string;
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Loads the demonstration data set through the JSON API. `receiverUrl`: the local webhook receiver; `onSecret`
 * hands it the subscription's signing secret. Refuses to load twice (remove the demo data first).
 */
export async function loadDemo(
  api: Api,
  options: { receiverUrl: string; onSecret: (secret: string) => void; log?: (line: string) => void },
): Promise<DemoSummary> {
  const log = options.log ?? ((line: string) => console.error(`[demo] ${line}`));
  const must = (r: { status: number; json: any }, what: string): any => {
    if (r.status >= 300) throw new Error(`demo: ${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  // The gateway may be up before every backend answers: wait for the proposals service.
  const existing = await until('the platform to answer', async () => {
    const r = await api('nhc-staff', 'GET', '/api/v1/proposals');
    return r.status === 503 ? undefined : must(r, 'list proposals');
  });
  if ((existing.proposals ?? []).some((p: any) => String(p.content?.title ?? '').startsWith(DEMO_MARK)))
    throw new Error('demo: the demonstration data is already loaded (remove it first: npm start -- --demo-remove)');

  // 1. A subscription to the local receiver, first, so it receives what follows.
  const sub = must(
    await api('statistics-subscriber', 'POST', '/api/v1/subscriptions', {
      endpointUrl: options.receiverUrl,
      description: `${DEMO_MARK}本地演示接收端（打印收到的每条通知）`,
    }),
    'create subscription',
  );
  options.onSecret(sub.secret);
  log(`subscription ${sub.subscription.subscriptionId} → ${options.receiverUrl}`);

  // 2. Provincial filings (DEMONSTRATION values, marked in the note).
  const filings: string[] = [];
  for (const [persona, province, value] of [
    ['beijing-officer', '110000', '380'],
    ['guangdong-officer', '440000', '380'],
  ] as const) {
    const filed = must(
      await api(persona, 'POST', '/api/v1/standards/filings', {
        provinceCode: province,
        itemCode: 'INS-05',
        effectiveFrom: { year: 2018, month: 1, day: 1 },
        metrics: [{ metric: 'government_subsidy_per_capita', value, unit: 'CNY', basis: 'per_person_per_year' }],
        note: `${DEMO_MARK}演示数据，非官方标准`,
      }),
      `filing ${province}`,
    );
    filings.push(filed.filingId);
    log(`filing ${filed.filingId} by ${province}`);
  }

  // 3. An ad-hoc revision, approved by every step and published.
  const published = must(
    await api('nhc-staff', 'POST', '/api/v1/proposals', {
      content: ProposalContent.toJSON(demoHealthProposal('HEA-01', '居民健康档案', '提高居民健康档案服务经费补助标准（已发布的演示调整）')),
    }),
    'create the published proposal',
  ).proposal;
  must(await api('nhc-staff', 'POST', `/api/v1/proposals/${published.proposalId}/submit`, { expectedRevision: published.revision }), 'submit');
  for (const persona of ['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as const) {
    const item = await until(`${published.proposalId} in the inbox of ${persona}`, async () =>
      (must(await api(persona, 'GET', '/api/v1/inbox'), 'inbox').items ?? []).find((i: any) => i.proposal?.proposalId === published.proposalId),
    );
    must(
      await api(persona, 'POST', `/api/v1/approvals/${published.proposalId}/steps/${item.step.stepId}/sign`, {
        position: 'POSITION_APPROVE',
        comment: `${DEMO_MARK}同意（演示）`,
      }),
      `${persona} signs`,
    );
  }
  await until('HEA-01 v2 published', async () =>
    (must(await api('nhc-staff', 'GET', '/api/v1/standards/items/HEA-01/history'), 'history').versions ?? []).find((v: any) => v.version === 2),
  );
  log(`ad-hoc revision ${published.proposalId} approved and published (HEA-01 v2)`);

  // 4. A proposal in review, under public consultation, with one published comment.
  const inReview = must(
    await api('nhc-staff', 'POST', '/api/v1/proposals', {
      content: ProposalContent.toJSON(demoHealthProposal('HEA-02', '健康教育', '提高健康教育服务经费补助标准（审批中的演示方案）')),
    }),
    'create the proposal in review',
  ).proposal;
  must(await api('nhc-staff', 'POST', `/api/v1/proposals/${inReview.proposalId}/submit`, { expectedRevision: inReview.revision }), 'submit');
  await until(`${inReview.proposalId} in review`, async () => {
    const p = must(await api('nhc-staff', 'GET', `/api/v1/proposals/${inReview.proposalId}`), 'get').proposal;
    return p.state === 'PROPOSAL_STATE_IN_REVIEW' ? p : undefined;
  });
  const today = todayInChina();
  const closes = todayInChina(new Date(Date.now() + 30 * 86_400_000));
  must(
    await api('nhc-staff', 'POST', `/api/v1/proposals/${inReview.proposalId}/consultation`, {
      opensOn: today,
      closesOn: closes,
      summary: `${DEMO_MARK}拟提高健康教育服务经费补助标准，现公开征求意见（演示）。`,
    }),
    'open consultation',
  );
  const comment = must(
    await api('visitor', 'POST', `/api/v1/consultations/${inReview.proposalId}/comments`, {
      text: `${DEMO_MARK}建议公布测算依据（演示意见）。`,
      commenterOrganisation: '演示单位',
    }),
    'comment',
  );
  must(
    await api('nhc-staff', 'POST', `/api/v1/proposals/${inReview.proposalId}/consultation/comments/${comment.commentId}/moderation`, {
      decision: 'PUBLISH',
      reason: `${DEMO_MARK}予以公开（演示）`,
    }),
    'publish the comment',
  );
  log(`proposal ${inReview.proposalId} in review, public consultation ${today} — ${closes} with comment ${comment.commentId} published`);
  return {
    subscriptionId: sub.subscription.subscriptionId,
    secret: sub.secret,
    filings,
    publishedProposalId: published.proposalId,
    inReviewProposalId: inReview.proposalId,
    commentId: comment.commentId,
  };
}

export type DemoDelivery = { readonly id: string; readonly type: string; readonly verified: boolean };

/**
 * The local webhook receiver: verifies each delivery's Standard Webhooks signature with the subscription's secret
 * (once known) and prints it. Unverified requests are answered 401 (and printed as such); before the secret is
 * known, 503 (the platform retries).
 */
export async function startDemoReceiver(options: {
  port: number;
  secret: () => string | undefined;
  print?: (line: string) => void;
}): Promise<{ url: string; deliveries: DemoDelivery[]; close(): Promise<void> }> {
  const print = options.print ?? ((line: string) => console.log(`[demo-receiver] ${line}`));
  const deliveries: DemoDelivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const secret = options.secret();
      if (!secret) {
        res.writeHead(503, { 'retry-after': '2' }).end();
        return;
      }
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      try {
        new Webhook(secret).verify(body, headers);
      } catch {
        deliveries.push({ id: headers['webhook-id'], type: '', verified: false });
        print(`REFUSED ${headers['webhook-id']}: the signature does not verify`);
        res.writeHead(401).end();
        return;
      }
      let type = '';
      try {
        const parsed = JSON.parse(body) as { type?: string };
        type = parsed.type ?? '';
      } catch {
        type = '(not JSON)';
      }
      deliveries.push({ id: headers['webhook-id'], type, verified: true });
      print(`verified ${headers['webhook-id']} ${type}\n${body.slice(0, 2000)}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/bps`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Removes the demonstration data: drops the demo's databases and deletes its topics (every topic of the namespace,
 * dead-letter topics included). Never touches a database or topic outside those names.
 */
export async function removeDemo(options: {
  mongoUri: string;
  databases: readonly string[];
  topicNamespace: string;
  kafka?: Kafka;
}): Promise<{ droppedDatabases: string[]; deletedTopics: string[] }> {
  if (!options.topicNamespace) throw new Error('removeDemo needs the demo topic namespace (never the real topics)');
  const droppedDatabases: string[] = [];
  const client = new MongoClient(options.mongoUri, { serverSelectionTimeoutMS: 10_000, retryWrites: false });
  await client.connect();
  try {
    const present = new Set((await client.db('admin').admin().listDatabases()).databases.map((d) => d.name));
    for (const name of options.databases) {
      if (!present.has(name)) continue;
      await client.db(name).dropDatabase();
      droppedDatabases.push(name);
    }
  } finally {
    await client.close();
  }
  let deletedTopics: string[] = [];
  if (options.kafka) {
    const admin = options.kafka.admin();
    await admin.connect();
    try {
      deletedTopics = (await admin.listTopics()).filter((t) => t.endsWith(`.${options.topicNamespace}`));
      if (deletedTopics.length > 0) await admin.deleteTopics({ topics: deletedTopics, timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
  }
  return { droppedDatabases, deletedTopics };
}

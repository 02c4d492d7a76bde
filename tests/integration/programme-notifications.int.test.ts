// Downstream systems learn of the programme's publications at once (issue #18: "events on Kafka", and the product's
// "downstream systems learn of publications"): a subscriber names the programme's public event types and receives a
// recorded satisfaction survey as a signed webhook; a province officer's subscription gets only its province's;
// the programme's working steps (applications, screenings) are not subscribable.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluationKind, ProgrammeClient, type RecordEvaluationRequest } from '../../proto/gen/bps/programme/v1/programme';
import { unary } from '../../services/shared/grpc/client';
import { startPlatform } from '../support/platform';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks';
import { apiAs, type TestPlatform } from './gateway-platform';

const survey = (provinceCode: string, summary: string): RecordEvaluationRequest => ({
  kind: EvaluationKind.EVALUATION_KIND_SATISFACTION_SURVEY,
  itemCode: 'HEA-01',
  provinceCode,
  period: '2025',
  method: '入户抽样调查',
  sampleSize: 1200,
  satisfactionPercent: '88.5',
  indicators: [],
  summary,
  documents: [{ title: '满意度调查报告', uri: 'https://example.gov.cn/survey.pdf', digest: 'b'.repeat(64), digestAlgorithm: 'sha256' }],
});

describe('programme publications reach subscribers', { timeout: 180_000 }, () => {
  let p: TestPlatform;
  let client: ProgrammeClient;
  let national: WebhookReceiver;
  let beijing: WebhookReceiver;

  beforeAll(async () => {
    [national, beijing] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
    p = (await startPlatform('prog-notif', { services: ['registry', 'programme', 'notifications', 'gateway'] })) as unknown as TestPlatform;
    client = new ProgrammeClient(p.address('programme'), grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await p?.stop();
    await Promise.all([national?.stop(), beijing?.stop()]);
  });

  it('delivers a recorded survey to the subscribers whose filter it matches, and refuses working steps as filters', async () => {
    const types = ['bps.programme.evaluation.recorded', 'bps.programme.standard.published', 'bps.programme.pilot.published'];
    const created = await apiAs(p, 'statistics-subscriber', 'POST', '/api/v1/subscriptions', {
      endpointUrl: national.url,
      description: '统计',
      filter: { eventTypes: types },
    });
    expect(created.status).toBe(201);
    national.secrets.push(created.json.secret);
    const provincial = await apiAs(p, 'beijing-officer', 'POST', '/api/v1/subscriptions', {
      endpointUrl: beijing.url,
      description: '北京',
      filter: { eventTypes: ['bps.programme.evaluation.recorded'] },
    });
    expect(provincial.status).toBe(201);
    const internal = await apiAs(p, 'statistics-subscriber', 'POST', '/api/v1/subscriptions', {
      endpointUrl: national.url,
      filter: { eventTypes: ['bps.programme.pilot.applied'] },
    });
    expect(internal.status).toBe(400);

    const record = async (who: string, body: RecordEvaluationRequest) => unary(client.recordEvaluation.bind(client), body, await p.token(who as never));
    const guangdong = (await record('guangdong-officer', survey('440000', '广东调查'))).evaluation!;
    const bj = (await record('beijing-programme-officer', survey('110000', '北京调查'))).evaluation!;

    const got = await national.waitFor((r) => r.event.id === `evaluation:${bj.evaluationId}`, 'the Beijing survey');
    expect(got.verifiedWith).toEqual([0]); // signed with the subscription's secret (Standard Webhooks)
    expect(got.event.type).toBe('bps.programme.evaluation.recorded');
    expect((got.event.data as any).evaluation).toMatchObject({ provinceCode: '110000', satisfactionPercent: '88.5', itemCode: 'HEA-01' });
    await national.waitFor((r) => r.event.id === `evaluation:${guangdong.evaluationId}`, 'the Guangdong survey');
    // Beijing's officer gets Beijing's only. Deliveries are rows made when the event is taken in, for every matching
    // subscription at once: Guangdong's survey, already delivered nationally, has no row for Beijing's subscription.
    await beijing.waitFor((r) => r.event.id === `evaluation:${bj.evaluationId}`, 'the Beijing survey (provincial)');
    const rows = await apiAs(p, 'operator', 'GET', `/api/v1/events/${encodeURIComponent(`evaluation:${guangdong.evaluationId}`)}/deliveries`);
    expect(rows.status).toBe(200);
    expect(rows.json.deliveries.map((d: any) => d.subscriptionId)).toEqual([created.json.subscription.subscriptionId]);
    expect(beijing.received.map((r) => r.event.id)).not.toContain(`evaluation:${guangdong.evaluationId}`);
  });
});

// Metrics people can watch (issue #20): the Prometheus endpoint of a process running the registry, notifications
// and the gateway moves with a real flow — HTTP and gRPC durations per route/method and code, the outbox handing
// events to Kafka (and its backlog gauges), the consumer's handled and dead-lettered events and lag, webhook
// deliveries by outcome — and carries the resource operators set through OTEL_SERVICE_NAME/OTEL_RESOURCE_ATTRIBUTES.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EventProducer } from '../../services/shared/kafka/kafka';
import { topicName, topics } from '../../services/shared/events/catalog';
import { initMetrics, shutdownMetrics, type MetricsEndpoint } from '../../services/shared/telemetry/metrics';
import { testKafka } from '../support/kafka';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { healthProposal } from '../unit/proposals-fixtures';
import { apiAs, startTestPlatform, startWebhookReceiver, type TestPlatform, type WebhookReceiver } from './gateway-platform';

type Labels = Readonly<Record<string, string>>;

/** The sum of every sample of `name` whose labels include `labels` (Prometheus text format). */
function sample(text: string, name: string, labels: Labels = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) {
      total += Number(match[3]);
      found = true;
    }
  }
  return found ? total : Number.NaN;
}

describe('Prometheus metrics move with a flow', () => {
  let endpoint: MetricsEndpoint;
  let p: TestPlatform;
  let receiver: WebhookReceiver;
  const scrape = async (): Promise<string> => {
    const res = await fetch(endpoint.url);
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    // What an operator sets; the resource reaches Prometheus as target_info.
    process.env['OTEL_SERVICE_NAME'] = 'bps-metrics-test';
    process.env['OTEL_RESOURCE_ATTRIBUTES'] = 'deployment.environment=metrics-test,service.namespace=bps';
    endpoint = await initMetrics({ serviceName: 'registry', port: 0 });
    [p, receiver] = await Promise.all([startTestPlatform('metrics', {}, { full: true, notifications: true, audit: true }), startWebhookReceiver()]);
  }, 300_000);
  afterAll(async () => {
    await p?.stop();
    await receiver?.close();
    await shutdownMetrics();
    delete process.env['OTEL_SERVICE_NAME'];
    delete process.env['OTEL_RESOURCE_ATTRIBUTES'];
  });

  it('serves the resource from the standard OTel environment variables', async () => {
    const text = await scrape();
    expect(text).toMatch(/^target_info\{[^}]*service_name="bps-metrics-test"/m);
    expect(text).toMatch(/^target_info\{[^}]*deployment_environment="metrics-test"/m);
    expect(text).toMatch(/^target_info\{[^}]*service_namespace="bps"/m);
  });

  it('times HTTP routes at the gateway and RPCs at the services, by route/method and code', async () => {
    const route = { http_request_method: 'GET', http_route: '/api/v1/standards/items/:itemCode', http_response_status_code: '200' };
    const ok = { rpc_service: 'bps.registry.v1.StandardRegistry', rpc_method: 'GetItem', rpc_grpc_status_code: '0' };
    const notFound = { rpc_service: 'bps.registry.v1.StandardRegistry', rpc_method: 'GetItem', rpc_grpc_status_code: '5' };
    const before = await scrape();
    const got = await apiAs(p, 'nhc-staff', 'GET', '/api/v1/standards/items/INS-05');
    expect(got.status).toBe(200);
    const missing = await apiAs(p, 'nhc-staff', 'GET', '/api/v1/standards/items/NO-SUCH-ITEM');
    expect(missing.status).toBe(404);
    const after = await scrape();
    expect(sample(after, 'http_server_duration_count', route)).toBe((sample(before, 'http_server_duration_count', route) || 0) + 1);
    expect(sample(after, 'http_server_duration_count', { ...route, http_response_status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'http_server_duration_sum', route)).toBeGreaterThan(0);
    expect(sample(after, 'rpc_server_duration_count', ok)).toBe((sample(before, 'rpc_server_duration_count', ok) || 0) + 1);
    expect(sample(after, 'rpc_server_duration_count', notFound)).toBe((sample(before, 'rpc_server_duration_count', notFound) || 0) + 1);
    expect(sample(after, 'rpc_server_duration_bucket', { ...ok, le: '+Inf' })).toBe(sample(after, 'rpc_server_duration_count', ok));
  });

  it('counts the outbox, the consumer and webhook deliveries along a provincial filing; dead letters too', async () => {
    const created = await apiAs(p, 'statistics-subscriber', 'POST', '/api/v1/subscriptions', {
      endpointUrl: receiver.url,
      description: '指标测试',
      filter: { eventTypes: ['bps.standard.local.filed'], provinceCodes: ['110000'] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const before = await scrape();
    const delivered = (text: string): number => sample(text, 'bps_webhook_deliveries_total', { outcome: 'delivered' }) || 0;
    const published = (text: string): number => sample(text, 'bps_outbox_published_total') || 0;
    const handled = (text: string): number => sample(text, 'bps_events_consumed_total', { outcome: 'handled' }) || 0;

    const filed = await apiAs(p, 'beijing-officer', 'POST', '/api/v1/standards/filings', {
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: { year: 2018, month: 1, day: 1 },
      metrics: [{ metric: 'government_subsidy_per_capita', value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
    });
    expect(filed.status, JSON.stringify(filed.json)).toBe(201);
    await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(1);
    await expect.poll(async () => delivered(await scrape()), { timeout: 10_000 }).toBe(delivered(before) + 1);
    const after = await scrape();
    expect(published(after)).toBeGreaterThan(published(before));
    expect(handled(after)).toBeGreaterThan(handled(before));
    expect(sample(after, 'bps_webhook_delivery_duration_count', { outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
    // Backlog gauges are read at scrape time: present for each relay, and drained here.
    expect(after).toMatch(/^bps_outbox_pending\{[^}]*db_namespace="[^"]+"[^}]*\} 0/m);
    expect(after).toMatch(/^bps_outbox_lag\{[^}]*\} 0/m);
    expect(after).toMatch(/^bps_consumer_lag\{[^}]*messaging_consumer_group_name="[^"]+"[^}]*\} \d+/m);

    // Something that is not a CloudEvent, on the registry's own topic: every group consuming it dead-letters it once
    // (notifications, audit, and the approvals' re-filing consumer).
    const groupsDeadLettering = (text: string): Map<string, number> =>
      new Map(
        [...text.matchAll(/^bps_events_consumed_total\{([^}]*)\} (\S+)/gm)]
          .filter((m) => /outcome="dead_lettered"/.test(m[1]!) && /reason="undecodable"/.test(m[1]!))
          .map((m) => [/messaging_consumer_group_name="([^"]*)"/.exec(m[1]!)![1]!, Number(m[2])]),
      );
    const deadBefore = groupsDeadLettering(after);
    const owner = new EventProducer(testKafka('registry', 'test-metrics-poison'));
    await owner.sendRaw(topicName(topics.standards, p.namespace), [{ key: 'poison', value: 'not a CloudEvent' }]);
    await owner.disconnect();
    const increased = async (): Promise<string[]> =>
      [...groupsDeadLettering(await scrape())]
        .filter(([g, n]) => n === (deadBefore.get(g) ?? 0) + 1)
        .map(([g]) => g.split('.')[0]!)
        .sort();
    await expect.poll(increased, { timeout: 30_000 }).toEqual(['approvals-refiling', 'bps-audit', 'bps-notifications']);
  }, 90_000);

  it('counts approvals in progress (and overdue) and audit verifications by result', async () => {
    const open = (text: string): number => sample(text, 'bps_approvals_open');
    expect(open(await scrape())).toBe(0);
    expect(sample(await scrape(), 'bps_approvals_overdue')).toBe(0);
    const created = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', { content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-02' })) });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const submitted = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${created.json.proposal.proposalId}/submit`, {
      expectedRevision: created.json.proposal.revision,
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBeLessThan(300);
    await expect.poll(async () => open(await scrape()), { timeout: 30_000, interval: 500 }).toBe(1);
    expect(sample(await scrape(), 'bps_approvals_overdue')).toBe(0); // due in 7 days

    const ok = { result: 'ok', bps_audit_log_kind: 'global' };
    const before = sample(await scrape(), 'bps_audit_verifications_total', ok) || 0;
    const verified = await apiAs(p, 'auditor', 'POST', '/api/v1/audit/verify', { log: 'global' });
    expect(verified.status, JSON.stringify(verified.json)).toBe(200);
    expect(verified.json.ok).toBe(true);
    expect(sample(await scrape(), 'bps_audit_verifications_total', ok)).toBe(before + 1);
  }, 90_000);

  it('serves every metric the shipped alert rules and Grafana dashboard query', async () => {
    const alerts = parse(readFileSync(new URL('../../infra/observability/alerts.yaml', import.meta.url), 'utf8')) as {
      groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[];
    };
    const dashboard = JSON.parse(readFileSync(new URL('../../infra/observability/grafana-dashboard.json', import.meta.url), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const rules = alerts.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'BpsOutboxBacklogGrowing',
        'BpsEventsDeadLettered',
        'BpsWebhooksDeadLettered',
        'BpsAuditVerificationFailed',
        'BpsApprovalsOverdue',
      ]),
    );
    for (const rule of rules) expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels.severity);
    const expressions = [...rules.map((r) => r.expr), ...dashboard.panels.flatMap((panel) => panel.targets.map((t) => t.expr))];
    // Metric names: identifiers left once grouping clauses and label selectors are removed.
    const names = new Set(
      expressions.flatMap((e) =>
        [
          ...e
            .replace(/\b(?:by|without)\s*\([^)]*\)/g, '')
            .replace(/\{[^}]*\}/g, '')
            .matchAll(/\b((?:bps|rpc|http)_[a-z0-9_]+)\b/g),
        ].map((m) => m[1]!),
      ),
    );
    expect(names.size).toBeGreaterThan(10);
    const text = await scrape();
    const served = new Set(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => /^[\w:]+/.exec(l)![0]),
    );
    expect([...names].filter((n) => !served.has(n))).toEqual([]);
  });
});

// OpenTelemetry metrics with a Prometheus endpoint (issue #20), one per process: `initMetrics` registers the global
// MeterProvider (resource: the service name, overridden by OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES) and serves
// GET /metrics on its own port. Code records through the helpers below; before initMetrics (or without it) they are
// no-ops. Names follow the OpenTelemetry semantic conventions where one exists (rpc.server.duration,
// http.server.duration), `bps.*` otherwise; the Prometheus exporter turns dots into underscores.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  metrics,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider as ApiMeterProvider,
  type ObservableGauge,
  type ObservableResult,
} from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { serviceResource } from './otel';

let provider: MeterProvider | undefined;
let server: Server | undefined;

export type MetricsEndpoint = { readonly port: number; readonly url: string };

/** Registers the process's MeterProvider and serves Prometheus text at http://host:port/metrics (port 0: any free one). */
export async function initMetrics(options: { serviceName: string; port: number; host?: string }): Promise<MetricsEndpoint> {
  if (provider && server) {
    const port = (server.address() as AddressInfo).port;
    return { port, url: `http://${options.host ?? '127.0.0.1'}:${port}/metrics` };
  }
  const exporter = new PrometheusExporter({ preventServerStart: true });
  provider = new MeterProvider({ resource: serviceResource(options.serviceName), readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  const host = options.host ?? '127.0.0.1';
  const http = createServer((req, res) => {
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://metrics.invalid').pathname === '/metrics') exporter.getMetricsRequestHandler(req, res);
    else res.writeHead(404).end();
  });
  const port = await new Promise<number>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, host, () => resolve((http.address() as AddressInfo).port));
  });
  http.unref();
  server = http;
  return { port, url: `http://${host}:${port}/metrics` };
}

export async function shutdownMetrics(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  await provider?.shutdown();
  provider = undefined;
  metrics.disable();
}

// ---- instruments ----------------------------------------------------------------------------------------------
// Created from the global provider in force, again if it changes (the API has no proxy for metrics: instruments made
// before initMetrics would stay no-ops).

type Instruments = {
  readonly meter: Meter;
  readonly rpcDuration: Histogram;
  readonly httpDuration: Histogram;
  readonly outboxPublished: Counter;
  readonly eventsConsumed: Counter;
  readonly webhookDeliveries: Counter;
  readonly webhookDuration: Histogram;
  readonly auditVerifications: Counter;
  readonly gauges: Map<string, ObservableGauge>;
};

let instruments: Instruments | undefined;
let instrumentsOf: ApiMeterProvider | undefined;

function current(): Instruments {
  const global = metrics.getMeterProvider();
  if (instruments && instrumentsOf === global) return instruments;
  const meter = global.getMeter('bps');
  const ms = { unit: 'ms', advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] } };
  instruments = {
    meter,
    rpcDuration: meter.createHistogram('rpc.server.duration', { description: 'Duration of inbound gRPC calls, by service, method and status code', ...ms }),
    httpDuration: meter.createHistogram('http.server.duration', { description: 'Duration of inbound HTTP requests, by method, route and status code', ...ms }),
    outboxPublished: meter.createCounter('bps.outbox.published', { description: 'Outbox entries the relay handed to Kafka' }),
    eventsConsumed: meter.createCounter('bps.events.consumed', {
      description: 'Kafka events a consumer group finished with, by outcome (handled, duplicate, dead_lettered)',
    }),
    webhookDeliveries: meter.createCounter('bps.webhook.deliveries', {
      description: 'Webhook delivery attempts by outcome (delivered, retry-scheduled, dead-lettered, endpoint-gone)',
    }),
    webhookDuration: meter.createHistogram('bps.webhook.delivery.duration', { description: 'Duration of webhook delivery attempts', ...ms }),
    auditVerifications: meter.createCounter('bps.audit.verifications', { description: 'Audit log verifications by result (ok, failed) and kind of log' }),
    gauges: new Map(),
  };
  instrumentsOf = global;
  return instruments;
}

/** One inbound gRPC call (OTel semantic conventions: rpc.system, rpc.service, rpc.method, rpc.grpc.status_code). */
export function recordRpc(path: string, code: number, durationMs: number): void {
  const [, service = '', method = ''] = path.split('/');
  current().rpcDuration.record(durationMs, { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method, 'rpc.grpc.status_code': code });
}

/** One inbound HTTP request; `route` is the route template (never the raw URL: bounded cardinality). */
export function recordHttp(method: string, route: string, status: number, durationMs: number): void {
  current().httpDuration.record(durationMs, { 'http.request.method': method, 'http.route': route, 'http.response.status_code': status });
}

export function recordOutboxPublished(database: string, count: number): void {
  if (count > 0) current().outboxPublished.add(count, { 'db.namespace': database });
}

export type ConsumedOutcome = 'handled' | 'duplicate' | 'dead_lettered';
export function recordConsumed(group: string, topic: string, outcome: ConsumedOutcome, reason?: string): void {
  const attributes: Attributes = { 'messaging.consumer.group.name': group, 'messaging.destination.name': topic, outcome };
  current().eventsConsumed.add(1, reason ? { ...attributes, reason } : attributes);
}

export function recordWebhookDelivery(outcome: string, durationMs: number): void {
  const i = current();
  i.webhookDeliveries.add(1, { outcome });
  i.webhookDuration.record(durationMs, { outcome });
}

/** One Verify of an audit log; `log` is reduced to its kind (global, actor, proposal, …) to keep cardinality bounded. */
export function recordAuditVerification(log: string, ok: boolean): void {
  current().auditVerifications.add(1, { result: ok ? 'ok' : 'failed', 'bps.audit.log_kind': log.split(':')[0] ?? log });
}

/**
 * A gauge read at scrape time: `observe` reports one value per attribute set (it may query a database: a read that
 * does not answer within 1 s reports nothing rather than holding the scrape). Returns the function that removes it.
 */
export function observeGauge(
  name: string,
  options: { description: string; unit?: string },
  observe: () => Promise<readonly (readonly [number, Attributes])[]>,
): () => void {
  const i = current();
  const gauge = i.gauges.get(name) ?? i.meter.createObservableGauge(name, options);
  i.gauges.set(name, gauge);
  const callback = async (result: ObservableResult): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const values = await Promise.race([
      observe().catch(() => []),
      new Promise<readonly never[]>((resolve) => {
        timer = setTimeout(() => resolve([]), 1_000);
      }),
    ]).finally(() => clearTimeout(timer));
    for (const [value, attributes] of values) result.observe(value, attributes);
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}

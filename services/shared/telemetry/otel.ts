// OpenTelemetry setup, done once per process. Exports OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set;
// tests pass their own exporter (e.g. InMemorySpanExporter) to assert on spans.
import { context, isSpanContextValid, propagation, ROOT_CONTEXT, trace, type Context, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

let provider: NodeTracerProvider | undefined;

/**
 * The process's resource: the SDK's defaults, then `service.name` as the code names it, then the standard
 * environment (OTEL_RESOURCE_ATTRIBUTES, and OTEL_SERVICE_NAME over everything) — operators have the last word.
 */
export function serviceResource(serviceName: string): Resource {
  return Resource.default()
    .merge(new Resource({ 'service.name': serviceName }))
    .merge(envDetectorSync.detect());
}

export function initTelemetry(options: { serviceName: string; otlpEndpoint?: string; exporter?: SpanExporter }): NodeTracerProvider {
  if (provider) return provider;
  const processors: SpanProcessor[] = [];
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlpEndpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` })));
  provider = new NodeTracerProvider({ resource: serviceResource(options.serviceName), spanProcessors: processors });
  provider.register(); // W3C trace-context propagator + AsyncLocalStorage context manager
  return provider;
}

/** Where spans recorded inside Temporal workflows are sent (they leave the sandbox through a sink). */
export function workflowSpanSink(): { processor: SpanProcessor; resource: Resource } {
  const p = provider ?? initTelemetry({ serviceName: 'bps' });
  return { processor: p.getActiveSpanProcessor(), resource: p.resource };
}

export async function shutdownTelemetry(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

export const tracer = (name = 'bps') => trace.getTracer(name);

/** Carrier helpers: trace context travels as `traceparent`/`tracestate` in Kafka headers and gRPC metadata. */
export function injectTraceContext(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function extractTraceContext(carrier: Readonly<Record<string, string | undefined>>): Context {
  return propagation.extract(context.active(), carrier);
}

export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  const id = span?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}

/** Runs `fn` in a new span (child of `parent` or of the active context), recording failures. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; parent?: Context; attributes?: Record<string, string | number | boolean> },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : new Error(String(error)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs `fn` as the root span of a new trace: work no request started (seeding, a timer's pass). */
export function inRootSpan<T>(name: string, attributes: Record<string, string | number | boolean>, fn: (span: Span) => Promise<T>): Promise<T> {
  return inSpan(name, { kind: SpanKind.INTERNAL, parent: ROOT_CONTEXT, attributes }, fn);
}

/**
 * The trace context an event carries: the active span's, or — for an event produced outside any request or span —
 * that of a producer span started (and ended) for it as the root of a new trace, so every event has a traceparent.
 */
export function eventTraceContext(topic: string, attributes: Record<string, string>): Record<string, string> {
  const active = trace.getSpanContext(context.active());
  if (active && isSpanContextValid(active)) return injectTraceContext();
  const span = tracer().startSpan(`create ${topic}`, {
    kind: SpanKind.PRODUCER,
    root: true,
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, ...attributes },
  });
  span.end();
  return injectTraceContext(trace.setSpan(context.active(), span));
}

export { SpanKind };

// The one way to reach Temporal: a client whose calls carry OpenTelemetry context into workflows.
import { Client, Connection } from '@temporalio/client';
import { fileURLToPath } from 'node:url';
import type { Context as ActivityContext } from '@temporalio/activity';
import {
  makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { workflowSpanSink } from '../telemetry/otel';
import { TransientError } from '../errors/errors';

export type TemporalHandle = { readonly client: Client; readonly connection: Connection; close(): Promise<void> };

export async function connectTemporal(options: { address: string; namespace: string }): Promise<TemporalHandle> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: options.address });
  } catch (error) {
    throw new TransientError(`cannot reach Temporal at ${options.address}`, error);
  }
  const client = new Client({
    connection,
    namespace: options.namespace,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  return { client, connection, close: () => connection.close() };
}

/**
 * Worker options that keep one OpenTelemetry trace across client → workflow → activities: the workflow interceptor
 * module (bundled with the workflows), the activity interceptors, and the sink that exports workflow spans.
 * With a pre-built bundle, pass `workflowInterceptorModules` to bundleWorkflowCode instead.
 */
export function workerTelemetryOptions(options: { prebuiltBundle: boolean }) {
  const { processor, resource } = workflowSpanSink();
  return {
    interceptors: {
      ...(options.prebuiltBundle ? {} : { workflowModules: [workflowTelemetryInterceptors] }),
      activity: [(ctx: ActivityContext) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
  };
}

export const workflowTelemetryInterceptors = fileURLToPath(new URL('../../../workflows/telemetry-interceptors.ts', import.meta.url));

// The one way to reach Temporal: a client whose calls carry OpenTelemetry context into workflows.
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
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

// Test kit for Temporal (issue #13): every platform client and worker in tests seals its payloads with the stack's
// payload key, exactly as the services do (services/shared/temporal/sealing.ts).
import type { Client } from '@temporalio/client';
import { connectTemporal, type TemporalHandle } from '../../services/shared/temporal/temporal';
import { waitUntil } from './wait';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { SEALED_ENCODING, SealingCodec, sealedWorkerDataConverter, type PayloadKeys } from '../../services/shared/temporal/sealing';
import { stack, stackSecrets } from './stack';

/** The stack's payload key, as BPS_TEMPORAL_PAYLOAD_KEY gives it to the services. */
export function testPayloadKeys(): PayloadKeys {
  return { key: stackSecrets().temporalPayloadKey };
}

/** A platform Temporal client (sealed payloads) on the stack's namespace. */
export function testTemporal(): Promise<TemporalHandle> {
  const s = stack();
  return connectTemporal({ address: s.temporalAddress, namespace: s.temporalNamespace, payloadKeys: testPayloadKeys() });
}

/**
 * Temporal loses a workflow, as after a restore without its history: the execution and its history are deleted, and
 * this returns once Temporal no longer knows it (deletion is asynchronous).
 */
export async function loseWorkflow(client: Client, workflowId: string): Promise<void> {
  await client.workflowService.deleteWorkflowExecution({ namespace: client.options.namespace, workflowExecution: { workflowId } });
  await waitUntil(
    () =>
      client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => false,
          () => true,
        ),
    `workflow ${workflowId} gone`,
    30_000,
  );
}

/** The data converter for a Worker.create in tests (the approvals worker's). */
export function sealedDataConverter() {
  return sealedWorkerDataConverter(testPayloadKeys());
}

/** Opens a payload read straight from a history (sealed by the platform for `workflowId`) as the platform would. */
export async function openPayload(payload: Payload | null | undefined, workflowId: string): Promise<any> {
  const [opened] = await new SealingCodec(testPayloadKeys(), 'reject').decode([payload!], {
    type: 'workflow',
    namespace: stack().temporalNamespace,
    workflowId,
  });
  return defaultPayloadConverter.fromPayload(opened!);
}

/**
 * A recorded history with every sealed payload opened (plain JSON payloads), so a fixture replays on any stack, whose
 * payload key differs from the one that recorded it: the replay test runs it with the default data converter.
 */
export async function openedHistory<T>(history: T): Promise<T> {
  const codec = new SealingCodec(testPayloadKeys(), 'reject');
  const sealed = (v: unknown): v is Payload => {
    const encoding = (v as Payload | null)?.metadata?.['encoding'];
    return encoding instanceof Uint8Array && Buffer.from(encoding).toString('utf8') === SEALED_ENCODING;
  };
  const walk = async (value: unknown): Promise<unknown> => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
    if (sealed(value)) return (await codec.decode([value]))[0];
    if (Array.isArray(value)) return Promise.all(value.map(walk));
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = await walk(v);
    return out;
  };
  return (await walk(history)) as T;
}

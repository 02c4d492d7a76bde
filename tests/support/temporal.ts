// Test kit for Temporal (issue #13): every platform client and worker in tests seals its payloads with the stack's
// payload key, exactly as the services do (services/shared/temporal/sealing.ts).
import { connectTemporal, type TemporalHandle } from '../../services/shared/temporal/temporal';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { failureConverterPath, SealingCodec, sealedWorkerDataConverter, type PayloadKeys } from '../../services/shared/temporal/sealing';
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

/** The data converter for a Worker.create in tests (the approvals worker's). */
export function sealedDataConverter() {
  return sealedWorkerDataConverter(testPayloadKeys());
}

/** Options for bundleWorkflowCode so a pre-built bundle seals the failures raised in workflow code. */
export const sealedBundleOptions = { failureConverterPath } as const;

/** Opens a payload read straight from a history (sealed by the platform for `workflowId`) as the platform would. */
export async function openPayload(payload: Payload | null | undefined, workflowId: string): Promise<any> {
  const [opened] = await new SealingCodec(testPayloadKeys(), 'reject').decode([payload!], { type: 'workflow', namespace: stack().temporalNamespace, workflowId });
  return defaultPayloadConverter.fromPayload(opened!);
}

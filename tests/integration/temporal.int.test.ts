// A workflow runs on the real Temporal dev server through a worker started in the test.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NativeConnection, Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { sealedDataConverter, testTemporal } from '../support/temporal';
import { createActivities } from '../support/workflows/check-activities';
import { stack } from '../support/stack';
import { uniqueName } from '../support/names';

describe('Temporal dev server', () => {
  it('runs a workflow with an activity and an update through a worker started here', async () => {
    const { temporalAddress, temporalNamespace } = stack();
    const taskQueue = uniqueName('tq');
    const connection = await NativeConnection.connect({ address: temporalAddress });
    const worker = await Worker.create({
      connection,
      namespace: temporalNamespace,
      taskQueue,
      dataConverter: sealedDataConverter(),
      workflowsPath: fileURLToPath(new URL('../support/workflows/check-workflows.ts', import.meta.url)),
      activities: createActivities({ names: { 'HEA-01': '建立居民健康档案' } }),
    });
    const temporal = await testTemporal();
    try {
      const result = await worker.runUntil(async () => {
        const handle = await temporal.client.workflow.start('describeThenAwaitAcknowledgement', { taskQueue, workflowId: uniqueName('wf'), args: ['HEA-01'] });
        await expect(handle.executeUpdate('acknowledge', { args: [''] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        expect(await handle.executeUpdate('acknowledge', { args: ['nhc.approver.zhao'] })).toBe('acknowledged by nhc.approver.zhao');
        return handle.result();
      });
      expect(result).toBe('HEA-01 建立居民健康档案; nhc.approver.zhao');
    } finally {
      await temporal.close();
      await connection.close();
    }
  });
});

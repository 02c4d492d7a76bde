// A sign-off retried after its service died between the workflow update and the idempotency key's record (issue
// #19, found by the chaos suite: the retry was told "step … is not open" or "already signed"). The key's record is
// written after the handler returns, so it cannot cover an effect made in Temporal; the update carries an id
// derived from the key instead, and Temporal applies an update id once. Simulated here by removing the key's record
// after the first call: the retry with the same key gets the sign-off's result; another key is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { flowClient, type FlowClient } from '../support/flow';
import { stack } from '../support/stack';
import { healthProposal } from '../unit/proposals-fixtures';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { startTestPlatform, type TestPlatform } from './gateway-platform';
import { uniqueName } from '../support/names';

describe('a keyed sign-off retried after the key record was lost (issue #19)', { timeout: 300_000 }, () => {
  let p: TestPlatform;
  let client: FlowClient;
  beforeAll(async () => {
    p = await startTestPlatform('upd-idem', {}, { full: true });
    client = flowClient({ gatewayUrls: [p.gateway.url], token: (persona) => p.token(persona) });
  }, 300_000);
  afterAll(async () => p?.stop());

  it('returns the first result to the retry, once, and refuses the same sign-off under another key', async () => {
    const created = await client.call(
      'nhc-staff',
      'POST',
      '/api/v1/proposals',
      { content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-03' })) },
      uniqueName('create'),
    );
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id: string = created.json.proposal.proposalId;
    expect((await client.call('nhc-staff', 'POST', `/api/v1/proposals/${id}/submit`, { expectedRevision: 1 }, uniqueName('submit'))).status).toBe(200);
    let stepId = '';
    await expect
      .poll(
        async () => {
          const inbox = await client.call('mof-approver', 'GET', '/api/v1/inbox');
          stepId = inbox.json.items?.find((i: any) => i.proposal?.proposalId === id)?.step?.stepId ?? '';
          return stepId;
        },
        { timeout: 60_000, interval: 500 },
      )
      .not.toBe('');

    const key = uniqueName('sign');
    const sign = (k: string) =>
      client.call('mof-approver', 'POST', `/api/v1/approvals/${id}/steps/${stepId}/sign`, { position: 'POSITION_APPROVE', comment: '财政部同意' }, k);
    const first = await sign(key);
    expect(first.status, JSON.stringify(first.json)).toBe(200);

    // The service "died" after the update, before recording the key: its record is gone.
    const mongo = await connectMongo(stack().mongoUri, p.names.db('approvals'));
    try {
      const removed = await mongo.db.collection('idempotency_keys').deleteMany({});
      expect(removed.deletedCount).toBeGreaterThan(0);
    } finally {
      await mongo.close();
    }

    const retry = await sign(key);
    expect(retry.status, JSON.stringify(retry.json)).toBe(200);
    const step = (a: any) => a.approval.rounds.at(-1).steps.find((s: any) => s.stepId === stepId);
    expect(step(retry.json)).toMatchObject({ position: 'POSITION_APPROVE', comment: '财政部同意' });

    const other = await sign(uniqueName('sign-again'));
    expect(other.status, JSON.stringify(other.json)).toBe(422);
    expect(other.json.error.reason).toBe('ALREADY_SIGNED');

    const approval = await client.call('nhc-staff', 'GET', `/api/v1/approvals/${id}`);
    const signed = approval.json.approval.rounds.at(-1).steps.filter((s: any) => s.stepId === stepId && s.position === 'POSITION_APPROVE');
    expect(signed).toHaveLength(1);
  });
});

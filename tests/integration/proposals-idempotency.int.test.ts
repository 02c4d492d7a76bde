// Creates that are safe to retry (issue #19): ids never collide under concurrent creates, and a request id
// (idempotency key) makes a retried create — after a timeout, or racing its twin — return the first result
// instead of a second draft. Real proposals + registry services on the real stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import type { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { ProposalStore } from '../../services/proposals/adapters/mongo/store';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';
import { healthProposal } from '../unit/proposals-fixtures';
import { startProposalsTestEnv, type ProposalsTestEnv } from './proposals-helpers';
import { refused } from '../support/grpc';

describe('proposals: idempotent creates and collision-free ids', () => {
  let env: ProposalsTestEnv;
  let nhc: string;
  beforeAll(async () => {
    env = await startProposalsTestEnv('idem');
    nhc = await env.token('nhc-staff');
  });
  afterAll(async () => env?.stop());

  const create = (content: ProposalContent, requestId?: string) => unary(env.client.createProposal.bind(env.client), { content, requestId }, nhc);
  const listIds = async () =>
    (
      await unary(
        env.client.listProposals.bind(env.client),
        { leadMinistry: 'NHC', fieldCode: '', kind: 0, state: 0, cycleId: '', pageSize: 200, pageToken: '' },
        nhc,
      )
    ).proposals.map((p) => p.proposalId);

  it('allocates distinct counter values to concurrent callers on the real database', async () => {
    const mongo = await connectMongo(stack().mongoUri, uniqueName('counters'));
    try {
      const store = new ProposalStore(mongo.db, { topicNamespace: '' });
      const values = await Promise.all(Array.from({ length: 20 }, () => store.nextCounter('2026-NHC')));
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  });

  it('gives concurrent creates distinct ids', async () => {
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) => create(healthProposal({ itemCode: 'HEA-01', title: `并发 ${i}` }))));
    const ids = created.map((c) => c.proposal?.proposalId);
    expect(new Set(ids).size).toBe(8);
  });

  it('returns the first result for a retried request id, sequentially and when the retries race', async () => {
    const before = (await listIds()).length;
    const content = healthProposal({ itemCode: 'HEA-01', title: '幂等重试' });
    const first = await create(content, 'retry-1');
    const again = await create(content, 'retry-1');
    expect(again.proposal?.proposalId).toBe(first.proposal?.proposalId);
    expect(again.proposal?.revision).toBe(1);

    const racing = await Promise.all(Array.from({ length: 5 }, () => create(healthProposal({ itemCode: 'HEA-01', title: '并发重试' }), 'race-1')));
    expect(new Set(racing.map((r) => r.proposal?.proposalId)).size).toBe(1);
    expect((await listIds()).length).toBe(before + 2);
  });

  it('refuses a request id reused with other content, and a malformed one, storing nothing', async () => {
    await create(healthProposal({ itemCode: 'HEA-01', title: '第一次' }), 'reuse-1');
    const before = (await listIds()).length;
    const reused = decodeStatus(await refused(create(healthProposal({ itemCode: 'HEA-01', title: '另一个内容' }), 'reuse-1')));
    expect(reused.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(reused.reason).toBe('REQUEST_ID_REUSED');
    const malformed = decodeStatus(await refused(create(healthProposal({ itemCode: 'HEA-01' }), 'bad id with spaces')));
    expect(malformed.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(malformed.fieldViolations.map((v) => v.field)).toEqual(['request_id']);
    expect((await listIds()).length).toBe(before);
  });
});

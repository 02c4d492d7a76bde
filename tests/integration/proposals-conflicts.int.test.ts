// Conflicts between open drafts (issue #16): read from the item claims, so both sides show a conflict as soon as
// either call returns (get, validate, list), and an edit or a withdrawal ends it at once; the conflict events on
// both proposals' logs follow in the background. Claims always end as the latest state's, whatever the order in
// which two writers of one proposal write them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { unary } from '../../services/shared/grpc/client';
import { proposalEvents } from '../../services/shared/events/proposals';
import { healthProposal } from '../unit/proposals-fixtures';
import { startProposalsTestEnv, type ProposalsTestEnv } from './proposals-helpers';

describe('proposal conflicts', () => {
  let env: ProposalsTestEnv;
  let nhc: string;
  beforeAll(async () => {
    env = await startProposalsTestEnv('prop-cf');
    nhc = await env.token('nhc-staff');
  });
  afterAll(async () => env?.stop());

  const c = () => env.client;
  const create = async (content: ProposalContent) => (await unary(c().createProposal.bind(c()), { content }, nhc)).proposal!;
  const get = async (proposalId: string) => (await unary(c().getProposal.bind(c()), { proposalId, revision: 0 }, nhc)).proposal!;
  const validate = async (proposalId: string) => unary(c().validateProposal.bind(c()), { proposalId }, nhc);
  const list = async () =>
    (await unary(c().listProposals.bind(c()), { leadMinistry: 'NHC', fieldCode: '', kind: 0, state: 0, cycleId: '', pageSize: 100, pageToken: '' }, nhc))
      .proposals;
  const flagsOf = async (proposalId: string) => Object.keys((await env.proposals.store.load(proposalId))!.conflicts).sort();

  it('shows a conflict on both sides at once, ends it at once when an edit moves off the item, and logs both on both sides', async () => {
    const a = await create(healthProposal({ itemCode: 'HEA-05' }));
    const b = await create(healthProposal({ itemCode: 'HEA-05', level: '95' }));
    expect(b.conflicts).toEqual([{ proposalId: a.proposalId, itemCodes: ['HEA-05'] }]);
    expect((await get(a.proposalId)).conflicts).toEqual([{ proposalId: b.proposalId, itemCodes: ['HEA-05'] }]);
    expect((await validate(a.proposalId)).conflicts).toEqual([{ proposalId: b.proposalId, itemCodes: ['HEA-05'] }]);
    const listed = await list();
    expect(listed.find((p) => p.proposalId === a.proposalId)?.conflicts).toEqual([{ proposalId: b.proposalId, itemCodes: ['HEA-05'] }]);
    expect(listed.find((p) => p.proposalId === b.proposalId)?.conflicts).toEqual([{ proposalId: a.proposalId, itemCodes: ['HEA-05'] }]);
    // The events follow: each log flags the other.
    await expect.poll(async () => [await flagsOf(a.proposalId), await flagsOf(b.proposalId)], { timeout: 20_000 }).toEqual([[b.proposalId], [a.proposalId]]);

    const moved = (
      await unary(c().updateDraft.bind(c()), { proposalId: b.proposalId, expectedRevision: 1, content: healthProposal({ itemCode: 'HEA-06' }) }, nhc)
    ).proposal!;
    expect(moved.conflicts).toEqual([]);
    expect((await get(a.proposalId)).conflicts).toEqual([]);
    expect((await validate(a.proposalId)).conflicts).toEqual([]);
    expect((await list()).find((p) => p.proposalId === a.proposalId)?.conflicts).toEqual([]);
    await expect.poll(async () => [await flagsOf(a.proposalId), await flagsOf(b.proposalId)], { timeout: 20_000 }).toEqual([[], []]);
    await expect
      .poll(() => env.eventsOf(proposalEvents.conflictCleared).filter((e) => [a.proposalId, b.proposalId].includes(e.proposalId)).length, { timeout: 20_000 })
      .toBe(2);
    const flagged = env
      .eventsOf(proposalEvents.conflictFlagged)
      .filter((e) => [a.proposalId, b.proposalId].includes(e.proposalId))
      .map((e) => [e.proposalId, e.otherProposalId]);
    expect(flagged.sort()).toEqual(
      [
        [a.proposalId, b.proposalId],
        [b.proposalId, a.proposalId],
      ].sort(),
    );
  });

  it('keeps the latest state’s claims when an older state’s claims are written after it (no stale conflict)', async () => {
    const d = await create(healthProposal({ itemCode: 'HEA-08' }));
    const drafted = (await env.proposals.store.load(d.proposalId))!;
    await unary(c().withdrawProposal.bind(c()), { proposalId: d.proposalId, reason: '测试撤回' }, nhc);
    expect((await env.proposals.store.claimsOf(['HEA-08'])).get('HEA-08')).toEqual([]);
    // A writer that appended the draft but was slow: it writes the draft's claims after the withdrawal's.
    await env.proposals.store.syncClaims(drafted);
    expect((await env.proposals.store.claimsOf(['HEA-08'])).get('HEA-08')).toEqual([]);
    const e = await create(healthProposal({ itemCode: 'HEA-08', level: '90' }));
    expect(e.conflicts).toEqual([]);
  });
});

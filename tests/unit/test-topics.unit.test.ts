import { describe, expect, it } from 'vitest';
import { uniqueName } from '../support/names';
import { staleTestTopics, testTopicCreatedAt } from '../support/test-topics';

describe("earlier runs' test topics", () => {
  it('reads when a test topic was named from its uniqueName', () => {
    const before = Date.now();
    const at = testTopicCreatedAt(`bps.standards.v1.${uniqueName('registry-errata')}`);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('never takes a platform topic or a topic of a run still going on', () => {
    const now = Date.now();
    const old = `bps.approvals.v1.t-approvals-${(now - 2 * 3_600_000).toString(36)}-17fb68`;
    const fresh = `bps.approvals.v1.t-approvals-${(now - 60_000).toString(36)}-7950ce`;
    const topics = ['bps.standards.v1', 'bps.approvals.v1', '__consumer_offsets', 'bps.standards.v1.prod-namespace', old, fresh];
    expect(staleTestTopics(topics, now - 3_600_000)).toEqual([old]);
  });
});

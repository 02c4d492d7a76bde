// Topic ownership: one writer per topic family (catalog), the ce_source check consumers apply, the dead-letter
// naming, and the broker ACL table derived from them (infra/local/kafka-acls.ts).
import { describe, expect, it } from 'vitest';
import { aclRules, consumedFamilies, groupPrefixes } from '../../infra/local/kafka-acls';
import { kafkaPrincipals } from '../../infra/local/secrets';
import { ConfigError, kafkaCredentials } from '../../services/shared/config/config';
import { deadLetterTopic, foreignSourceReason, topicFamilyOf, topicName, topicOwners, topics } from '../../services/shared/events/catalog';

describe('topic ownership and the ce_source check', () => {
  it('finds the family of a topic with or without a namespace, and nothing for other topics', () => {
    expect(topicFamilyOf('bps.standards.v1')).toBe('standards');
    expect(topicFamilyOf(topicName(topics.approvals, 't-x-123'))).toBe('approvals');
    expect(topicFamilyOf('bps.standards.v10')).toBeUndefined();
    expect(topicFamilyOf('t-ce-123')).toBeUndefined();
    expect(topicFamilyOf(deadLetterTopic('registry', 'bps.approvals.v1'))).toBeUndefined();
  });

  it("accepts the owner's ce_source and refuses any other on a family topic", () => {
    expect(foreignSourceReason('bps.approvals.v1.t-ns', '/bps/approvals')).toBeUndefined();
    expect(foreignSourceReason('bps.standards.v1', '/bps/registry')).toBeUndefined();
    expect(foreignSourceReason('bps.approvals.v1.t-ns', '/bps/registry')).toMatch(
      /ce_source "\/bps\/registry" does not belong to bps\.approvals\.v1's owner \(approvals/,
    );
    expect(foreignSourceReason('bps.standards.v1', '/bps/standards')).toBeDefined();
    expect(foreignSourceReason('bps.proposals.v1', '/test/approvals')).toBeDefined();
    expect(foreignSourceReason('bps.proposals.v1', '')).toBeDefined();
    // Topics outside the families (e.g. a test's own) are not checked.
    expect(foreignSourceReason('t-ce-123', '/anything')).toBeUndefined();
  });

  it('gives every consumer principal its own dead-letter prefix, outside every family', () => {
    expect(deadLetterTopic('notifications', 'bps.standards.v1.t-ns')).toBe('bps.dlq.notifications.bps.standards.v1.t-ns');
  });
});

describe('the broker ACL table', () => {
  const rules = aclRules();
  const can = (principal: string, operation: string, topic: string): boolean =>
    rules.some(
      (r) => r.principal === principal && r.resource === 'topic' && topic.startsWith(r.prefix) && (r.operations as readonly string[]).includes(operation),
    );

  it('gives each topic family exactly one writer, its catalogued owner, including namespaced topics', () => {
    for (const family of Object.keys(topics) as (keyof typeof topics)[]) {
      const topic = topicName(topics[family], 't-x-1');
      const writers = kafkaPrincipals.filter((p) => can(p, 'WRITE', topic));
      expect(writers, family).toEqual([topicOwners[family].principal]);
    }
  });

  it('lets each principal read exactly the families it consumes', () => {
    for (const principal of kafkaPrincipals) {
      const readable = (Object.keys(topics) as (keyof typeof topics)[]).filter((f) => can(principal, 'READ', topics[f]));
      expect(readable.sort(), principal).toEqual([...consumedFamilies[principal]].sort());
    }
    expect(can('registry', 'READ', 'bps.approvals.v1')).toBe(true);
    expect(can('registry', 'READ', 'bps.standards.v1')).toBe(false);
  });

  it('keeps dead-letter topics and consumer groups per principal', () => {
    for (const principal of kafkaPrincipals) {
      const others = kafkaPrincipals.filter((p) => p !== principal);
      const dlq = deadLetterTopic(principal, 'bps.approvals.v1');
      expect(can(principal, 'WRITE', dlq)).toBe(true);
      expect(
        others.filter((p) => can(p, 'WRITE', dlq)),
        principal,
      ).toEqual([]);
      const group = `${groupPrefixes[principal]}.t-g-1`;
      const inGroup = rules.filter((r) => r.resource === 'group' && group.startsWith(r.prefix)).map((r) => r.principal);
      expect(inGroup, principal).toEqual([principal]);
    }
  });

  it('has no principal for the gateway, which does not use Kafka', () => {
    expect(kafkaPrincipals as readonly string[]).not.toContain('gateway');
  });
});

describe("a service's Kafka credentials", () => {
  it('are required: a service cannot connect anonymously', () => {
    expect(kafkaCredentials({ BPS_KAFKA_USERNAME: 'registry', BPS_KAFKA_PASSWORD: 'pw' })).toEqual({ username: 'registry', password: 'pw' });
    expect(() => kafkaCredentials({})).toThrow(ConfigError);
    expect(() => kafkaCredentials({ BPS_KAFKA_USERNAME: 'registry' })).toThrow(/BPS_KAFKA_PASSWORD: required/);
  });
});

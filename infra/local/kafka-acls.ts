// Who may do what on the broker, as data: the stack applies this table at every start (idempotent); the test
// setup applies the same table to the Kafka container (infra/containers/testcontainers.ts), and `npm start` / the
// test setup to a Compose broker (infra/compose.yaml) when they find it healthy.
//
// - Each topic family has exactly ONE writer (its owner in services/shared/events/catalog.ts): WRITE, CREATE,
//   DESCRIBE on the PREFIXED resource `bps.<family>.v1` (test namespaces are suffixes: `bps.standards.v1.t-x-…`).
// - Readers get READ, DESCRIBE on the families they consume, and CREATE so services start in any order (whoever
//   comes first creates the topic; creating is not producing). Nothing else is readable.
// - Each consumer principal has its own dead-letter prefix `bps.dlq.<principal>.` (write and read back).
// - Consumer groups: READ on the PREFIXED group resource `groupPrefix(principal)`; a service's groups (and the test
//   kit's) are named under it, so one principal can never join or commit offsets in another's group.
// - Idempotent producers need no cluster ACL on Kafka ≥ 3.0 (KIP-679: WRITE on any topic implies IDEMPOTENT_WRITE).
// Anything not listed is refused (allow.everyone.if.no.acl.found=false); `admin` is the only super user.
import kafkajs, { type AclEntry, type Kafka } from 'kafkajs';
import { deadLetterTopic, topicOwners, topics, type TopicFamily } from '../../services/shared/events/catalog';
import { kafkaPrincipals, type KafkaPrincipal } from './secrets';

// kafkajs is CommonJS and its ACL enums are not visible as ESM named exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** The families each principal consumes (from the services' consumers; audit records every family but its own). */
export const consumedFamilies: Readonly<Record<KafkaPrincipal, readonly TopicFamily[]>> = {
  registry: ['approvals'], // approved change sets
  proposals: ['approvals'], // approval outcomes
  approvals: ['standards', 'programme'], // floor breaches and re-filings (5-year cycle); evaluations a cycle cites
  notifications: ['standards', 'approvals', 'programme'], // what subscribers may subscribe to
  audit: ['standards', 'proposals', 'approvals', 'notifications', 'programme'],
  programme: [], // it only writes
};

/** Consumer-group prefix per principal (the services' existing default group ids start with it). */
export const groupPrefixes: Readonly<Record<KafkaPrincipal, string>> = {
  registry: 'registry',
  proposals: 'proposals',
  approvals: 'approvals',
  notifications: 'bps-notifications',
  audit: 'bps-audit',
  programme: 'programme',
};

export type AclRule = {
  readonly principal: KafkaPrincipal;
  readonly resource: 'topic' | 'group';
  readonly prefix: string;
  readonly operations: readonly ('READ' | 'WRITE' | 'CREATE' | 'DESCRIBE')[];
};

/** The whole table, derived from the catalog's owners and the consumers above. */
export function aclRules(): AclRule[] {
  const rules: AclRule[] = [];
  for (const family of Object.keys(topicOwners) as TopicFamily[]) {
    rules.push({ principal: topicOwners[family].principal, resource: 'topic', prefix: topics[family], operations: ['WRITE', 'CREATE', 'DESCRIBE'] });
  }
  for (const principal of kafkaPrincipals) {
    for (const family of consumedFamilies[principal]) {
      rules.push({ principal, resource: 'topic', prefix: topics[family], operations: ['READ', 'DESCRIBE', 'CREATE'] });
    }
    rules.push({ principal, resource: 'topic', prefix: deadLetterTopic(principal, ''), operations: ['WRITE', 'CREATE', 'DESCRIBE', 'READ'] });
    rules.push({ principal, resource: 'group', prefix: groupPrefixes[principal], operations: ['READ'] });
  }
  return rules;
}

export function aclEntries(rules: readonly AclRule[] = aclRules()): AclEntry[] {
  return rules.flatMap((rule) =>
    rule.operations.map((operation) => ({
      resourceType: rule.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
      resourceName: rule.prefix,
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: `User:${rule.principal}`,
      host: '*',
      operation: AclOperationTypes[operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

const key = (e: AclEntry): string => [e.resourceType, e.resourceName, e.resourcePatternType, e.principal, e.host, e.operation, e.permissionType].join('|');

/**
 * Makes the broker's ACLs of the service principals exactly the table: creates what is missing (the broker ignores
 * bindings it already has) and deletes any other binding of those principals (a table that shrank, a hand-made
 * grant). Other principals' bindings are left alone.
 */
export async function ensureKafkaAcls(kafka: Kafka): Promise<{ created: number; deleted: number }> {
  const wanted = aclEntries();
  const wantedKeys = new Set(wanted.map(key));
  const ours = new Set(kafkaPrincipals.map((p) => `User:${p}`));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const present = existing.resources.flatMap((r) =>
      r.acls.map((acl): AclEntry => ({ ...acl, resourceType: r.resourceType, resourceName: r.resourceName, resourcePatternType: r.resourcePatternType })),
    );
    const presentKeys = new Set(present.map(key));
    const missing = wanted.filter((e) => !presentKeys.has(key(e)));
    const stale = present.filter((e) => ours.has(e.principal) && !wantedKeys.has(key(e)));
    if (missing.length > 0) await admin.createAcls({ acl: missing });
    if (stale.length > 0) await admin.deleteAcls({ filters: stale });
    return { created: missing.length, deleted: stale.length };
  } finally {
    await admin.disconnect();
  }
}

{{- /*
The ACL table of infra/local/kafka-acls.ts (aclRules: each topic family's one writer, the families each service
reads, its dead-letter prefix, its consumer-group prefix), all PREFIXED; tests/integration/helm-chart.int.test.ts
keeps the two equal.
*/ -}}
{{- define "bps.kafkaAcls" -}}
registry:
  - { type: topic, name: bps.standards.v1, operations: [Write, Create, Describe] }
  - { type: topic, name: bps.approvals.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.dlq.registry., operations: [Write, Create, Describe, Read] }
  - { type: group, name: registry, operations: [Read] }
proposals:
  - { type: topic, name: bps.proposals.v1, operations: [Write, Create, Describe] }
  - { type: topic, name: bps.approvals.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.dlq.proposals., operations: [Write, Create, Describe, Read] }
  - { type: group, name: proposals, operations: [Read] }
approvals:
  - { type: topic, name: bps.approvals.v1, operations: [Write, Create, Describe] }
  - { type: topic, name: bps.standards.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.programme.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.dlq.approvals., operations: [Write, Create, Describe, Read] }
  - { type: group, name: approvals, operations: [Read] }
notifications:
  - { type: topic, name: bps.notifications.v1, operations: [Write, Create, Describe] }
  - { type: topic, name: bps.standards.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.approvals.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.programme.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.dlq.notifications., operations: [Write, Create, Describe, Read] }
  - { type: group, name: bps-notifications, operations: [Read] }
audit:
  - { type: topic, name: bps.audit.v1, operations: [Write, Create, Describe] }
  - { type: topic, name: bps.standards.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.proposals.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.approvals.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.notifications.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.programme.v1, operations: [Read, Describe, Create] }
  - { type: topic, name: bps.dlq.audit., operations: [Write, Create, Describe, Read] }
  - { type: group, name: bps-audit, operations: [Read] }
programme:
  - { type: topic, name: bps.programme.v1, operations: [Write, Create, Describe] }
  - { type: topic, name: bps.dlq.programme., operations: [Write, Create, Describe, Read] }
  - { type: group, name: programme, operations: [Read] }
{{- end -}}

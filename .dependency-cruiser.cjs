// Architecture rules checked in CI (npm run lint): services never import each other; only services/shared is common.
module.exports = {
  forbidden: [
    {
      name: 'no-cross-service-imports',
      severity: 'error',
      comment: 'A service talks to another only over gRPC or Kafka. Share code through services/shared.',
      from: { path: '^services/([^/]+)/', pathNot: '^services/shared/' },
      to: { path: '^services/([^/]+)/', pathNot: ['^services/$1/', '^services/shared/'] },
    },
    {
      name: 'shared-stays-shared',
      severity: 'error',
      comment: 'services/shared must not depend on any particular service.',
      from: { path: '^services/shared/' },
      to: { path: '^services/', pathNot: '^services/shared/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds pure logic: no adapters, no I/O libraries.',
      from: { path: '^services/[^/]+/domain/' },
      to: { path: ['/adapters/', '^node_modules/(kafkajs|mongodb|@grpc|@temporalio/(client|worker))/'] },
    },
    {
      name: 'workflows-no-services',
      severity: 'error',
      comment: 'Workflow code is bundled into the Temporal sandbox; it may only import activity types.',
      from: { path: '^workflows/' },
      to: { path: '^services/', pathNot: '^services/shared/domain/decider\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['proto/gen', 'node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

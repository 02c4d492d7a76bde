import { defineConfig } from 'vitest/config';

// Tiers by file name: *.unit.test.ts (pure logic, no infrastructure), *.int.test.ts and *.e2e.test.ts
// (real Kafka, MongoDB-protocol database and Temporal, started by the global setup when not running).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['tests/**/*.unit.test.ts', 'services/**/*.unit.test.ts', 'workflows/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/**/*.int.test.ts', 'tests/**/*.e2e.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 300_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

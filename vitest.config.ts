import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['tests/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit+infra',
          include: ['tests/unit/**/*.test.ts', 'tests/infra/**/*.test.ts'],
          // CDK-heavy files load aws-cdk-lib once per worker instead of once per file.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'workflow+e2e',
          include: ['tests/workflow/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          // Each file gets a fresh module graph: handlers read their environment (emulator endpoints) at import.
          isolate: true,
          testTimeout: 120_000,
        },
      },
    ],
  },
});

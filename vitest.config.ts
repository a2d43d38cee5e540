import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CDK-heavy files load aws-cdk-lib once per worker instead of once per file.
    isolate: false,
    pool: 'forks',
  },
});

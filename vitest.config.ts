import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration files share one dev server and each builds its own worker; two at a time
    // keeps a two-core machine responsive.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Validates every simulator response of the run against the OpenAPI document.
          globalSetup: ['test/helpers/conformance-global-setup.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Vitest tears down in reverse order, so the dev server stops even when the conformance check fails.
          globalSetup: ['test/helpers/conformance-global-setup.ts', 'test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

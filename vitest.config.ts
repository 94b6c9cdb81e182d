import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = Object.fromEntries(
  ['contracts', 'config', 'kafka', 'llm', 'catalogue', 'platform', 'agent'].map((lib) => [
    `@tributary/${lib}`,
    fileURLToPath(new URL(`./libs/${lib}/src/index.ts`, import.meta.url)),
  ]),
);
alias['@tributary/testing'] = fileURLToPath(new URL('./test/support/index.ts', import.meta.url));

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'scripts/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration files share one broker and one CPU budget; they run one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});

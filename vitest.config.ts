import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = Object.fromEntries(
  [
    'contracts',
    'config',
    'kafka',
    'llm',
    'catalogue',
    'platform',
    'agent',
    'terminal',
    'metrics',
    'tracing',
    'evaluation',
  ].map((lib) => [
    `@tributary/${lib}`,
    fileURLToPath(new URL(`./libs/${lib}/src/index.ts`, import.meta.url)),
  ]),
);
alias['@tributary/testing'] = fileURLToPath(new URL('./test/support/index.ts', import.meta.url));
// Test-only code (in-memory stores, event factories, sinks) lives under test/support, never in src.
const testingSubpath = {
  find: /^@tributary\/testing\/(.*)$/,
  replacement: `${fileURLToPath(new URL('./test/support/', import.meta.url))}$1`,
};

export default defineConfig({
  resolve: {
    alias: [testingSubpath, ...Object.entries(alias).map(([find, replacement]) => ({ find, replacement }))],
  },
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

import { type TestProject } from 'vitest/node';
import { startEmbeddingsServer } from './embeddings';

/**
 * Integration tests run against the real local stack. `npm test` brings it up before vitest
 * starts; this makes `npx vitest --project integration` work on its own too.
 * With TRIBUTARY_TEST_STACK=external the tests use servers you run yourself (e.g. docker compose),
 * found through the usual TRIBUTARY_* variables.
 * The embeddings server of the hybrid retrieval tests is started here too (see ./embeddings.ts).
 */
export default async function setup(project: TestProject): Promise<void> {
  if (process.env.TRIBUTARY_TEST_STACK !== 'external') {
    // @ts-expect-error plain ESM script without type declarations
    const stack = (await import('../../scripts/stack.mjs')) as {
      up: (options?: { quiet?: boolean }) => Promise<void>;
    };
    await stack.up({ quiet: true });
  }
  project.provide('embeddings', await startEmbeddingsServer());
}

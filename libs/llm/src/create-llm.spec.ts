import { describe, expect, it } from 'vitest';
import { createLlm } from './create-llm';
import { OfflineLlm } from './offline/offline-llm';
import { OpenAiLlm } from './openai/openai-llm';
import { llmConfig } from '@tributary/testing/llm/fixtures';

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: { log: (message: string) => lines.push(message), warn: (message: string) => lines.push(message) },
  };
}

describe('createLlm', () => {
  it('returns the offline provider when no endpoint is configured, and says so', () => {
    const { lines, logger } = recordingLogger();

    const llm = createLlm(llmConfig(undefined), logger);

    expect(llm).toBeInstanceOf(OfflineLlm);
    expect(llm.provider).toBe('offline');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^LLM provider: offline \(deterministic retrieval-and-rules recommender/);
  });

  it('returns the OpenAI-compatible adapter named by model and host when a base URL is set, without logging the key', () => {
    const { lines, logger } = recordingLogger();

    const llm = createLlm(
      llmConfig('http://127.0.0.1:11434/v1', {
        model: 'llama3.1:8b',
        apiKey: 'sk-secret',
      }),
      logger,
    );

    expect(llm).toBeInstanceOf(OpenAiLlm);
    expect(llm.provider).toBe('openai:llama3.1:8b@127.0.0.1:11434');
    expect(lines[0]).toContain('LLM provider: openai:llama3.1:8b@127.0.0.1:11434');
    expect(lines.join('\n')).not.toContain('sk-secret');
  });
});

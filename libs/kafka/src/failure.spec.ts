import { FAILURE_HEADERS } from '@tributary/contracts';
import { describe, expect, it } from 'vitest';
import {
  errorClassName,
  EventValidationError,
  isRetriable,
  PermanentError,
  RetriableError,
  DecodeError,
} from './errors';
import { readFailure, stripFailureHeaders, withFailureHeaders } from './failure';
import { decodeMoved, encodeMoved } from './redrive';

const failure = {
  originTopic: 'tributary.internal.task.planned.v1',
  originPartition: 3,
  originOffset: '42',
  attempts: 2,
  errorClass: 'RetriableError',
  errorMessage: 'model timed out',
  firstFailureAt: '2026-01-01T00:00:00.000Z',
  lastFailureAt: '2026-01-01T00:00:05.000Z',
  retryDueAt: '2026-01-01T00:00:06.000Z',
};

describe('failure headers', () => {
  it('round-trip through Kafka headers and keep the envelope headers', () => {
    const headers = withFailureHeaders({ eventId: 'e-1', tenantId: 't' }, failure);
    expect(headers.eventId).toBe('e-1');
    expect(readFailure(headers)).toEqual(failure);
  });

  it('replace the bookkeeping of an earlier trip instead of piling it up', () => {
    const first = withFailureHeaders({ eventId: 'e-1' }, failure);
    const second = withFailureHeaders(first, { ...failure, attempts: 3, retryDueAt: undefined });
    expect(readFailure(second)?.attempts).toBe(3);
    expect(second[FAILURE_HEADERS.retryDueAt]).toBeUndefined();
    expect(stripFailureHeaders(second)).toEqual({ eventId: 'e-1' });
  });

  it('are absent from messages this runtime did not route', () => {
    expect(readFailure({ eventId: 'e-1' })).toBeUndefined();
  });
});

describe('error classes', () => {
  it('send unknown and retriable errors to retry, permanent ones to the dead-letter topic', () => {
    expect(isRetriable(new Error('boom'))).toBe(true);
    expect(isRetriable('a string')).toBe(true);
    expect(isRetriable(new RetriableError('429'))).toBe(true);
    expect(isRetriable(new PermanentError('bad request'))).toBe(false);
    expect(isRetriable(new DecodeError('garbage'))).toBe(false);
    expect(isRetriable(new EventValidationError('bad field', { paths: ['a.b'] }))).toBe(false);
  });

  it('are named by class in the headers', () => {
    expect(errorClassName(new DecodeError('x'))).toBe('DecodeError');
    expect(errorClassName(new TypeError('x'))).toBe('TypeError');
    expect(errorClassName({ status: 'error' })).toBe('UnknownError');
  });
});

describe('redrive progress metadata', () => {
  it('encodes moved offsets as ranges and reads them back', () => {
    const moved = new Set([5, 6, 7, 9, 12, 13]);
    const encoded = encodeMoved(moved);
    expect(encoded).toBe('{"v":1,"moved":[[5,7],[9,9],[12,13]]}');
    expect(decodeMoved(encoded)).toEqual(moved);
  });

  it('reads foreign or empty metadata as nothing moved', () => {
    expect(decodeMoved('')).toEqual(new Set());
    expect(decodeMoved(null)).toEqual(new Set());
    expect(decodeMoved('not json')).toEqual(new Set());
  });
});

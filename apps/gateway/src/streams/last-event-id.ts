import { ApiProblem } from '../http/problem';

const SEQ = /^\d{1,15}$/;

/**
 * The seq a client resumes after: the `Last-Event-ID` header (what EventSource sends on reconnect)
 * or, for clients that cannot set headers, `?lastEventId=`; 0 (the whole history) when neither.
 */
export function resumePoint(header: string | undefined, query: string | undefined): number {
  const [raw, path] =
    header !== undefined && header.trim() !== ''
      ? [header.trim(), 'header.last-event-id']
      : [query, 'query.lastEventId'];
  if (raw === undefined || raw === '') return 0;
  if (!SEQ.test(raw)) {
    throw ApiProblem.validation(
      `${path}: must be the id of an event this stream sent (a non-negative integer).`,
      [{ path, message: 'must be the id of an event this stream sent (a non-negative integer)' }],
    );
  }
  return Number(raw);
}

import { ApiProblem } from '../http/problem';
import { isFeedId } from '../task/task-feed';

export const LAST_EVENT_ID_MESSAGE =
  "must be the id of an event this stream sent (a causal position such as '2.1', or an event id)";

/** What `isFeedId` accepts, as the OpenAPI document states it: a causal position, or an event id. */
export const FEED_ID_PATTERN = String.raw`^(\d{1,9}\.\d{1,9}|[0-9a-f-]{36})$`;

/**
 * The id a client resumes after: the `Last-Event-ID` header (what EventSource sends on reconnect)
 * or, for clients that cannot set headers, `?lastEventId=`; undefined (the whole history) when
 * neither. An id of the right shape that the task's history does not hold also resumes from the
 * start (TaskLogStream): the client sees every event again rather than missing any.
 */
export function resumePoint(header: string | undefined, query: string | undefined): string | undefined {
  const [raw, path] =
    header !== undefined && header.trim() !== ''
      ? [header.trim(), 'header.last-event-id']
      : [query, 'query.lastEventId'];
  if (raw === undefined || raw === '') return undefined;
  if (!isFeedId(raw))
    throw ApiProblem.validation(`${path}: ${LAST_EVENT_ID_MESSAGE}.`, [
      { path, message: LAST_EVENT_ID_MESSAGE },
    ]);
  return raw;
}

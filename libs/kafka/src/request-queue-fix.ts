import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

/** kafkajs' own fallback period for a queue held back by throttling or its in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/**
 * How often a connection looks for requests past their timeout (kafkajs: every 100 ms). Timeouts are
 * tens of seconds (30 s by default; a fetch's is its wait plus that), so a request times out at most
 * a second late, and an idle connection wakes once a second instead of ten times.
 */
const REQUEST_TIMEOUT_CHECK_MS = 1_000;

const PATCHED = Symbol.for('tributary.kafkajs.requestQueueFix');

/**
 * Patches kafkajs' RequestQueue once per process (createKafkaClient applies it) against two costs
 * that every open broker connection pays while nothing happens, which made an idle service with a
 * producer and one consumer spend 3.5 % of a core (profiled; nearly all in these timers):
 *
 * - kafkajs 2.2.4 reschedules its pending-request check after every response, also when nothing is
 *   pending, with a negative delay, so the connection runs a 1 ms timer loop for as long as it is
 *   open (https://github.com/tulios/kafkajs/issues/1556; fix proposed upstream in
 *   https://github.com/tulios/kafkajs/pull/1667, not released). A check is only needed while
 *   requests wait: a push that cannot be sent at once enqueues and schedules one, and every response
 *   checks again.
 * - Its request-timeout check runs every 100 ms per connection; see REQUEST_TIMEOUT_CHECK_MS.
 */
export function fixKafkajsRequestQueue(): void {
  const prototype = RequestQueue.prototype as RequestQueue & { [PATCHED]?: true };
  if (prototype[PATCHED]) return;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueue) {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    // At least the fallback period: a marginal throttle (0–1 ms) must still get its check.
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
    );
  };
  prototype.scheduleRequestTimeoutCheck = function scheduleRequestTimeoutCheck(this: RequestQueue) {
    if (!this.enforceRequestTimeout) return;
    this.destroy();
    this.requestTimeoutIntervalId = setInterval(
      () => {
        const now = Date.now();
        for (const request of this.inflight.values())
          if (now - request.sentAt > request.requestTimeout) request.timeoutRequest();
        if (!this.isConnected()) this.destroy();
      },
      Math.min(this.requestTimeout, REQUEST_TIMEOUT_CHECK_MS),
    );
  };
  prototype[PATCHED] = true;
}

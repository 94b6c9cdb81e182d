import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

/** kafkajs' own fallback period for a queue held back by throttling or its in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const PATCHED = Symbol.for('tributary.kafkajs.requestQueueFix');

/**
 * Patches kafkajs' RequestQueue once per process (every client made by createKafkaClient applies it).
 *
 * kafkajs 2.2.4 reschedules its pending-request check after every response, also when nothing is
 * pending, with a negative delay: every broker connection then runs a 1 ms timer loop for as long as
 * it is open (https://github.com/tulios/kafkajs/issues/1556, fix proposed upstream in
 * https://github.com/tulios/kafkajs/pull/1667, not released). Profiled on an idle agent, that loop
 * was nearly all of its 3.5 % of a core. A check is only needed while requests wait: a push that
 * cannot be sent at once enqueues and schedules one, and every response checks again.
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
  prototype[PATCHED] = true;
}

// kafkajs ships no types for its internals; only what the request-queue fix touches.
declare module 'kafkajs/src/network/requestQueue/index.js' {
  interface SocketRequestLike {
    readonly correlationId: number;
  }

  class RequestQueue {
    pending: SocketRequestLike[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
  }

  export default RequestQueue;
}

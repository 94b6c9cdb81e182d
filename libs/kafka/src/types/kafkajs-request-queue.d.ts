// kafkajs ships no types for its internals; only what the request-queue fixes touch.
declare module 'kafkajs/src/network/requestQueue/index.js' {
  interface SocketRequestLike {
    readonly correlationId: number;
    readonly sentAt: number;
    readonly requestTimeout: number;
    timeoutRequest(): void;
  }

  class RequestQueue {
    pending: SocketRequestLike[];
    inflight: Map<number, SocketRequestLike>;
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    requestTimeoutIntervalId: NodeJS.Timeout | undefined;
    readonly requestTimeout: number;
    readonly enforceRequestTimeout: boolean;
    isConnected(): boolean;
    destroy(): void;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    scheduleRequestTimeoutCheck(): void;
  }

  export default RequestQueue;
}

import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type LookupFunction } from 'node:net';
import { TargetRefusedError, type TargetPolicy } from './target-policy';

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number; readonly durationMs: number }
  /** Worth trying again: a non-2xx answer, a timeout, a connection failure. */
  | {
      readonly kind: 'failed';
      readonly status: number | null;
      readonly error: string;
      readonly durationMs: number;
    }
  /** Never worth trying again: the target is not allowed. */
  | { readonly kind: 'refused'; readonly error: string; readonly durationMs: number };

/** What is read of a receiver's answer (the rest is discarded): receivers should answer quickly and briefly. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** The port the rest of the delivery code sees; tests may replace it. */
export interface WebhookTransport {
  send(request: WebhookRequest): Promise<SendOutcome>;
}

/**
 * POSTs one webhook: target checked and pinned by the policy, one time box for the whole exchange
 * (connect, TLS, request, answer), redirects not followed (a 3xx is a failed attempt: the receiver
 * must give its final URL), the answer's body read to at most 64 KiB and dropped.
 */
export class HttpWebhookSender implements WebhookTransport {
  constructor(
    private readonly policy: TargetPolicy,
    private readonly timeoutMs: number,
  ) {}

  async send(webhook: WebhookRequest): Promise<SendOutcome> {
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    let url: URL;
    try {
      url = new URL(webhook.url);
    } catch {
      return { kind: 'refused', error: 'the callback URL is not a URL', durationMs: elapsed() };
    }
    const deadline = AbortSignal.timeout(this.timeoutMs);
    let pinned;
    try {
      pinned = await Promise.race([
        this.policy.resolve(url),
        new Promise<never>((_, reject) => {
          deadline.addEventListener(
            'abort',
            () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
            {
              once: true,
            },
          );
        }),
      ]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return error instanceof TargetRefusedError
        ? { kind: 'refused', error: message, durationMs: elapsed() }
        : { kind: 'failed', status: null, error: message, durationMs: elapsed() };
    }
    const lookup: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
          { address: pinned.address, family: pinned.family },
        ]);
      } else callback(null, pinned.address, pinned.family);
    };
    const options: RequestOptions = {
      method: 'POST',
      headers: {
        ...webhook.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(webhook.body)),
        'user-agent': 'Tributary-Webhooks/1',
      },
      lookup,
      signal: deadline,
      agent: false,
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendOutcome>((resolve) => {
      const request = send(url, options, (response: IncomingMessage) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) response.destroy();
        });
        const finish = () => {
          const status = response.statusCode ?? 0;
          resolve(
            status >= 200 && status < 300
              ? { kind: 'delivered', status, durationMs: elapsed() }
              : {
                  kind: 'failed',
                  status,
                  error:
                    status >= 300 && status < 400
                      ? `answered ${status} (redirects are not followed)`
                      : `answered ${status}`,
                  durationMs: elapsed(),
                },
          );
        };
        response.on('end', finish);
        response.on('close', finish);
        response.on('error', finish);
      });
      request.on('error', (error) => {
        const message = deadline.aborted ? `no answer within ${this.timeoutMs} ms` : error.message;
        resolve({ kind: 'failed', status: null, error: message, durationMs: elapsed() });
      });
      request.end(webhook.body);
    });
  }
}

import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  type LoggerService,
} from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { isStoreConnectivityError } from '@tributary/platform';
import { ApiProblem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemForStatus } from './problem';

export interface ProblemFilterOptions {
  readonly bodyLimitBytes: number;
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  if (error instanceof Error && 'statusCode' in error && typeof error.statusCode === 'number')
    return error.statusCode;
  return undefined;
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  if (typeof response === 'object' && 'message' in response) {
    const { message } = response;
    if (Array.isArray(message)) return message.map(String).join('; ');
    if (typeof message === 'string') return message;
  }
  return error.message;
}

/**
 * The one place an error becomes an HTTP answer: every error, ours or the framework's (unknown
 * route, body limit, content type), leaves as problem details. Anything unexpected is a 500 whose
 * detail names nothing internal; the stack goes to the log.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: LoggerService,
    private readonly options: ProblemFilterOptions,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.toProblem(error);
    const instance = (request.url ?? '').split('?')[0] ?? '';

    if (problem.status >= 500) {
      this.logger.error(
        {
          msg: 'request failed',
          method: request.method,
          path: instance,
          status: problem.status,
          err: describe(error),
        },
        'ProblemFilter',
      );
    }
    // A hijacked reply (an open event stream) has no status line left to write.
    if (reply.sent || reply.raw.headersSent) {
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    void reply
      .status(problem.status)
      .headers({ ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE })
      .send(JSON.stringify(problem.toDocument(instance)));
  }

  private toProblem(error: unknown): ApiProblem {
    if (error instanceof ApiProblem) return error;
    if (isStoreConnectivityError(error)) return storeUnavailable(error);
    const status = statusOf(error);
    if (status === 413) {
      return new ApiProblem({
        type: PROBLEM_TYPES.payloadTooLarge,
        status,
        title: 'Payload too large',
        detail: `The request body is larger than ${this.options.bodyLimitBytes} bytes.`,
      });
    }
    if (status === 415) {
      return new ApiProblem({
        type: PROBLEM_TYPES.unsupportedMediaType,
        status,
        title: 'Unsupported media type',
        detail: 'Send the request body as JSON with "Content-Type: application/json".',
      });
    }
    if (status !== undefined && status < 500) {
      const detail =
        error instanceof HttpException
          ? messageOf(error)
          : error instanceof Error
            ? error.message
            : 'Bad request';
      return problemForStatus(status, detail);
    }
    return new ApiProblem({
      type: PROBLEM_TYPES.internal,
      status: status ?? 500,
      title: 'Internal server error',
      detail: 'The gateway could not handle this request; it has been logged.',
      cause: error,
    });
  }
}

/** The store is down, unreachable or did not answer in time: the client may retry (never a 500). */
export function storeUnavailable(cause: unknown): ApiProblem {
  return ApiProblem.unavailable(
    'The task store did not answer in time. Try again (a submission with the same Idempotency-Key).',
    STORE_RETRY_AFTER_SECONDS,
    cause,
  );
}

const STORE_RETRY_AFTER_SECONDS = 2;

function describe(error: unknown): unknown {
  if (error instanceof ApiProblem && error.cause instanceof Error)
    return { name: error.cause.name, message: error.cause.message, stack: error.cause.stack };
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return String(error);
}

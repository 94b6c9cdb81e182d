import { z } from 'zod';

/**
 * Every error the gateway answers is an RFC 9457 problem-details document served as
 * `application/problem+json`. Clients branch on `type` (stable) and `status`, never on `detail`.
 * Types are URNs: stable names that do not pretend to be dereferenceable pages.
 */
export const PROBLEM_TYPES = {
  validation: 'urn:tributary:problem:validation',
  invalidJson: 'urn:tributary:problem:invalid-json',
  badRequest: 'urn:tributary:problem:bad-request',
  notFound: 'urn:tributary:problem:not-found',
  methodNotAllowed: 'urn:tributary:problem:method-not-allowed',
  misdirected: 'urn:tributary:problem:misdirected-request',
  conflict: 'urn:tributary:problem:conflict',
  unknownUser: 'urn:tributary:problem:unknown-user',
  payloadTooLarge: 'urn:tributary:problem:payload-too-large',
  unsupportedMediaType: 'urn:tributary:problem:unsupported-media-type',
  unavailable: 'urn:tributary:problem:unavailable',
  outcomeUnknown: 'urn:tributary:problem:outcome-unknown',
  unauthorized: 'urn:tributary:problem:unauthorized',
  forbidden: 'urn:tributary:problem:forbidden',
  rateLimited: 'urn:tributary:problem:rate-limited',
  tooManyTasks: 'urn:tributary:problem:too-many-tasks',
  tooManyStreams: 'urn:tributary:problem:too-many-streams',
  idempotencyMismatch: 'urn:tributary:problem:idempotency-key-mismatch',
  idempotencyInProgress: 'urn:tributary:problem:idempotency-key-in-progress',
  internal: 'urn:tributary:problem:internal',
} as const;

export type ProblemType = (typeof PROBLEM_TYPES)[keyof typeof PROBLEM_TYPES];

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export const problemFieldSchema = z.object({
  path: z
    .string()
    .describe(
      'Where the fault is: a dotted path into the body (`constraints.maxPrice`), or `query.limit`, `params.id`, `header.last-event-id`.',
    ),
  message: z.string(),
});

export const problemSchema = z
  .object({
    type: z.string().describe('A URN naming the kind of problem; stable, branch on it.'),
    title: z.string().describe('A short summary of the kind of problem.'),
    status: z.number().int(),
    detail: z.string().describe('What went wrong with this request, for a person.'),
    instance: z.string().describe('The request path.'),
    errors: z.array(problemFieldSchema).optional().describe('Validation problems, one per field at fault.'),
    taskId: z
      .string()
      .optional()
      .describe(
        '`outcome-unknown`: the task the request may have submitted (retry with the same Idempotency-Key).',
      ),
  })
  .meta({ id: 'Problem' });

export type ProblemField = z.infer<typeof problemFieldSchema>;
export type ProblemDocument = z.infer<typeof problemSchema>;

interface ProblemInit {
  readonly type: ProblemType;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly ProblemField[];
  readonly headers?: Readonly<Record<string, string>>;
  /** The task the problem is about, when the client needs its id (an unknown outcome). */
  readonly taskId?: string;
  readonly cause?: unknown;
}

/** An error the API answers as it is; use cases throw these, the exception filter renders them. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly type: ProblemType;
  readonly status: number;
  readonly title: string;
  readonly errors: readonly ProblemField[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly taskId: string | undefined;

  constructor(init: ProblemInit) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.type = init.type;
    this.status = init.status;
    this.title = init.title;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.taskId = init.taskId;
  }

  toDocument(instance: string): ProblemDocument {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      instance,
      ...(this.errors === undefined ? {} : { errors: [...this.errors] }),
      ...(this.taskId === undefined ? {} : { taskId: this.taskId }),
    };
  }

  static validation(detail: string, errors: readonly ProblemField[]): ApiProblem {
    return new ApiProblem({
      type: PROBLEM_TYPES.validation,
      status: 400,
      title: 'Request validation failed',
      detail,
      errors,
    });
  }

  static invalidJson(detail: string): ApiProblem {
    return new ApiProblem({
      type: PROBLEM_TYPES.invalidJson,
      status: 400,
      title: 'Body is not valid JSON',
      detail,
    });
  }

  static notFound(detail: string): ApiProblem {
    return new ApiProblem({ type: PROBLEM_TYPES.notFound, status: 404, title: 'Not found', detail });
  }

  static conflict(detail: string): ApiProblem {
    return new ApiProblem({
      type: PROBLEM_TYPES.conflict,
      status: 409,
      title: 'Conflict with the current state',
      detail,
    });
  }

  static unknownUser(userId: string): ApiProblem {
    return new ApiProblem({
      type: PROBLEM_TYPES.unknownUser,
      status: 422,
      title: 'Unknown user',
      detail: `No user profile "${userId}" exists; load the profile first.`,
      errors: [{ path: 'userId', message: `no user profile "${userId}"` }],
    });
  }

  static unavailable(detail: string, retryAfterSeconds: number, cause?: unknown): ApiProblem {
    return new ApiProblem({
      type: PROBLEM_TYPES.unavailable,
      status: 503,
      title: 'Service unavailable',
      detail,
      headers: { 'retry-after': String(retryAfterSeconds) },
      cause,
    });
  }
}

const TITLES: Record<number, { type: ProblemType; title: string }> = {
  400: { type: PROBLEM_TYPES.badRequest, title: 'Bad request' },
  404: { type: PROBLEM_TYPES.notFound, title: 'Not found' },
  401: { type: PROBLEM_TYPES.unauthorized, title: 'Authentication required' },
  403: { type: PROBLEM_TYPES.forbidden, title: 'Forbidden' },
  405: { type: PROBLEM_TYPES.methodNotAllowed, title: 'Method not allowed' },
  409: { type: PROBLEM_TYPES.conflict, title: 'Conflict with the current state' },
  413: { type: PROBLEM_TYPES.payloadTooLarge, title: 'Payload too large' },
  415: { type: PROBLEM_TYPES.unsupportedMediaType, title: 'Unsupported media type' },
  503: { type: PROBLEM_TYPES.unavailable, title: 'Service unavailable' },
};

/** A problem for a status raised outside our code (the framework's 404, body limit, content type). */
export function problemForStatus(status: number, detail: string): ApiProblem {
  const known = TITLES[status];
  if (known) return new ApiProblem({ ...known, status, detail });
  if (status >= 500)
    return new ApiProblem({ type: PROBLEM_TYPES.internal, status, title: 'Internal server error', detail });
  return new ApiProblem({ type: PROBLEM_TYPES.badRequest, status, title: 'Bad request', detail });
}

import { ApiProblem, PROBLEM_TYPES } from '../http/problem';
import { type Scope } from './scopes';

/** `WWW-Authenticate` for a bearer-protected API (RFC 6750 §3). */
function challenge(error?: string, description?: string, scope?: string): string {
  const parts = ['realm="tributary"'];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description.replace(/["\\]/g, '')}"`);
  if (scope) parts.push(`scope="${scope}"`);
  return `Bearer ${parts.join(', ')}`;
}

export function unauthorized(detail: string, presented: boolean): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.unauthorized,
    status: 401,
    title: 'Authentication required',
    detail,
    headers: {
      // No error code when no credentials were sent (RFC 6750 §3.1).
      'www-authenticate': presented ? challenge('invalid_token', detail) : challenge(),
    },
  });
}

export function forbidden(scope: Scope): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.forbidden,
    status: 403,
    title: 'Insufficient scope',
    detail: `This credential lacks the "${scope}" scope.`,
    headers: { 'www-authenticate': challenge('insufficient_scope', undefined, scope) },
  });
}

export function rateLimited(retryAfterSeconds: number): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.rateLimited,
    status: 429,
    title: 'Too many requests',
    detail: `This credential sent requests faster than its rate limit; retry after ${retryAfterSeconds} s.`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

export function unauthenticatedRateLimited(retryAfterSeconds: number): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.rateLimited,
    status: 429,
    title: 'Too many requests',
    detail: `Too many requests without valid credentials came from this address; retry after ${retryAfterSeconds} s.`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

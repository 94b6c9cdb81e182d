import { type FastifyInstance } from 'fastify';
import { ApiProblem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from './problem';

interface KnownPath {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

function toPattern(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * A known path with a method it does not serve is a 405 with `Allow` (RFC 9110 §15.5.6), not a 404:
 * routes are collected as they are registered, and a request no route matched is checked against
 * their paths before the not-found handler answers. Must be called before any route is added.
 */
export function answerMethodNotAllowed(fastify: FastifyInstance): void {
  const paths = new Map<string, KnownPath>();
  fastify.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return;
    const known = paths.get(route.url) ?? { pattern: toPattern(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) known.methods.add(method.toUpperCase());
    paths.set(route.url, known);
  });
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== undefined) return;
    const path = request.url.split('?')[0] ?? '';
    // Matched as the router matches: on the decoded path.
    const decoded = safeDecode(path);
    const allowed = new Set<string>();
    for (const known of paths.values())
      if (known.pattern.test(decoded)) for (const m of known.methods) allowed.add(m);
    if (allowed.size === 0 || allowed.has(request.method)) return;
    const allow = [...allowed].sort().join(', ');
    const problem = new ApiProblem({
      type: PROBLEM_TYPES.methodNotAllowed,
      status: 405,
      title: 'Method not allowed',
      detail: `${request.method} is not supported on ${path}; use ${allow}.`,
      headers: { allow },
    });
    return reply
      .status(405)
      .headers({ ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE })
      .send(JSON.stringify(problem.toDocument(path)));
  });
}

import { type FastifyInstance } from 'fastify';
import { ApiProblem } from './problem';

function rejectPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor') {
    throw new SyntaxError(`the key "${key}" is not allowed`);
  }
  return value;
}

/** Parses a JSON body; an empty body is "no body" (so a bodiless POST with a JSON content type is fine). */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text, rejectPrototypeKeys) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw ApiProblem.invalidJson(`The request body is not valid JSON: ${reason}.`);
  }
}

/**
 * JSON is the only body format the API takes. Removing Fastify's other parsers (text/plain) makes
 * any other content type a 415 instead of a string that fails validation further down; the body
 * limit is enforced while reading, so an oversize body is a 413 before any parsing.
 */
export function useJsonBodiesOnly(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: bodyLimitBytes },
    (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

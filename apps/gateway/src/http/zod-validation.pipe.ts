import { type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';
import { ApiProblem, type ProblemField } from './problem';

export type RequestPart = 'body' | 'query' | 'params' | 'header';

function pathOf(part: RequestPart, path: readonly PropertyKey[]): string {
  const tail = path.map(String).join('.');
  if (part === 'body') return tail === '' ? 'body' : tail;
  return tail === '' ? part : `${part}.${tail}`;
}

/** Turns zod issues into one problem field per fault, with messages a client developer can act on. */
export function issuesToFields(part: RequestPart, issues: readonly z.core.$ZodIssue[]): ProblemField[] {
  const fields: ProblemField[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        fields.push({ path: pathOf(part, [...issue.path, key]), message: 'is not a known field' });
    } else if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) {
      fields.push({
        path: pathOf(part, issue.path),
        message: part === 'body' && issue.path.length === 0 ? 'a JSON object is required' : 'is required',
      });
    } else {
      fields.push({ path: pathOf(part, issue.path), message: issue.message });
    }
  }
  return fields;
}

const WHERE: Record<RequestPart, string> = {
  body: 'The request body',
  query: 'The query string',
  params: 'The path',
  header: 'A request header',
};

export function validationProblem(part: RequestPart, issues: readonly z.core.$ZodIssue[]): ApiProblem {
  const errors = issuesToFields(part, issues);
  const summary = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  const count = errors.length === 1 ? 'a problem' : `${errors.length} problems`;
  return ApiProblem.validation(`${WHERE[part]} has ${count}: ${summary}.`, errors);
}

export function parseOrProblem<S extends z.ZodType>(
  schema: S,
  part: RequestPart,
  value: unknown,
): z.output<S> {
  // reportInput lets us tell a missing field from a wrong one; inputs are never echoed back.
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw validationProblem(part, result.error.issues);
  return result.data;
}

/** Validates one part of the request against a zod schema: the same schema the OpenAPI document shows. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly part: RequestPart,
  ) {}

  transform(value: unknown): z.output<S> {
    return parseOrProblem(this.schema, this.part, value);
  }
}

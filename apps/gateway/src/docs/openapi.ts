import { applyDecorators } from '@nestjs/common';
import {
  ApiParam,
  type ApiQueryOptions,
  ApiResponse,
  type ApiResponseOptions,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';
import { TASK_ID_PATTERN } from '../task/ids';

/** Schemas documented as request bodies: rendered with their input shape (defaults optional). */
const INPUT_SCHEMAS = new Set(['SubmitTask', 'CancelTask', 'Constraints', 'PutWebhookEndpoint']);

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

const COMPONENT_PREFIX = '#/components/schemas/';

function clean(schema: Record<string, unknown>): SchemaObject {
  const { $id: _id, $schema: _schema, id: _plainId, ...rest } = schema;
  return rest;
}

/**
 * Every zod schema named with `.meta({ id })`, as OpenAPI 3.0 components (a schema is named when
 * its module is loaded: bootstrap.ts loads every feature's schemas before it asks). Generated from the same
 * schemas the validation pipe runs, so the document cannot drift from what the API accepts.
 */
export function zodComponents(): Record<string, SchemaObject> {
  const options = {
    target: 'openapi-3.0',
    uri: (id: string) => `${COMPONENT_PREFIX}${id}`,
    unrepresentable: 'any',
  } as const;
  const inputs = z.toJSONSchema(z.globalRegistry, { ...options, io: 'input' }).schemas;
  const outputs = z.toJSONSchema(z.globalRegistry, { ...options, io: 'output' }).schemas;
  const components: Record<string, SchemaObject> = {};
  for (const [id, schema] of Object.entries(outputs)) {
    components[id] = clean((INPUT_SCHEMAS.has(id) ? inputs[id] : schema) as Record<string, unknown>);
  }
  return components;
}

export function ref(id: string): { $ref: string } {
  return { $ref: `${COMPONENT_PREFIX}${id}` };
}

/** One @ApiQuery per property of a query-string schema, with its JSON schema and whether it is required. */
export function queryParameters(schema: z.ZodType): ApiQueryOptions[] {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, SchemaObject>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const description =
      'description' in property && typeof property.description === 'string'
        ? property.description
        : undefined;
    return {
      name,
      required: json.required?.includes(name) ?? false,
      schema: property,
      ...(description === undefined ? {} : { description }),
    };
  });
}

/** The JSON schema of one path parameter, from the zod schema that validates it. */
export function pathParameterSchema(schema: z.ZodType, name: string): { type: 'string' } {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, SchemaObject>;
  };
  const property = json.properties?.[name];
  if (!property) throw new Error(`the path schema has no parameter ${name}`);
  return property as { type: 'string' };
}

/** A documented error answer: problem details under `application/problem+json`. */
export function problemResponse(status: number, description: string): ApiResponseOptions {
  return {
    status,
    description,
    content: { [PROBLEM_CONTENT_TYPE.split(';')[0]!]: { schema: ref('Problem') } },
  };
}

/** Documents a `:id` task path parameter and the answers a bad or unknown id gets. */
export function TaskIdParam(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiParam({ name: 'id', schema: { type: 'string', pattern: TASK_ID_PATTERN.source } }),
    ApiResponse(problemResponse(400, 'The task id is not well-formed.')),
    ApiResponse(problemResponse(404, 'No such task (for this tenant).')),
  );
}

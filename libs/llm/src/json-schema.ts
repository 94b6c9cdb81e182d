/**
 * The JSON Schema subset used for structured model output: what OpenAI's strict mode accepts
 * (every property required, no additional properties) and what the hand-written validator checks.
 * One schema object is both sent to the server and used to validate the reply.
 */
export type JsonSchema =
  | { readonly type: 'string'; readonly enum?: readonly string[]; readonly description?: string }
  | { readonly type: 'number' | 'integer'; readonly description?: string }
  | { readonly type: 'boolean'; readonly description?: string }
  | { readonly type: 'array'; readonly items: JsonSchema; readonly description?: string }
  | {
      readonly type: 'object';
      readonly properties: Readonly<Record<string, JsonSchema>>;
      readonly required: readonly string[];
      readonly additionalProperties: false;
      readonly description?: string;
    };

/** The TypeScript type a schema literal describes. */
export type FromJsonSchema<S> = S extends { readonly type: 'string'; readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly type: 'string' }
    ? string
    : S extends { readonly type: 'number' | 'integer' }
      ? number
      : S extends { readonly type: 'boolean' }
        ? boolean
        : S extends { readonly type: 'array'; readonly items: infer I }
          ? FromJsonSchema<I>[]
          : S extends { readonly type: 'object'; readonly properties: infer P }
            ? { -readonly [K in keyof P]: FromJsonSchema<P[K]> }
            : never;

const MAX_PROBLEMS = 20;

/**
 * Problems found in `value`, each naming its JSON path; empty when it conforms. Properties the
 * schema does not name are ignored (and dropped by {@link pick}): models in json_object mode add
 * them now and then, and they do no harm.
 */
export function validateJson(schema: JsonSchema, value: unknown, path = '$'): string[] {
  const problems: string[] = [];
  walk(schema, value, path, problems);
  return problems.slice(0, MAX_PROBLEMS);
}

function walk(schema: JsonSchema, value: unknown, path: string, problems: string[]): void {
  if (problems.length >= MAX_PROBLEMS) return;
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${describe(value)}`);
      else if (schema.enum !== undefined && !schema.enum.includes(value)) {
        problems.push(
          `${path}: expected one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`,
        );
      }
      return;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value))
        problems.push(`${path}: expected a number, got ${describe(value)}`);
      else if (schema.type === 'integer' && !Number.isInteger(value))
        problems.push(`${path}: expected an integer, got ${value}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean, got ${describe(value)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) {
        problems.push(`${path}: expected an array, got ${describe(value)}`);
        return;
      }
      value.forEach((item, index) => walk(schema.items, item, `${path}[${index}]`, problems));
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${path}: expected an object, got ${describe(value)}`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of schema.required) {
        if (!(key in record)) problems.push(`${path}.${key}: missing`);
      }
      for (const [key, child] of Object.entries(schema.properties)) {
        if (key in record) walk(child, record[key], `${path}.${key}`, problems);
      }
      return;
    }
  }
}

/** A copy of a validated value holding only the properties its schema names. */
export function pick<S extends JsonSchema>(schema: S, value: unknown): FromJsonSchema<S> {
  return pickAny(schema, value) as FromJsonSchema<S>;
}

function pickAny(schema: JsonSchema, value: unknown): unknown {
  if (schema.type === 'array' && Array.isArray(value))
    return value.map((item) => pickAny(schema.items, item));
  if (schema.type === 'object' && typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(schema.properties).map((key) => [key, pickAny(schema.properties[key]!, record[key])]),
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value;
}

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: string[] };

/**
 * Parses a model reply as JSON and validates it. Tolerates what models wrap around JSON when
 * they are not held to a schema by the server: Markdown code fences and prose around the object.
 */
export function parseJsonReply<S extends JsonSchema>(
  schema: S,
  text: string,
): ParseResult<FromJsonSchema<S>> {
  const body = extractJsonObject(text);
  if (body === undefined) return { ok: false, problems: ['the reply contains no JSON object'] };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return {
      ok: false,
      problems: [`the reply is not valid JSON (${error instanceof Error ? error.message : String(error)})`],
    };
  }
  const problems = validateJson(schema, value);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: pick(schema, value) };
}

function extractJsonObject(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return trimmed;
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fenced?.[1] !== undefined && fenced[1].trim().startsWith('{')) return fenced[1].trim();
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  return start >= 0 && end > start ? trimmed.slice(start, end + 1) : undefined;
}

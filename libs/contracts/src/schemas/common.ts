/**
 * Named types shared by several events. Avro forbids defining one name twice inside one
 * schema, so each event embeds each of these at most once.
 *
 * Do not edit a field in place once released: add optional fields with defaults (backward
 * compatible), or publish a new major topic for a breaking change.
 */
const NAMESPACE = 'dev.tributary.v1';

export const TIMESTAMP = { type: 'long', logicalType: 'timestamp-millis' } as const;

export const PRIORITY = {
  type: 'enum',
  name: 'Priority',
  namespace: NAMESPACE,
  symbols: ['high', 'normal', 'low'],
  default: 'normal',
} as const;

export const CONSTRAINTS = {
  type: 'record',
  name: 'Constraints',
  namespace: NAMESPACE,
  doc: 'Hard limits a recommendation must honour.',
  fields: [
    {
      name: 'categories',
      type: { type: 'array', items: 'string' },
      default: [],
      doc: 'Allowed categories; empty means any.',
    },
    { name: 'minPrice', type: ['null', 'double'], default: null },
    { name: 'maxPrice', type: ['null', 'double'], default: null },
    { name: 'excludeItemIds', type: { type: 'array', items: 'string' }, default: [] },
    { name: 'excludeTags', type: { type: 'array', items: 'string' }, default: [] },
  ],
} as const;

export const TASK_REQUEST = {
  type: 'record',
  name: 'TaskRequest',
  namespace: NAMESPACE,
  doc: 'What the client asked for, carried on every internal event so each agent works from the event alone.',
  fields: [
    { name: 'userId', type: 'string' },
    { name: 'query', type: 'string', doc: 'The request in words.' },
    { name: 'constraints', type: CONSTRAINTS },
    { name: 'maxResults', type: 'int' },
    { name: 'priority', type: PRIORITY, default: 'normal' },
    {
      name: 'deadlineAt',
      type: ['null', TIMESTAMP],
      default: null,
      doc: 'When the task must have ended; past it, it fails with deadline-exceeded. Null on events from before deadlines.',
    },
  ],
} as const;

export const PLAN = {
  type: 'record',
  name: 'Plan',
  namespace: NAMESPACE,
  fields: [
    { name: 'summary', type: 'string' },
    {
      name: 'steps',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'PlanStep',
          namespace: NAMESPACE,
          fields: [
            { name: 'id', type: 'string' },
            { name: 'query', type: 'string', doc: 'Search terms for the catalogue.' },
            { name: 'categories', type: { type: 'array', items: 'string' }, default: [] },
            { name: 'rationale', type: 'string' },
            {
              name: 'intent',
              type: ['null', 'string'],
              default: null,
              doc: 'Id of the intent (in `intents`) this step searches for; null for a step that only personalises.',
            },
          ],
        },
      },
    },
    {
      name: 'provider',
      type: 'string',
      doc: 'Which LLM produced the plan, e.g. "offline" or "openai:gpt-4o-mini".',
    },
    {
      name: 'intents',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'PlanIntent',
          namespace: NAMESPACE,
          doc: 'One thing the request asks for ("a fantasy novel" in "a co-op video game and a fantasy novel").',
          fields: [
            { name: 'id', type: 'string' },
            { name: 'text', type: 'string', doc: 'The words of the request that state it.' },
            {
              name: 'categories',
              type: { type: 'array', items: 'string' },
              default: [],
              doc: 'Categories it implies; empty when its words name none.',
            },
            {
              name: 'tags',
              type: { type: 'array', items: 'string' },
              default: [],
              doc: 'Catalogue tags its words imply.',
            },
          ],
        },
      },
      default: [],
      doc: 'What the request asks for, one entry per intent; empty when the planner did not split it.',
    },
  ],
} as const;

export const RECOMMENDATION = {
  type: 'record',
  name: 'Recommendation',
  namespace: NAMESPACE,
  fields: [
    { name: 'itemId', type: 'string' },
    { name: 'title', type: 'string' },
    { name: 'category', type: 'string' },
    { name: 'price', type: 'double' },
    { name: 'currency', type: 'string' },
    { name: 'reason', type: 'string' },
    { name: 'score', type: 'double' },
    {
      name: 'evidence',
      type: { type: 'array', items: 'string' },
      doc: 'Catalogue item ids and matched terms that support the reason.',
    },
  ],
} as const;

export const DRAFT = {
  type: 'record',
  name: 'Draft',
  namespace: NAMESPACE,
  fields: [
    { name: 'summary', type: 'string' },
    { name: 'recommendations', type: { type: 'array', items: RECOMMENDATION } },
    { name: 'provider', type: 'string' },
  ],
} as const;

import { type JsonSchema } from '../json-schema';

/**
 * Reply shapes asked of the model. Strict-mode compatible: every property required, no extras.
 * Step ids, titles, prices and evidence are not asked for; the adapter adds them from facts.
 */
const PLAN_INTENT = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'A short id such as "intent-1", unique in the plan.' },
    text: { type: 'string', description: 'The words of the request that ask for this one thing.' },
    categories: {
      type: 'array',
      items: { type: 'string' },
      description: 'Catalogue categories where this thing is found; empty when it could be in any.',
    },
    tags: {
      type: 'array',
      items: { type: 'string' },
      description: 'Catalogue-style tags it implies, lowercase with dashes ("sci-fi"); empty when none.',
    },
  },
  required: ['id', 'text', 'categories', 'tags'],
  additionalProperties: false,
} as const satisfies JsonSchema;

const PLAN_STEP = {
  type: 'object',
  properties: {
    query: { type: 'string', description: 'A few search keywords, not a sentence.' },
    categories: {
      type: 'array',
      items: { type: 'string' },
      description: 'Catalogue categories to search; empty means any.',
    },
    intent: {
      type: 'string',
      description: 'The id of the intent this step searches for; "" for a step that only personalises.',
    },
    rationale: { type: 'string', description: 'One sentence: why this search helps this user.' },
  },
  required: ['query', 'categories', 'intent', 'rationale'],
  additionalProperties: false,
} as const satisfies JsonSchema;

/** Sent to the server: the intents of the request, and steps that each name the intent they serve. */
export const PLAN_REPLY = {
  type: 'object',
  properties: {
    summary: { type: 'string', description: 'One sentence: what the plan searches for and why.' },
    intents: {
      type: 'array',
      description: 'One per thing the request asks for ("X and Y" is two), in the order it names them.',
      items: PLAN_INTENT,
    },
    steps: {
      type: 'array',
      description: 'One to four catalogue searches, at least one per intent, most important first.',
      items: PLAN_STEP,
    },
  },
  required: ['summary', 'intents', 'steps'],
  additionalProperties: false,
} as const satisfies JsonSchema;

/**
 * Validates plan replies: a server that does not enforce the schema may get a reply without
 * intents, or steps without one, which the adapter completes from the request rather than
 * spending a repair round on.
 */
export const PLAN_REPLY_ACCEPTED = {
  ...PLAN_REPLY,
  properties: {
    ...PLAN_REPLY.properties,
    steps: {
      ...PLAN_REPLY.properties.steps,
      items: { ...PLAN_STEP, required: ['query', 'categories', 'rationale'] },
    },
  },
  required: ['summary', 'steps'],
} as const satisfies JsonSchema;

/** Validates draft replies; unknown ids are reported by the draft shaping, with a clearer message. */
export const DRAFT_REPLY = {
  type: 'object',
  properties: {
    summary: { type: 'string', description: 'One or two sentences about the selection as a whole.' },
    recommendations: {
      type: 'array',
      description: 'Best first.',
      items: {
        type: 'object',
        properties: {
          itemId: { type: 'string', description: 'An itemId from the candidate list.' },
          reason: {
            type: 'string',
            description: 'One or two sentences on why this item suits this user and request.',
          },
        },
        required: ['itemId', 'reason'],
        additionalProperties: false,
      },
    },
  },
  required: ['summary', 'recommendations'],
  additionalProperties: false,
} as const satisfies JsonSchema;

/** Sent to the server: the candidate ids as an enum, so a constrained decoder cannot name others. */
export function draftReplyFor(candidateIds: readonly string[]): JsonSchema {
  const list = DRAFT_REPLY.properties.recommendations;
  const itemId = { ...list.items.properties.itemId, enum: candidateIds };
  return {
    ...DRAFT_REPLY,
    properties: {
      ...DRAFT_REPLY.properties,
      recommendations: {
        ...list,
        items: { ...list.items, properties: { ...list.items.properties, itemId } },
      },
    },
  };
}

export const REVIEW_REPLY = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['approved', 'revise'] },
    critique: {
      type: 'string',
      description: 'To the drafter: what to change, naming item ids; or why it is good.',
    },
    issues: {
      type: 'array',
      items: { type: 'string' },
      description: 'One short entry per problem; empty when none.',
    },
    score: { type: 'number', description: 'Overall quality from 0 to 1.' },
  },
  required: ['verdict', 'critique', 'issues', 'score'],
  additionalProperties: false,
} as const satisfies JsonSchema;

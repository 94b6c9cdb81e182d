import { type JsonSchema } from '../json-schema';

/**
 * Reply shapes asked of the model. Strict-mode compatible: every property required, no extras.
 * Step ids, titles, prices and evidence are not asked for; the adapter adds them from facts.
 */
export const PLAN_REPLY = {
  type: 'object',
  properties: {
    summary: { type: 'string', description: 'One sentence: what the plan searches for and why.' },
    steps: {
      type: 'array',
      description: 'One to four catalogue searches, most important first.',
      items: {
        type: 'object',
        properties: {
          query: { type: 'string', description: 'A few search keywords, not a sentence.' },
          categories: {
            type: 'array',
            items: { type: 'string' },
            description: 'Catalogue categories to search; empty means any.',
          },
          rationale: { type: 'string', description: 'One sentence: why this search helps this user.' },
        },
        required: ['query', 'categories', 'rationale'],
        additionalProperties: false,
      },
    },
  },
  required: ['summary', 'steps'],
  additionalProperties: false,
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

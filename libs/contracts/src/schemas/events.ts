import { DRAFT, PLAN, RECOMMENDATION, TASK_REQUEST, TIMESTAMP } from './common';

const NAMESPACE = 'dev.tributary.v1';

export const TASK_REQUESTED = {
  type: 'record',
  name: 'TaskRequested',
  namespace: NAMESPACE,
  doc: 'A client submitted a task through the gateway.',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'request', type: TASK_REQUEST },
    { name: 'callbackUrl', type: ['null', 'string'], default: null },
    { name: 'requestedAt', type: TIMESTAMP },
  ],
} as const;

export const TASK_PLANNED = {
  type: 'record',
  name: 'TaskPlanned',
  namespace: NAMESPACE,
  doc: 'The planner turned the request and the user profile into research steps.',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'request', type: TASK_REQUEST },
    { name: 'plan', type: PLAN },
  ],
} as const;

export const RESEARCH_COMPLETED = {
  type: 'record',
  name: 'ResearchCompleted',
  namespace: NAMESPACE,
  doc: 'The research agent drafted recommendations for one review round.',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'request', type: TASK_REQUEST },
    { name: 'plan', type: PLAN },
    { name: 'round', type: 'int', doc: 'Starts at 1; a revision increments it.' },
    { name: 'draft', type: DRAFT },
  ],
} as const;

export const REVIEW_COMPLETED = {
  type: 'record',
  name: 'ReviewCompleted',
  namespace: NAMESPACE,
  doc: 'The reviewer judged a draft: approved, or sent back for revision with a critique.',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'request', type: TASK_REQUEST },
    { name: 'plan', type: PLAN },
    { name: 'round', type: 'int' },
    {
      name: 'verdict',
      type: { type: 'enum', name: 'ReviewVerdict', namespace: NAMESPACE, symbols: ['approved', 'revise'] },
    },
    { name: 'critique', type: 'string' },
    { name: 'issues', type: { type: 'array', items: 'string' }, doc: 'One entry per problem found.' },
    { name: 'score', type: 'double', doc: 'Overall quality in [0, 1].' },
    { name: 'draft', type: DRAFT, doc: 'The draft that was reviewed.' },
    {
      name: 'findings',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'ReviewFinding',
          namespace: NAMESPACE,
          doc: 'A rule check that fired, for the reviser to act on.',
          fields: [
            {
              name: 'kind',
              type: 'string',
              doc: 'constraint-violation, over-budget, disliked-tag, duplicate, missing-evidence, low-diversity, missed-intent or too-few-results.',
            },
            { name: 'message', type: 'string' },
            { name: 'itemIds', type: { type: 'array', items: 'string' }, default: [] },
            {
              name: 'intent',
              type: ['null', 'string'],
              default: null,
              doc: 'The plan intent a missed-intent finding is about.',
            },
          ],
        },
      },
      default: [],
      doc: 'The rule checks behind the issues, structured.',
    },
  ],
} as const;

export const RECOMMENDATION_READY = {
  type: 'record',
  name: 'RecommendationReady',
  namespace: NAMESPACE,
  doc: 'Public: reviewed recommendations for a user are ready. Other services subscribe to this.',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'query', type: 'string' },
    { name: 'recommendations', type: { type: 'array', items: RECOMMENDATION } },
    { name: 'summary', type: 'string' },
    { name: 'rounds', type: 'int', doc: 'How many drafts the reviewer saw.' },
    {
      name: 'bestEffort',
      type: 'boolean',
      doc: 'True when the review-round limit was reached and the best draft was approved with a flag.',
    },
    {
      name: 'provider',
      type: 'string',
      doc: 'The LLM provider that drafted it ("offline" when none is configured).',
    },
    { name: 'completedAt', type: TIMESTAMP },
  ],
} as const;

export const TASK_FAILED = {
  type: 'record',
  name: 'TaskFailed',
  namespace: NAMESPACE,
  doc: 'A task ended without a result.',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'stage', type: 'string', doc: 'planning, researching or reviewing.' },
    {
      name: 'reason',
      type: 'string',
      doc: 'One sentence for the client, written by Tributary; never an error message or stack text (those go to logs).',
    },
    { name: 'failedAt', type: TIMESTAMP },
    {
      name: 'code',
      type: ['null', 'string'],
      default: null,
      doc: 'Why, as a stable code a client can branch on (TASK_FAILURE_CODES, e.g. deadline-exceeded); null on events from before codes.',
    },
  ],
} as const;

export const TASK_CANCEL_REQUESTED = {
  type: 'record',
  name: 'TaskCancelRequested',
  namespace: NAMESPACE,
  doc: 'A client asked to stop a task; agents abort work on it and the task ends cancelled.',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'reason', type: ['null', 'string'], default: null },
    { name: 'requestedAt', type: TIMESTAMP },
  ],
} as const;

export const TASK_PROGRESS = {
  type: 'record',
  name: 'TaskProgress',
  namespace: NAMESPACE,
  doc: 'A step of work inside an agent, for live progress. Token deltas come from streamed LLM output.',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'stage', type: 'string', doc: 'planning, researching, drafting or reviewing.' },
    { name: 'message', type: 'string' },
    { name: 'tokenDelta', type: ['null', 'string'], default: null },
    { name: 'at', type: TIMESTAMP },
  ],
} as const;

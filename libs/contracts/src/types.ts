import { type InferAvro } from './avro';
import {
  type CONSTRAINTS,
  type DRAFT,
  type PLAN,
  type RECOMMENDATION,
  type TASK_REQUEST,
} from './schemas/common';
import { type EventValue, type Topics } from './topics';

/** Domain shapes read off the schemas, for code that handles parts of events. */
export type TaskRequest = InferAvro<typeof TASK_REQUEST>;
export type Constraints = InferAvro<typeof CONSTRAINTS>;
export type Plan = InferAvro<typeof PLAN>;
export type PlanStep = Plan['steps'][number];
export type PlanIntent = Plan['intents'][number];
export type Draft = InferAvro<typeof DRAFT>;
export type Recommendation = InferAvro<typeof RECOMMENDATION>;
export type Priority = TaskRequest['priority'];

export type TaskRequested = EventValue<Topics['taskRequested']>;
export type TaskPlanned = EventValue<Topics['taskPlanned']>;
export type ResearchCompleted = EventValue<Topics['researchCompleted']>;
export type ReviewCompleted = EventValue<Topics['reviewCompleted']>;
export type RecommendationReady = EventValue<Topics['recommendationReady']>;
export type TaskFailed = EventValue<Topics['taskFailed']>;
export type TaskCancelRequested = EventValue<Topics['taskCancelRequested']>;
export type TaskProgress = EventValue<Topics['taskProgress']>;
export type ReviewFinding = ReviewCompleted['findings'][number];

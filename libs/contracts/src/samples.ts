import taskRequestedV1 from '../samples/tributary.internal.task.requested.v1/v1.json';
import taskRequestedV2 from '../samples/tributary.internal.task.requested.v1/v2.json';
import taskPlannedV1 from '../samples/tributary.internal.task.planned.v1/v1.json';
import taskPlannedV2 from '../samples/tributary.internal.task.planned.v1/v2.json';
import taskPlannedV3 from '../samples/tributary.internal.task.planned.v1/v3.json';
import researchCompletedV1 from '../samples/tributary.internal.research.completed.v1/v1.json';
import researchCompletedV2 from '../samples/tributary.internal.research.completed.v1/v2.json';
import researchCompletedV3 from '../samples/tributary.internal.research.completed.v1/v3.json';
import reviewCompletedV1 from '../samples/tributary.internal.review.completed.v1/v1.json';
import reviewCompletedV2 from '../samples/tributary.internal.review.completed.v1/v2.json';
import reviewCompletedV3 from '../samples/tributary.internal.review.completed.v1/v3.json';
import recommendationReadyV1 from '../samples/tributary.external.recommendation.ready.v1/v1.json';
import taskFailedV1 from '../samples/tributary.internal.task.failed.v1/v1.json';
import taskFailedV2 from '../samples/tributary.internal.task.failed.v1/v2.json';
import taskCancelRequestedV1 from '../samples/tributary.internal.task.cancel-requested.v1/v1.json';
import taskProgressV1 from '../samples/tributary.internal.task.progress.v1/v1.json';
import { TOPICS, type TopicDefinition } from './topics';

/**
 * One stored sample message per released schema version of each topic (`samples/<topic>/v<n>.json`).
 * Add the new file here when a schema gains a version; the contract tests check every sample.
 */
const SAMPLES: Record<string, Record<number, unknown>> = {
  [TOPICS.taskRequested.name]: { 1: taskRequestedV1, 2: taskRequestedV2 },
  [TOPICS.taskPlanned.name]: { 1: taskPlannedV1, 2: taskPlannedV2, 3: taskPlannedV3 },
  [TOPICS.researchCompleted.name]: { 1: researchCompletedV1, 2: researchCompletedV2, 3: researchCompletedV3 },
  [TOPICS.reviewCompleted.name]: { 1: reviewCompletedV1, 2: reviewCompletedV2, 3: reviewCompletedV3 },
  [TOPICS.recommendationReady.name]: { 1: recommendationReadyV1 },
  [TOPICS.taskFailed.name]: { 1: taskFailedV1, 2: taskFailedV2 },
  [TOPICS.taskCancelRequested.name]: { 1: taskCancelRequestedV1 },
  [TOPICS.taskProgress.name]: { 1: taskProgressV1 },
};

export function readSample(topic: TopicDefinition, version: number = topic.schemaVersion): unknown {
  const sample = SAMPLES[topic.name]?.[version];
  if (sample === undefined) throw new Error(`no sample for ${topic.name} v${version}`);
  return sample;
}

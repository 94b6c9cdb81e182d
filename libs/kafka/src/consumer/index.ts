export { type ConsumerMetrics, type PartitionMetrics } from './metrics';
export { ParallelConsumer, type ParallelConsumerOptions } from './parallel-consumer';
export { type FailurePolicy, type FailurePolicySettings } from './failure-policy';

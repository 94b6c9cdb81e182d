export {
  type ConsumerMetrics,
  ParallelConsumer,
  type ParallelConsumerOptions,
  type PartitionMetrics,
} from './parallel-consumer';

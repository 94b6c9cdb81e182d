export * from './avro';
export * from './causal-position';
export * from './envelope';
export * from './failure-headers';
export * from './topics';
export * as schemas from './schemas/events';
export type * from './types';
export * from './asyncapi';
export * from './samples';

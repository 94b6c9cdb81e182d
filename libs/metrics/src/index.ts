export * from './endpoint';
export * from './http';
export * from './kafka';
export * from './labels';
export * from './llm';
export * from './registry';
export * from './tasks';
export * from './webhooks';

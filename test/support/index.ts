export * from './env';
export * from './kafka';
export * from './spawn';
export * from './wait';
export * from './llm-simulator';
export * from './groups';
export * from './services';
export * from './causal-order';

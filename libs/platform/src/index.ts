export * from './backoff';
export * from './checks';
export * from './errors';
export * from './health';
export * from './logger';
export * from './mongo';
export * from './stable-json';
export * from './store-deadline';

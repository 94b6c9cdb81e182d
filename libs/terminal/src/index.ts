export * from './errors';
export * from './exit-codes';
export * from './logger';
export * from './progress';

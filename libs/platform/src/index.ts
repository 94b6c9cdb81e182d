export * from './health';
export * from './logger';
export * from './mongo';
export * from './checks';

export * from './config';
export * from './env';
export * from './kafka';
export * from './secret';
export * from './tracing';

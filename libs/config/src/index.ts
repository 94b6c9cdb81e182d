export * from './config';
export * from './env';
export * from './kafka';
export * from './replay';
export * from './secret';
export * from './tracing';

export * from './agent-kit.module';
export * from './agent-step';
export * from './bootstrap';
export * from './call-journal';
export * from './cancellation';
export * from './profile';
export * from './progress';
export * from './constraints';

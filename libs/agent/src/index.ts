export * from './call-journal';
export * from './cancellation';

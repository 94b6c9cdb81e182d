/** The TaskEventSource streams read (KafkaTaskEvents; tests may provide another). */
export const TASK_EVENT_SOURCE = Symbol('TASK_EVENT_SOURCE');

/**
 * Attribute names of the OpenTelemetry semantic conventions that are still incubating (messaging,
 * GenAI), copied here as the conventions' authors advise rather than imported from their unstable
 * entry point, and Tributary's own attributes (`tributary.*`). docs/observability.md lists each span
 * with its attributes.
 */
export const MESSAGING = {
  system: 'messaging.system',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  destinationName: 'messaging.destination.name',
  partitionId: 'messaging.destination.partition.id',
  consumerGroup: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  kafkaKey: 'messaging.kafka.message.key',
  kafkaOffset: 'messaging.kafka.offset',
  batchCount: 'messaging.batch.message_count',
} as const;

export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  agentName: 'gen_ai.agent.name',
} as const;

/** Tributary's own attributes. */
export const TRIBUTARY = {
  taskId: 'tributary.task.id',
  tenantId: 'tributary.tenant.id',
  eventType: 'tributary.event.type',
  /** The delivery attempt of a consumed event: 1, then 2, 3… through the retry topic. */
  attempt: 'tributary.delivery.attempt',
  /** False when this group may have been handed the event before (a redelivery after a crash or rebalance, a retry, a redrive). */
  firstDelivery: 'tributary.delivery.first',
  /** Where a retry copy was read from: `<retry topic>/<partition>/<offset>`. */
  via: 'tributary.delivery.via',
  /** A redriven dead letter: `<dead-letter topic>/<partition>/<offset>` it was copied from. */
  redrivenFrom: 'tributary.delivery.redriven_from',
  /** What became of a consumed event: handled, retry, dead-letter, deferred, held, abandoned. */
  outcome: 'tributary.delivery.outcome',
  stage: 'tributary.stage',
  /** How a stage left its task: completed, retry, failed, cancelled, skipped-cancelled, skipped-past-deadline. */
  stageOutcome: 'tributary.stage.outcome',
  /** The code of the task.failed event a step or the gateway emitted (deadline-exceeded, …). */
  failureCode: 'tributary.task.failure_code',
  /** The task's status after an event was applied to the read model (cancelled, failed, completed, …). */
  taskStatus: 'tributary.task.status',
  /** True on spans of a task that was cancelled. */
  cancelled: 'tributary.task.cancelled',
  /** plan, draft, review. */
  llmOperation: 'tributary.llm.operation',
  /** True when the call was answered from the call journal (no model was asked). */
  llmJournalHit: 'tributary.llm.journal_hit',
  /** True when the call shared the answer of an identical call in flight. */
  llmShared: 'tributary.llm.shared',
  /** Model requests one LLM call made (retries and a repair round included). */
  llmRequests: 'tributary.llm.requests',
  webhookAttempt: 'tributary.webhook.attempt',
  webhookOutcome: 'tributary.webhook.outcome',
  projectionOutcome: 'tributary.projection.outcome',
} as const;

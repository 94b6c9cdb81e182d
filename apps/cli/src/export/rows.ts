import { type Envelope, formatPosition } from '@tributary/contracts';

/**
 * One exported record: where it sits in Kafka, its envelope headers as columns, its decoded value.
 * The columns are the export's contract with analysts' queries (docs/analysts.md): add, never rename.
 */
export interface ExportRow {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The broker's record timestamp (epoch ms). */
  readonly timestamp: number;
  readonly key: string | null;
  readonly event_id: string | null;
  /** The topic it was first written to (the eventType header). */
  readonly event_type: string | null;
  /** The catalogue's short name of the topic read, whatever the namespace: `task.requested`. */
  readonly event_kind: string;
  /** The task id. */
  readonly correlation_id: string | null;
  readonly causation_id: string | null;
  readonly tenant_id: string | null;
  readonly producer: string | null;
  /** When the producer says the event happened (epoch ms). */
  readonly occurred_at: number | null;
  readonly schema_version: number | null;
  readonly priority: string | null;
  /** `depth.index` in the task's causal order. */
  readonly position: string | null;
  /** W3C trace context, and the trace id out of it. */
  readonly traceparent: string | null;
  readonly trace_id: string | null;
  /** The value decoded with the topic's schema (null when it could not be). */
  readonly value: unknown;
  /** Why the record could not be decoded (null when it could). */
  readonly decode_error: string | null;
}

export type ColumnType = 'string' | 'int32' | 'int64' | 'timestamp' | 'json';

/** Every column, in output order, with its type (Parquet and DuckDB types follow from it). */
export const COLUMNS: readonly { readonly name: keyof ExportRow; readonly type: ColumnType }[] = [
  { name: 'topic', type: 'string' },
  { name: 'partition', type: 'int32' },
  { name: 'offset', type: 'int64' },
  { name: 'timestamp', type: 'timestamp' },
  { name: 'key', type: 'string' },
  { name: 'event_id', type: 'string' },
  { name: 'event_kind', type: 'string' },
  { name: 'event_type', type: 'string' },
  { name: 'correlation_id', type: 'string' },
  { name: 'causation_id', type: 'string' },
  { name: 'tenant_id', type: 'string' },
  { name: 'producer', type: 'string' },
  { name: 'occurred_at', type: 'timestamp' },
  { name: 'schema_version', type: 'int32' },
  { name: 'priority', type: 'string' },
  { name: 'position', type: 'string' },
  { name: 'traceparent', type: 'string' },
  { name: 'trace_id', type: 'string' },
  { name: 'value', type: 'json' },
  { name: 'decode_error', type: 'string' },
];

export interface RecordParts {
  readonly topic: string;
  readonly kind: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly key: string | null;
  readonly envelope: Envelope | undefined;
}

export function toRow(
  record: RecordParts,
  decoded: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string },
): ExportRow {
  const envelope = record.envelope;
  const occurredAt = envelope ? Date.parse(envelope.occurredAt) : NaN;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    key: record.key,
    event_id: envelope?.eventId ?? null,
    event_kind: record.kind,
    event_type: envelope?.eventType ?? null,
    correlation_id: envelope?.correlationId ?? null,
    causation_id: envelope?.causationId ?? null,
    tenant_id: envelope?.tenantId ?? null,
    producer: envelope?.producer ?? null,
    occurred_at: Number.isNaN(occurredAt) ? null : occurredAt,
    schema_version: envelope?.schemaVersion ?? null,
    priority: envelope?.priority ?? null,
    position: envelope?.position ? formatPosition(envelope.position) : null,
    traceparent: envelope?.traceparent ?? null,
    trace_id: envelope?.traceparent.split('-')[1] ?? null,
    value: decoded.ok ? decoded.value : null,
    decode_error: decoded.ok ? null : decoded.reason,
  };
}

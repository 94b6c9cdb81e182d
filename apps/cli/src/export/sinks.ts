import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { type Writable } from 'node:stream';
import { type ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { COLUMNS, type ColumnType, type ExportRow } from './rows';

export const EXPORT_FORMATS = ['jsonl', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where exported rows go. `write` returns a promise only when the caller must wait (back-pressure). */
export interface RowSink {
  write(row: ExportRow): Promise<void> | undefined;
  /** Writes what is buffered and closes the output. */
  close(): Promise<void>;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Lines of text to a stream, waiting for it to drain when its buffer is full. */
abstract class TextSink implements RowSink {
  constructor(
    private readonly out: Writable,
    private readonly owned: boolean,
  ) {}

  protected abstract line(row: ExportRow): string;

  protected start(text: string): void {
    this.out.write(text);
  }

  write(row: ExportRow): Promise<void> | undefined {
    return this.out.write(this.line(row)) ? undefined : once(this.out, 'drain').then(() => undefined);
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    this.out.end();
    await once(this.out, 'finish');
  }
}

/** One JSON object per line; the value nested, instants as ISO-8601. */
export class JsonlSink extends TextSink {
  protected line(row: ExportRow): string {
    return `${JSON.stringify({ ...row, timestamp: iso(row.timestamp), occurred_at: iso(row.occurred_at) })}\n`;
  }
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line, then one line per record; the value as JSON text, instants as ISO-8601, null as empty. */
export class CsvSink extends TextSink {
  constructor(out: Writable, owned: boolean) {
    super(out, owned);
    this.start(`${COLUMNS.map((c) => c.name).join(',')}\r\n`);
  }

  protected line(row: ExportRow): string {
    return `${COLUMNS.map(({ name, type }) => {
      const value = row[name];
      if (type === 'timestamp') return csvField(iso(value as number | null));
      if (type === 'json') return csvField(value === null ? null : JSON.stringify(value));
      return csvField(value as string | number | null);
    }).join(',')}\r\n`;
  }
}

const PARQUET_TYPES: Record<ColumnType, Omit<SchemaElement, 'name'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
  // JSON text as a UTF-8 string column (VARCHAR in DuckDB, str in pandas; `value->>'$.field'` works).
  // Not converted_type JSON: hyparquet-writer would then hold every value as an object and stringify
  // it at the end of the row group, where the sink hands it over as bytes at once.
  json: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
};

const REQUIRED = new Set<string>(['topic', 'partition', 'offset', 'timestamp', 'event_kind']);

/**
 * Parquet through hyparquet-writer, one row group at a time: rows are held only until a row group
 * is full (`rowGroupRows` rows, or `rowGroupBytes` of text, whichever comes first), then encoded
 * and written to the file, so memory stays the same however many rows are exported.
 */
export class ParquetSink implements RowSink {
  private columns: unknown[][] = COLUMNS.map(() => []);
  private rows = 0;
  private bytes = 0;

  private constructor(
    private readonly writer: ParquetWriter,
    private readonly rowGroupRows: number,
    private readonly rowGroupBytes: number,
  ) {}

  static async create(
    file: string,
    options: { readonly rowGroupRows: number; readonly rowGroupBytes?: number },
  ): Promise<ParquetSink> {
    const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
    const schema: SchemaElement[] = [
      { name: 'root', num_children: COLUMNS.length },
      ...COLUMNS.map(({ name, type }) => ({
        name,
        ...PARQUET_TYPES[type],
        repetition_type: REQUIRED.has(name) ? ('REQUIRED' as const) : ('OPTIONAL' as const),
      })),
    ];
    const writer = new ParquetWriter({
      writer: fileWriter(file),
      schema,
      createdBy: 'tributary events export',
    });
    return new ParquetSink(writer, options.rowGroupRows, options.rowGroupBytes ?? 2 * 1024 * 1024);
  }

  write(row: ExportRow): Promise<void> | undefined {
    COLUMNS.forEach(({ name, type }, i) => {
      const value = row[name];
      let cell: unknown = value;
      if (value !== null && (type === 'int64' || type === 'timestamp')) cell = BigInt(value as number);
      else if (value !== null && type === 'json') {
        // Held as text until the row group is written: a compact string, not the decoded object.
        cell = JSON.stringify(value);
      }
      // Every text column counts: the writer turns each value into bytes of its own at the end.
      if (typeof cell === 'string') this.bytes += cell.length;
      this.columns[i]!.push(cell);
    });
    this.rows += 1;
    if (this.rows >= this.rowGroupRows || this.bytes >= this.rowGroupBytes) return this.flush();
    return undefined;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writer.finish();
  }

  private async flush(): Promise<void> {
    if (this.rows === 0) return;
    const columnData = COLUMNS.map(({ name, type }, i) => ({
      name,
      data: this.columns[i]!,
      // Min and max of JSON documents say nothing; a dictionary of them would hold them all twice.
      ...(type === 'json' ? { statistics: false, encoding: 'PLAIN' as const } : {}),
    }));
    const rows = this.rows;
    this.columns = COLUMNS.map(() => []);
    this.rows = 0;
    this.bytes = 0;
    await this.writer.write({ columnData: columnData, rowGroupSize: rows });
  }
}

/** A sink for `format`, writing to `file` (or stdout for the text formats when no file is given). */
export async function openSink(
  format: ExportFormat,
  file: string | undefined,
  stdout: Writable,
  options: { readonly rowGroupRows: number },
): Promise<RowSink> {
  switch (format) {
    case 'jsonl':
      return file === undefined ? new JsonlSink(stdout, false) : new JsonlSink(createWriteStream(file), true);
    case 'csv':
      return file === undefined ? new CsvSink(stdout, false) : new CsvSink(createWriteStream(file), true);
    case 'parquet':
      if (file === undefined) throw new Error('Parquet needs a file (--output)');
      return ParquetSink.create(file, options);
  }
}

/** Every row to several sinks (an output file and the Parquet file DuckDB loads). */
export class TeeSink implements RowSink {
  constructor(private readonly sinks: readonly RowSink[]) {}

  write(row: ExportRow): Promise<void> | undefined {
    const waits = this.sinks.map((sink) => sink.write(row)).filter((wait) => wait !== undefined);
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}

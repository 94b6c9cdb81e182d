import { UsageError } from '@tributary/terminal';

/** A table name DuckDB takes unquoted: what `--table` accepts. */
export function tableName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
    throw new UsageError(`--table must be a plain identifier (letters, digits, underscores), got "${name}"`);
  return name;
}

/**
 * Loads a Parquet export into a DuckDB database file as `table` (replacing a table of that name), the
 * `value` column typed JSON, through DuckDB's own Node API; DuckDB reads the file a row group at a time.
 * Resolves with the rows the table holds.
 */
export async function loadIntoDuckDb(
  parquetFile: string,
  databaseFile: string,
  table: string,
): Promise<number> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(databaseFile);
  const connection = await instance.connect();
  try {
    await connection.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT * REPLACE (CAST(value AS JSON) AS value) FROM read_parquet(${quote(parquetFile)})`,
    );
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
    return Number(reader.getRowObjectsJS()[0]?.n ?? 0);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A SQL string literal. */
function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

import { InvalidArgumentError } from 'commander';

/** Commander parsers: a bad value is a usage error (exit 2) naming the option, before anything connects. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`a positive integer, got "${value}"`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`an integer ≥ 0, got "${value}"`);
  return n;
}

/** An ISO-8601 instant (`2025-01-31T12:00:00Z`, or a date, read as midnight UTC). */
export function instant(value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError(`an ISO-8601 instant, got "${value}"`);
  return at;
}

/** Collects a repeatable or comma-separated option into a list. */
export function list(value: string, previous: readonly string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  ];
}

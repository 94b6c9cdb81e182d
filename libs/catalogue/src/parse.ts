import { readFile } from 'node:fs/promises';
import { type AttributeValue, type Budget, type CatalogueItem, type UserProfile } from './types';

export interface DataIssue {
  /** 1-based line number in the source file. */
  readonly line: number;
  /** Starts with the offending field, e.g. "price must be a non-negative number". */
  readonly message: string;
}

/** Every problem found in one file, so a bad file is fixed in one pass rather than line by line. */
export class DataFormatError extends Error {
  override readonly name = 'DataFormatError';

  constructor(
    readonly source: string,
    readonly issues: readonly DataIssue[],
  ) {
    const lines = new Set(issues.map((issue) => issue.line)).size;
    const details = issues.map((issue) => `  ${source}:${issue.line}: ${issue.message}`);
    super([`${source}: ${issues.length} problem(s) on ${lines} line(s)`, ...details].join('\n'));
  }
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CURRENCY = /^[A-Z]{3}$/;
const ID = /^\S+$/;

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads typed fields from one parsed line, collecting a message per bad field instead of stopping at the first. */
class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly record: JsonRecord) {}

  text(field: string, options: { pattern?: RegExp; hint?: string; allowEmpty?: boolean } = {}): string {
    const value = this.record[field];
    if (value === undefined) return this.fail(`${field} is required`, '');
    const valid =
      typeof value === 'string' &&
      (options.allowEmpty === true || value.trim() !== '') &&
      (options.pattern === undefined || options.pattern.test(value));
    if (!valid) return this.fail(`${field} must be ${options.hint ?? 'a non-empty string'}`, '');
    return value;
  }

  number(
    field: string,
    range: { min: number; max?: number; hint: string },
    optional = false,
  ): number | undefined {
    const value = this.record[field];
    if (value === undefined) return optional ? undefined : this.fail(`${field} is required`, 0);
    const valid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= range.min &&
      (range.max === undefined || value <= range.max);
    return valid ? value : this.fail(`${field} must be ${range.hint}`, 0);
  }

  slugList(field: string, optional = false): string[] {
    const value = this.record[field];
    if (value === undefined) return optional ? [] : this.fail(`${field} is required`, []);
    if (!Array.isArray(value))
      return this.fail(`${field} must be an array of lowercase slugs like "sci-fi"`, []);
    const seen = new Set<string>();
    value.forEach((entry: unknown, i) => {
      if (typeof entry !== 'string' || !SLUG.test(entry)) {
        this.problems.push(`${field}[${i}] must be a lowercase slug like "sci-fi"`);
      } else if (seen.has(entry)) {
        this.problems.push(`${field}[${i}] repeats "${entry}"`);
      }
      if (typeof entry === 'string') seen.add(entry);
    });
    return value.filter((entry): entry is string => typeof entry === 'string');
  }

  idList(field: string): string[] {
    const value = this.record[field];
    if (value === undefined) return [];
    if (!Array.isArray(value)) return this.fail(`${field} must be an array of item ids`, []);
    value.forEach((entry: unknown, i) => {
      if (typeof entry !== 'string' || !ID.test(entry))
        this.problems.push(`${field}[${i}] must be an item id`);
    });
    return value.filter((entry): entry is string => typeof entry === 'string');
  }

  attributes(field: string): Record<string, AttributeValue> {
    const value = this.record[field];
    if (value === undefined) return {};
    if (!isRecord(value)) return this.fail(`${field} must be an object`, {});
    const result: Record<string, AttributeValue> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (
        typeof entry === 'string' ||
        typeof entry === 'boolean' ||
        (typeof entry === 'number' && Number.isFinite(entry))
      ) {
        result[key] = entry;
      } else {
        this.problems.push(`${field}.${key} must be a string, number or boolean`);
      }
    }
    return result;
  }

  weights(field: string): Record<string, number> {
    const value = this.record[field];
    if (value === undefined) return {};
    if (!isRecord(value)) return this.fail(`${field} must be an object mapping tags to weights`, {});
    const result: Record<string, number> = {};
    for (const [tag, weight] of Object.entries(value)) {
      if (!SLUG.test(tag)) this.problems.push(`${field} key "${tag}" must be a lowercase slug like "sci-fi"`);
      else if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1))
        this.problems.push(`${field}.${tag} must be a number from 0 to 1`);
      else result[tag] = weight;
    }
    return result;
  }

  budget(field: string): Budget | undefined {
    const value = this.record[field];
    if (value === undefined) return undefined;
    if (!isRecord(value))
      return this.fail(`${field} must be an object like {"max":80,"currency":"EUR"}`, undefined);
    const nested = new FieldReader(value);
    const max = nested.number('max', { min: 0, hint: 'a non-negative number' }) ?? 0;
    const currency = nested.text('currency', {
      pattern: CURRENCY,
      hint: 'a three-letter currency code like "EUR"',
    });
    this.problems.push(...nested.problems.map((problem) => `${field}.${problem}`));
    return { max, currency };
  }

  private fail<T>(problem: string, fallback: T): T {
    this.problems.push(problem);
    return fallback;
  }
}

interface ParsedLine {
  readonly line: number;
  readonly record: JsonRecord;
}

/** Splits JSONL into records, skipping blank lines; malformed lines become issues. */
function readLines(text: string, issues: DataIssue[]): ParsedLine[] {
  const parsed: ParsedLine[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (error) {
        issues.push({ line, message: `line is not valid JSON (${(error as Error).message})` });
        return;
      }
      if (isRecord(value)) parsed.push({ line, record: value });
      else issues.push({ line, message: 'line must be a JSON object' });
    });
  return parsed;
}

function parseJsonl<T>(
  text: string,
  source: string,
  key: { field: string; of: (row: T) => string },
  readRow: (reader: FieldReader) => T,
): T[] {
  const issues: DataIssue[] = [];
  const rows: T[] = [];
  const firstLineOfKey = new Map<string, number>();
  for (const { line, record } of readLines(text, issues)) {
    const reader = new FieldReader(record);
    const row = readRow(reader);
    const id = key.of(row);
    const earlier = firstLineOfKey.get(id);
    if (id !== '' && earlier !== undefined)
      reader.problems.push(`${key.field} "${id}" duplicates line ${earlier}`);
    else if (id !== '') firstLineOfKey.set(id, line);
    issues.push(...reader.problems.map((message) => ({ line, message })));
    if (reader.problems.length === 0) rows.push(row);
  }
  if (issues.length > 0)
    throw new DataFormatError(
      source,
      issues.sort((x, y) => x.line - y.line),
    );
  return rows;
}

function readItem(reader: FieldReader): CatalogueItem {
  const id = reader.text('id', { pattern: ID, hint: 'a non-empty string without whitespace' });
  const title = reader.text('title');
  const category = reader.text('category', { pattern: SLUG, hint: 'a lowercase slug like "board-games"' });
  const tags = reader.slugList('tags');
  const description = reader.text('description', { allowEmpty: true, hint: 'a string' });
  const price = reader.number('price', { min: 0, hint: 'a non-negative number' }) ?? 0;
  const currency = reader.text('currency', {
    pattern: CURRENCY,
    hint: 'a three-letter currency code like "EUR"',
  });
  const rating = reader.number('rating', { min: 0, max: 5, hint: 'a number from 0 to 5' }, true);
  const attributes = reader.attributes('attributes');
  return {
    id,
    title,
    category,
    tags,
    description,
    price,
    currency,
    ...(rating === undefined ? {} : { rating }),
    attributes,
  };
}

function readProfile(reader: FieldReader): UserProfile {
  const userId = reader.text('userId', { pattern: ID, hint: 'a non-empty string without whitespace' });
  const displayName = reader.text('displayName');
  const interests = reader.weights('interests');
  const preferredCategories = reader.slugList('preferredCategories', true);
  const dislikedTags = reader.slugList('dislikedTags', true);
  const budget = reader.budget('budget');
  const history = reader.idList('history');
  return {
    userId,
    displayName,
    interests,
    preferredCategories,
    dislikedTags,
    ...(budget === undefined ? {} : { budget }),
    history,
  };
}

/** Parses catalogue JSONL; throws one DataFormatError naming every bad line and field. */
export function parseCatalogueJsonl(text: string, source: string): CatalogueItem[] {
  return parseJsonl(text, source, { field: 'id', of: (item) => item.id }, readItem);
}

/** Parses profile JSONL; throws one DataFormatError naming every bad line and field. */
export function parseProfilesJsonl(text: string, source: string): UserProfile[] {
  return parseJsonl(text, source, { field: 'userId', of: (profile) => profile.userId }, readProfile);
}

export async function loadCatalogueFile(path: string): Promise<CatalogueItem[]> {
  return parseCatalogueJsonl(await readFile(path, 'utf8'), path);
}

export async function loadProfilesFile(path: string): Promise<UserProfile[]> {
  return parseProfilesJsonl(await readFile(path, 'utf8'), path);
}

export interface RecentCacheOptions {
  /** Entries kept at most; the least recently used one goes first. */
  readonly capacity: number;
  /** How long an entry is trusted after it was set; unlimited when left out. */
  readonly ttlMs?: number;
  /** The clock, in milliseconds (monotonic by default). */
  readonly now?: () => number;
}

/**
 * A map bounded by entries (least recently used out first) and, optionally, by age: what an agent
 * holds in memory instead of asking the store again. A Map keeps insertion order, so moving an entry
 * to the end on every read makes its first key the least recently used one.
 */
export class RecentCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly at: number }>();
  private readonly capacity: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor({
    capacity,
    ttlMs = Number.POSITIVE_INFINITY,
    now = () => performance.now(),
  }: RecentCacheOptions) {
    this.capacity = capacity;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entry(key)?.value;
  }

  has(key: string): boolean {
    return this.entry(key) !== undefined;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private entry(key: string): { readonly value: V } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (this.now() - entry.at >= this.ttlMs) return undefined;
    this.entries.set(key, entry);
    return entry;
  }
}

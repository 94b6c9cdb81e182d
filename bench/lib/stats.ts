/** Latency summaries: nearest-rank percentiles over raw samples (milliseconds). */
export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly mean: number;
  readonly max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    mean: sorted.length === 0 ? NaN : sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
    max: sorted.length === 0 ? NaN : (sorted[sorted.length - 1] ?? NaN),
  };
}

export function ratio(over: number, under: number): number {
  return under === 0 || !Number.isFinite(under) || !Number.isFinite(over) ? NaN : over / under;
}

/** Milliseconds since the epoch with sub-millisecond resolution (comparable with Date.now() of other processes). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= items.length) return;
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}

export interface OpenLoopItem {
  readonly index: number;
  /** When the item was due to be sent (epoch ms): latencies count from here, so a slow sender cannot hide. */
  readonly intendedAt: number;
  /** When it completed (epoch ms), undefined if it failed or timed out. */
  doneAt?: number;
  error?: string;
}

export interface OpenLoopResult {
  readonly items: readonly OpenLoopItem[];
  readonly offeredPerSecond: number;
  readonly firstIntendedAt: number;
  readonly lastIntendedAt: number;
}

/**
 * Open-loop load: item i is started at start + i / rate whatever happened to the earlier ones
 * (so a system that slows down meets the same arrivals, and the latencies show it), and each item
 * records its completion. `fire` resolves with the completion instant (epoch ms).
 */
export async function openLoop(
  rate: number,
  count: number,
  fire: (index: number, intendedAt: number) => Promise<number>,
): Promise<OpenLoopResult> {
  const start = epochMs() + 20;
  const items: OpenLoopItem[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const intendedAt = start + (i * 1000) / rate;
    const wait = intendedAt - epochMs();
    if (wait > 1) await sleep(wait);
    const item: OpenLoopItem = { index: i, intendedAt };
    items.push(item);
    pending.push(
      fire(i, intendedAt).then(
        (doneAt) => {
          item.doneAt = doneAt;
        },
        (error: unknown) => {
          item.error = error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  await Promise.all(pending);
  return {
    items,
    offeredPerSecond: rate,
    firstIntendedAt: start,
    lastIntendedAt: start + ((count - 1) * 1000) / rate,
  };
}

/** Latencies (from the intended start) and the completion rate of an open-loop run. */
export function openLoopFigures(result: OpenLoopResult): {
  latency: Summary;
  completed: number;
  failed: number;
  perSecond: number;
} {
  const done = result.items.filter((i) => i.doneAt !== undefined);
  const latency = summarize(done.map((i) => (i.doneAt as number) - i.intendedAt));
  const lastDone = Math.max(...done.map((i) => i.doneAt as number));
  const span = (lastDone - result.firstIntendedAt) / 1000;
  return {
    latency,
    completed: done.length,
    failed: result.items.length - done.length,
    perSecond: done.length > 0 && span > 0 ? done.length / span : 0,
  };
}

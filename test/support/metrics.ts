import parsePrometheusTextFormat, {
  type PrometheusFamily,
  type PrometheusSample,
} from 'parse-prometheus-text-format';

/**
 * A scrape, parsed with a Prometheus text-format parser (not ours): what Prometheus would read.
 *
 * parse-prometheus-text-format folds the series of a labelled histogram into one sample without
 * labels, so histograms are also read from the same text with their `# TYPE` line dropped: their
 * `_bucket`, `_sum` and `_count` lines then parse as plain samples with their labels.
 */
export class Scrape {
  constructor(
    readonly text: string,
    readonly families: readonly PrometheusFamily[],
    private readonly plain: readonly PrometheusFamily[],
  ) {}

  static parse(text: string): Scrape {
    const untypedHistograms = text.replace(/^# TYPE \S+ histogram$/gm, '');
    return new Scrape(text, parsePrometheusTextFormat(text), parsePrometheusTextFormat(untypedHistograms));
  }

  family(name: string): PrometheusFamily | undefined {
    return this.families.find((family) => family.name === name);
  }

  /** The samples named `name` (a counter, a gauge, or a histogram's `_count`) whose labels include `labels`. */
  samples(name: string, labels: Record<string, string> = {}): PrometheusSample[] {
    return this.plain
      .filter((family) => family.name === name)
      .flatMap((family) => family.metrics)
      .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
  }

  /** The sum of the matching samples' values (a counter or gauge), 0 when none matches. */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);
  }

  /** The sum of the matching histograms' observation counts (their `_count` series). */
  count(name: string, labels: Record<string, string> = {}): number {
    if (this.family(name)?.type !== 'HISTOGRAM') throw new Error(`${name} is no histogram in this scrape`);
    return this.value(`${name}_count`, labels);
  }

  /** Every label value of every sample: what must never hold a task id or a raw path. */
  labelValues(): string[] {
    return this.plain.flatMap((family) =>
      family.metrics.flatMap((sample) => Object.values(sample.labels ?? {})),
    );
  }
}

/** GETs a `/metrics` endpoint, checks the answer is Prometheus text, and parses it. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain')) throw new Error(`GET ${url} answered ${type}, not Prometheus text`);
  return Scrape.parse(await response.text());
}

/**
 * Bounded label values. A Prometheus series exists per distinct set of label values, so a label fed
 * from outside (a tenant id, an HTTP method, an error's class) must never take unboundedly many
 * values: each label here maps anything beyond its known or first-seen values to `_other`. Task
 * ids, user ids and raw URLs are never labels at all.
 */
export const OTHER = '_other';

/** The longest label value kept; longer values count as `_other`. */
const MAX_VALUE_LENGTH = 128;

/**
 * A label whose values are learnt as they come (tenants): the first `max` distinct values are kept as
 * they are, every later one is `_other`. The set never shrinks, so a value keeps its series.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private limit: number) {}

  get max(): number {
    return this.limit;
  }

  /** Changes the bound; values already admitted keep their place. */
  setMax(max: number): void {
    this.limit = max;
  }

  value(raw: string | null | undefined): string {
    if (raw === null || raw === undefined || raw === '' || raw.length > MAX_VALUE_LENGTH) return OTHER;
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.limit) return OTHER;
    this.seen.add(raw);
    return raw;
  }
}

/** Tenants, as every tenant-labelled metric names them (the bound comes from TRIBUTARY_METRICS_MAX_TENANTS). */
export const tenantLabel = new BoundedLabel(100);

/** Sets the tenant bound from the configuration; call once at start-up. */
export function configureLabelBounds({ maxTenants }: { readonly maxTenants: number }): void {
  tenantLabel.setMax(maxTenants);
}

/** `value` if it is one of `allowed`, else `_other`: for labels whose values the code knows. */
export function oneOf<const T extends string>(value: unknown, allowed: readonly T[]): T | typeof OTHER {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : OTHER;
}

/** The methods OpenTelemetry's HTTP conventions name; any other is `_OTHER`, as they prescribe. */
const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;

export function httpMethodLabel(method: string): string {
  const upper = method.toUpperCase();
  return (HTTP_METHODS as readonly string[]).includes(upper) ? upper : '_OTHER';
}

/**
 * The route template the router matched (`/v1/tasks/:id`), never the raw path: a request no route
 * matched (a 404, a scan of random paths) counts as `_unmatched`.
 */
export function routeLabel(template: string | undefined): string {
  return template === undefined || template === '' ? '_unmatched' : template;
}

/** An HTTP status code as a label: three digits from 100 to 599, anything else `_other`. */
export function statusCodeLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER;
}

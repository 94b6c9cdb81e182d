/** Judges the targets of bench/targets.ts against a run's figures. */
import { type FigureName, type Figures } from './figures';
import { fmt, ms, pct, type Target, times } from './report';

type Unit = 'ms' | 'tasks/s' | 'req/s' | 'events/s' | 'MB' | '% of a core';

export interface TargetSpec {
  /** The scenario that measures it (the one to run to check it). */
  readonly scenario: string;
  readonly name: string;
  /** The target in words, as the report shows it. */
  readonly wanted: string;
  readonly measured: FigureName;
  /** The same-run figure it is compared with, or a fixed limit. */
  readonly baseline: FigureName | number;
  readonly unit: Unit;
  /** measured ÷ baseline must be at most / at least / below this. */
  readonly ratio: { readonly atMost: number } | { readonly atLeast: number } | { readonly below: number };
  /** How the ratio is shown: 1.23× or 45.6 %. */
  readonly show: 'times' | 'percent';
  /** A second pair of figures shown beside the first, for context (not judged). */
  readonly alongside?: {
    readonly label: string;
    readonly measured: FigureName;
    readonly baseline: FigureName;
    readonly unit: Unit;
  };
}

function withUnit(value: number, unit: Unit): string {
  if (unit === 'ms') return ms(value);
  const digits = unit === 'tasks/s' || unit === '% of a core' ? 2 : unit === 'req/s' ? 1 : 0;
  return `${fmt(value, digits)} ${unit}`;
}

export function judge(specs: readonly TargetSpec[], figures: Figures): Target[] {
  return specs.map((spec) => {
    const measured = figures[spec.measured];
    const baseline = typeof spec.baseline === 'number' ? spec.baseline : figures[spec.baseline];
    if (measured === undefined || baseline === undefined || !Number.isFinite(measured * baseline))
      return { name: spec.name, target: spec.wanted, measured: '–', met: undefined };
    const ratio = measured / baseline;
    const shown = spec.show === 'percent' ? pct(ratio) : times(ratio);
    const met =
      'atMost' in spec.ratio
        ? ratio <= spec.ratio.atMost
        : 'atLeast' in spec.ratio
          ? ratio >= spec.ratio.atLeast
          : ratio < spec.ratio.below;
    const alongside = spec.alongside;
    let aside = '';
    if (alongside !== undefined) {
      const over = figures[alongside.measured] ?? NaN;
      const under = figures[alongside.baseline] ?? NaN;
      aside = ` (${alongside.label} ${withUnit(over, alongside.unit)} vs ${withUnit(under, alongside.unit)}: ${times(over / under)})`;
    }
    return {
      name: spec.name,
      target: spec.wanted,
      measured:
        typeof spec.baseline === 'number'
          ? `${withUnit(measured, spec.unit)}${aside}`
          : `${withUnit(measured, spec.unit)} vs ${withUnit(baseline, spec.unit)}: ${shown}${aside}`,
      met,
    };
  });
}

/**
 * The judged-set metrics, as pure functions over catalogue items. They share no code with the
 * recommender (its constraint checks included), so a bug there cannot hide a failure here.
 */

/** The slice of a catalogue item the metrics read. */
export interface JudgedItem {
  readonly id: string;
  readonly category: string;
  readonly tags: readonly string[];
  readonly price: number;
}

/**
 * One thing the user asked for. An item serves it fully when it is one of `items`, or when it is
 * in one of `categories` (any, if none) and carries one of `tags` (any, if none). An item of the
 * right category without any of the tags serves it partly.
 */
export interface Intent {
  readonly label: string;
  readonly categories: readonly string[];
  readonly tags: readonly string[];
  readonly items: readonly string[];
}

/** What a good answer must not include, whether or not the request says so as a constraint. */
export interface Exclusions {
  readonly categories: readonly string[];
  readonly tags: readonly string[];
  readonly items: readonly string[];
}

/** The request's hard constraints, as a client sends them (empty lists and nulls: no limit). */
export interface HardConstraints {
  readonly categories: readonly string[];
  readonly minPrice: number | null;
  readonly maxPrice: number | null;
  readonly excludeItemIds: readonly string[];
  readonly excludeTags: readonly string[];
}

export interface Judgement {
  readonly intents: readonly Intent[];
  readonly mustNot: Exclusions;
  readonly constraints: HardConstraints;
}

/** Relevance grades: 2 serves an intent fully, 1 partly (right category, not the kind asked for), 0 not. */
export type Grade = 0 | 1 | 2;

export function intentGrade(item: JudgedItem, intent: Intent): Grade {
  if (intent.items.includes(item.id)) return 2;
  if (intent.categories.length === 0 && intent.tags.length === 0) return 0;
  if (intent.categories.length > 0 && !intent.categories.includes(item.category)) return 0;
  if (intent.tags.length === 0 || item.tags.some((tag) => intent.tags.includes(tag))) return 2;
  return 1;
}

/** Why an item breaks the request's hard constraints; empty when it keeps them all. */
export function constraintViolations(item: JudgedItem, constraints: HardConstraints): string[] {
  const reasons: string[] = [];
  if (constraints.categories.length > 0 && !constraints.categories.includes(item.category))
    reasons.push(`category ${item.category} not allowed`);
  if (constraints.maxPrice !== null && item.price > constraints.maxPrice)
    reasons.push(`price ${item.price} over ${constraints.maxPrice}`);
  if (constraints.minPrice !== null && item.price < constraints.minPrice)
    reasons.push(`price ${item.price} under ${constraints.minPrice}`);
  if (constraints.excludeItemIds.includes(item.id)) reasons.push(`item ${item.id} excluded`);
  const tags = item.tags.filter((tag) => constraints.excludeTags.includes(tag));
  if (tags.length > 0) reasons.push(`tag ${tags.join(', ')} excluded`);
  return reasons;
}

/** Whether an item is one the judgement rules out (by category, tag or id). */
export function isExcluded(item: JudgedItem, mustNot: Exclusions): boolean {
  return (
    mustNot.items.includes(item.id) ||
    mustNot.categories.includes(item.category) ||
    item.tags.some((tag) => mustNot.tags.includes(tag))
  );
}

/** An item's grade for the whole request: its best over the intents, 0 if it breaks a constraint or is ruled out. */
export function grade(item: JudgedItem | undefined, judgement: Judgement): Grade {
  if (!item) return 0;
  if (constraintViolations(item, judgement.constraints).length > 0) return 0;
  if (isExcluded(item, judgement.mustNot)) return 0;
  let best: Grade = 0;
  for (const intent of judgement.intents) {
    const g = intentGrade(item, intent);
    if (g > best) best = g;
  }
  return best;
}

/** Discounted cumulative gain of the first k grades, with gain 2^g − 1. */
export function dcg(grades: readonly number[], k: number): number {
  return grades.slice(0, k).reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
}

/**
 * nDCG@k of a ranked list against the best list the catalogue allows (`ideal`, any order);
 * null when nothing in the catalogue is relevant (the case cannot be scored).
 */
export function ndcgAtK(grades: readonly number[], ideal: readonly number[], k: number): number | null {
  const best = dcg(
    [...ideal].sort((a, b) => b - a),
    k,
  );
  return best === 0 ? null : dcg(grades, k) / best;
}

/** For each intent, whether at least one of the items serves it fully. */
export function intentsCovered(items: readonly (JudgedItem | undefined)[], judgement: Judgement): boolean[] {
  const usable = items.filter(
    (item): item is JudgedItem =>
      item !== undefined &&
      constraintViolations(item, judgement.constraints).length === 0 &&
      !isExcluded(item, judgement.mustNot),
  );
  return judgement.intents.map((intent) => usable.some((item) => intentGrade(item, intent) === 2));
}

/** Mean pairwise distance (1 − Jaccard) between the items' tag sets, each with its category; 0 under two items. */
export function intraListDiversity(items: readonly JudgedItem[]): number {
  const sets = items.map((item) => new Set([`category:${item.category}`, ...item.tags]));
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i += 1) {
    for (let j = i + 1; j < sets.length; j += 1) {
      const a = sets[i] ?? new Set<string>();
      const b = sets[j] ?? new Set<string>();
      const shared = [...a].filter((tag) => b.has(tag)).length;
      const union = new Set([...a, ...b]).size;
      total += union === 0 ? 0 : 1 - shared / union;
      pairs += 1;
    }
  }
  return pairs === 0 ? 0 : total / pairs;
}

export interface ReviewedRound {
  readonly round: number;
  readonly score: number;
  readonly verdict: 'approved' | 'revise';
}

/**
 * The rounds sent back for revision, and how many of those were followed by a round that scored
 * higher. A revise round with no next round (the task ended) is not counted.
 */
export function reviseOutcomes(rounds: readonly ReviewedRound[]): { revised: number; raised: number } {
  const byRound = new Map(rounds.map((r) => [r.round, r]));
  let revised = 0;
  let raised = 0;
  for (const r of rounds) {
    const next = byRound.get(r.round + 1);
    if (r.verdict !== 'revise' || !next) continue;
    revised += 1;
    if (next.score > r.score) raised += 1;
  }
  return { revised, raised };
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The p-th percentile (0..100), nearest rank; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? null;
}

import { budgetOvershoot, type CatalogueItem, type UserProfile, violations } from '@tributary/catalogue';
import { type Draft, type Plan, type PlanIntent, type TaskRequest } from '@tributary/contracts';
import { type ReviewCheck } from '@tributary/llm';
import { toCatalogueConstraints } from '@tributary/agent';

/** Findings that make a draft unacceptable even as a best effort. */
export const HARD_CHECKS: ReadonlySet<ReviewCheck['kind']> = new Set([
  'constraint-violation',
  'duplicate',
  'too-few-results',
]);

/**
 * The deterministic part of a review: every rule a draft must meet, checked against the catalogue
 * (not the draft's own copy of titles and prices) and the user's profile.
 */
export function reviewChecks(
  draft: Draft,
  request: TaskRequest,
  profile: UserProfile,
  catalogue: ReadonlyMap<string, CatalogueItem>,
  plan?: Pick<Plan, 'intents'>,
): ReviewCheck[] {
  const checks: ReviewCheck[] = [];
  const recs = draft.recommendations;
  const constraints = toCatalogueConstraints(request.constraints);
  const intents = askedIntents(plan);

  if (recs.length === 0) {
    checks.push({ kind: 'too-few-results', message: 'The draft recommends nothing.', itemIds: [] });
  }

  const seen = new Set<string>();
  for (const rec of recs) {
    if (seen.has(rec.itemId)) {
      checks.push({
        kind: 'duplicate',
        message: `“${rec.title}” is recommended twice.`,
        itemIds: [rec.itemId],
      });
    }
    seen.add(rec.itemId);

    const item = catalogue.get(rec.itemId);
    if (!item) {
      checks.push({
        kind: 'constraint-violation',
        message: `${rec.itemId} is not in the catalogue.`,
        itemIds: [rec.itemId],
      });
      continue;
    }
    for (const reason of violations(item, constraints)) {
      checks.push({
        kind: 'constraint-violation',
        message: `“${item.title}”: ${reason}.`,
        itemIds: [item.id],
      });
    }
    const budget = profile.budget;
    if (budget && budgetOvershoot(item, profile) > 0 && !answersIntent(item, intents)) {
      checks.push({
        kind: 'over-budget',
        message: `“${item.title}” costs ${item.price} ${item.currency}, over the budget of ${budget.max}.`,
        itemIds: [item.id],
      });
    }
    const disliked = item.tags.filter((tag) => profile.dislikedTags.includes(tag));
    if (disliked.length > 0) {
      checks.push({
        kind: 'disliked-tag',
        message: `“${item.title}” is tagged ${disliked.join(', ')}, which the user dislikes.`,
        itemIds: [item.id],
      });
    }
    if (rec.reason.trim() === '' || !rec.evidence.includes(rec.itemId)) {
      checks.push({
        kind: 'missing-evidence',
        message: `“${rec.title}” has no reason backed by its catalogue entry.`,
        itemIds: [rec.itemId],
      });
    }
  }

  if (recs.length > 0) checks.push(...missedIntents(draft, request, intents, catalogue));

  const categories = new Set(recs.map((rec) => rec.category));
  // Variety is asked of a draft only where the request leaves room: not when it allows one
  // category, nor when every pick lies in the categories of the intents, all of them answered.
  const named = new Set(intents.flatMap((intent) => intent.categories));
  const singleCategoryAsked =
    request.constraints.categories.length === 1 ||
    named.size === 1 ||
    (intents.length > 0 &&
      [...categories].every((category) => named.has(category)) &&
      answeredIntents(draft, intents, catalogue).size === intents.length);
  if (recs.length >= 3 && categories.size === 1 && !singleCategoryAsked) {
    checks.push({
      kind: 'low-diversity',
      message: `All ${recs.length} recommendations are ${[...categories][0] ?? ''}; the request allows more variety.`,
      itemIds: [],
    });
  }
  return checks;
}

/** The plan's intents that name a category: the ones a draft can be checked against. */
function askedIntents(plan: Pick<Plan, 'intents'> | undefined): PlanIntent[] {
  // A plan read from an event written before plans named intents has none.
  const intents: PlanIntent[] | undefined = plan?.intents;
  return (intents ?? []).filter((intent) => intent.categories.length > 0);
}

/**
 * An intent is answered by a recommendation in one of its categories, each recommendation answering
 * one intent (two intents of one category need two items), matched so that as many intents as can
 * be are answered. A draft with fewer slots than intents answers as many as it has slots.
 */
function missedIntents(
  draft: Draft,
  request: TaskRequest,
  intents: readonly PlanIntent[],
  catalogue: ReadonlyMap<string, CatalogueItem>,
): ReviewCheck[] {
  const answered = answeredIntents(draft, intents, catalogue);
  const room = Math.min(request.maxResults, intents.length);
  if (answered.size >= room) return [];
  return intents
    .filter((intent) => !answered.has(intent.id))
    .map((intent) => ({
      kind: 'missed-intent' as const,
      message: `Nothing answers “${intent.text}” (${intent.categories.join(', ')}).`,
      itemIds: [],
      intent: intent.id,
    }));
}

/** The intents a draft answers, by a maximum matching of recommendations to intents (augmenting paths). */
function answeredIntents(
  draft: Draft,
  intents: readonly PlanIntent[],
  catalogue: ReadonlyMap<string, CatalogueItem>,
): Set<string> {
  const categories = draft.recommendations.map((rec) => catalogue.get(rec.itemId)?.category ?? rec.category);
  const holder = new Map<number, PlanIntent>();
  const assign = (intent: PlanIntent, visited: Set<number>): boolean => {
    for (const [index, category] of categories.entries()) {
      if (visited.has(index) || !intent.categories.includes(category)) continue;
      visited.add(index);
      const current = holder.get(index);
      if (current === undefined || assign(current, visited)) {
        holder.set(index, intent);
        return true;
      }
    }
    return false;
  };
  for (const intent of intents) assign(intent, new Set());
  return new Set([...holder.values()].map((intent) => intent.id));
}

/**
 * Whether the item answers an intent of the plan (it is in one of the intent's categories). The
 * profile budget is a preference: it counts against the picks that answer nothing asked for, not
 * against what the request asks for.
 */
function answersIntent(item: CatalogueItem, intents: readonly PlanIntent[]): boolean {
  return intents.some((intent) => intent.categories.includes(item.category));
}

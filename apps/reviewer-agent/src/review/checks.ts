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
    if (budget && budgetOvershoot(item, profile) > 0 && !onlyAnswer(item, recs, intents, catalogue)) {
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
  const singleCategoryAsked =
    request.constraints.categories.length === 1 ||
    new Set(intents.flatMap((intent) => intent.categories)).size === 1;
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
 * one intent (two intents of one category need two items). A draft with fewer slots than intents
 * answers as many as it has slots.
 */
function missedIntents(
  draft: Draft,
  request: TaskRequest,
  intents: readonly PlanIntent[],
  catalogue: ReadonlyMap<string, CatalogueItem>,
): ReviewCheck[] {
  const unused = draft.recommendations.map((rec) => catalogue.get(rec.itemId)?.category ?? rec.category);
  const missed = intents.filter((intent) => {
    const index = unused.findIndex((category) => intent.categories.includes(category));
    if (index < 0) return true;
    unused.splice(index, 1);
    return false;
  });
  const room = Math.min(request.maxResults, intents.length);
  if (intents.length - missed.length >= room) return [];
  return missed.map((intent) => ({
    kind: 'missed-intent' as const,
    message: `Nothing answers “${intent.text}” (${intent.categories.join(', ')}).`,
    itemIds: [],
    intent: intent.id,
  }));
}

/**
 * Whether the item is the draft's only answer to an intent of its category. The profile budget is a
 * preference: it does not count against the one item that answers what the request asks for.
 */
function onlyAnswer(
  item: CatalogueItem,
  recs: Draft['recommendations'],
  intents: readonly PlanIntent[],
  catalogue: ReadonlyMap<string, CatalogueItem>,
): boolean {
  return intents.some(
    (intent) =>
      intent.categories.includes(item.category) &&
      recs.filter((rec) => intent.categories.includes(catalogue.get(rec.itemId)?.category ?? rec.category))
        .length === 1,
  );
}

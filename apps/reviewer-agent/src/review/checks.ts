import { budgetOvershoot, type CatalogueItem, type UserProfile, violations } from '@tributary/catalogue';
import { type Draft, type TaskRequest } from '@tributary/contracts';
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
): ReviewCheck[] {
  const checks: ReviewCheck[] = [];
  const recs = draft.recommendations;
  const constraints = toCatalogueConstraints(request.constraints);

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
    if (budget && budgetOvershoot(item, profile) > 0) {
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

  const categories = new Set(recs.map((rec) => rec.category));
  const singleCategoryAsked = request.constraints.categories.length === 1;
  if (recs.length >= 3 && categories.size === 1 && !singleCategoryAsked) {
    checks.push({
      kind: 'low-diversity',
      message: `All ${recs.length} recommendations are ${[...categories][0] ?? ''}; the request allows more variety.`,
      itemIds: [],
    });
  }
  return checks;
}

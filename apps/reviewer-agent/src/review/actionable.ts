import { budgetOvershoot, type CatalogueItem, satisfies, type UserProfile } from '@tributary/catalogue';
import { type Draft, type Plan, type PlanIntent, type TaskRequest } from '@tributary/contracts';
import { type ReviewCheck } from '@tributary/llm';
import { toCatalogueConstraints } from '@tributary/agent';

/**
 * The findings a revision can act on: an item to drop, or a better item the catalogue holds that
 * the user may be offered (within the request's constraints and budget, not owned, not disliked,
 * not already in the draft). A round is sent back only for these, so no round returns the same draft.
 */
export function actionableFindings(
  checks: readonly ReviewCheck[],
  draft: Draft,
  request: TaskRequest,
  profile: UserProfile,
  catalogue: ReadonlyMap<string, CatalogueItem>,
  plan: Pick<Plan, 'intents'>,
): ReviewCheck[] {
  const inDraft = new Set(draft.recommendations.map((rec) => rec.itemId));
  const constraints = toCatalogueConstraints(request.constraints);
  const offerable = [...catalogue.values()].filter(
    (item) =>
      !inDraft.has(item.id) &&
      satisfies(item, constraints) &&
      budgetOvershoot(item, profile) === 0 &&
      !profile.history.includes(item.id) &&
      !item.tags.some((tag) => profile.dislikedTags.includes(tag)),
  );
  const intents: PlanIntent[] | undefined = plan.intents;
  const draftCategories = new Set(draft.recommendations.map((rec) => rec.category));
  return checks.filter((check) => {
    switch (check.kind) {
      case 'constraint-violation':
      case 'over-budget':
      case 'disliked-tag':
      case 'duplicate':
      case 'missing-evidence':
        return check.itemIds.length > 0;
      case 'missed-intent': {
        const intent = (intents ?? []).find((entry) => entry.id === check.intent);
        return intent !== undefined && offerable.some((item) => intent.categories.includes(item.category));
      }
      case 'low-diversity':
        return offerable.some((item) => !draftCategories.has(item.category));
      case 'too-few-results':
        return offerable.length > 0;
    }
  });
}

/** Whether two drafts recommend the same items for the same reasons, in the same order. */
export function sameDraft(a: Draft, b: Draft): boolean {
  const key = (draft: Draft): string =>
    JSON.stringify(draft.recommendations.map((rec) => [rec.itemId, rec.reason, rec.evidence]));
  return key(a) === key(b);
}

/** What changed between two reviewed rounds, in words, for the critique of the later one. */
export function changesSince(
  previous: { round: number; score: number; draft: Draft },
  draft: Draft,
  score: number,
): string {
  const before = new Map(previous.draft.recommendations.map((rec) => [rec.itemId, rec.title]));
  const after = new Map(draft.recommendations.map((rec) => [rec.itemId, rec.title]));
  const added = [...after].filter(([id]) => !before.has(id)).map(([, title]) => `“${title}”`);
  const removed = [...before].filter(([id]) => !after.has(id)).map(([, title]) => `“${title}”`);
  const parts = [
    added.length > 0 ? `added ${added.join(', ')}` : '',
    removed.length > 0 ? `removed ${removed.join(', ')}` : '',
  ].filter((part) => part !== '');
  const what = parts.length > 0 ? parts.join('; ') : 'the same items';
  const trend = score > previous.score ? 'up' : score < previous.score ? 'down' : 'unchanged';
  return `Since round ${previous.round}: ${what}; score ${previous.score.toFixed(2)} → ${score.toFixed(2)} (${trend}).`;
}

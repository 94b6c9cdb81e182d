import { budgetOvershoot, type ScoreBreakdown } from './personalise';
import { type CatalogueItem, type UserProfile } from './types';

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = { EUR: '€', USD: '$', GBP: '£' };
const STRONG_RELEVANCE = 0.75;
const MAX_INTERESTS_NAMED = 2;

export function formatMoney(amount: number, currency: string): string {
  const value = Number.isInteger(amount) ? String(amount) : amount.toFixed(2);
  const symbol = CURRENCY_SYMBOLS[currency];
  return symbol === undefined ? `${value} ${currency}` : `${symbol}${value}`;
}

// "space-opera" reads better as "space opera"; "sci-fi", "co-op" and "non-fiction" keep their hyphen.
const humanise = (tag: string): string =>
  tag.split('-').some((part) => part.length <= 3) ? tag : tag.replace(/-/g, ' ');

function listOf(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} and ${values[values.length - 1] ?? ''}`;
}

function searchPart(breakdown: ScoreBreakdown, matchedTerms: readonly string[]): string | undefined {
  if (matchedTerms.length === 0) return undefined;
  const terms = [...new Set(matchedTerms)].join(', ');
  return breakdown.relevance >= STRONG_RELEVANCE
    ? `strong match for your search (${terms})`
    : `relevant to your search (${terms})`;
}

function interestPart(item: CatalogueItem, profile: UserProfile): string | undefined {
  const liked = item.tags
    .filter((tag) => (profile.interests[tag] ?? 0) > 0)
    .sort((a, b) => (profile.interests[b] ?? 0) - (profile.interests[a] ?? 0) || (a < b ? -1 : 1))
    .slice(0, MAX_INTERESTS_NAMED);
  return liked.length > 0 ? `matches your interest in ${listOf(liked.map(humanise))}` : undefined;
}

function ratingPart(item: CatalogueItem): string | undefined {
  if (item.rating === undefined || item.rating < 4) return undefined;
  return `${item.rating >= 4.5 ? 'highly' : 'well'} rated (${item.rating.toFixed(1)})`;
}

function budgetPart(item: CatalogueItem, profile: UserProfile): string | undefined {
  const budget = profile.budget;
  if (budget === undefined || budget.currency !== item.currency) return undefined;
  const limit = formatMoney(budget.max, budget.currency);
  if (budgetOvershoot(item, profile) === 0) return `within your ${limit} budget`;
  return `${formatMoney(Math.round((item.price - budget.max) * 100) / 100, item.currency)} over your ${limit} budget`;
}

function caveatParts(item: CatalogueItem, profile: UserProfile): string[] {
  const caveats: string[] = [];
  const disliked = item.tags.filter((tag) => profile.dislikedTags.includes(tag));
  if (disliked.length > 0)
    caveats.push(`note: tagged ${listOf(disliked.map(humanise))}, which you usually avoid`);
  if (profile.history.includes(item.id)) caveats.push('you already have this one');
  return caveats;
}

/**
 * One short sentence on why an item was recommended, e.g.
 * "Matches your interest in sci-fi and hiking; well rated (4.6); within your €80 budget."
 */
export function explainRecommendation(
  item: CatalogueItem,
  breakdown: ScoreBreakdown,
  profile: UserProfile,
  matchedTerms: readonly string[],
): string {
  const interests = interestPart(item, profile);
  const category = profile.preferredCategories.includes(item.category)
    ? `from ${item.category}, one of your favourite categories`
    : undefined;
  const parts = [
    searchPart(breakdown, matchedTerms),
    interests,
    interests === undefined ? category : undefined,
    ratingPart(item),
    budgetPart(item, profile),
    ...caveatParts(item, profile),
  ].filter((part): part is string => part !== undefined);
  const sentence = parts.length > 0 ? parts.join('; ') : `a pick from ${item.category} to widen your options`;
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

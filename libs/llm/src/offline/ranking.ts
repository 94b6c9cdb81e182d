import { type TaskRequest } from '@tributary/contracts';
import { type Candidate, type ProfileView } from '../port';
import { priceCeiling } from '../shaping';
import { money, quoteList } from './text';

/* Ranking and wording the offline drafter and reviser share. */

export interface Ranked {
  readonly candidate: Candidate;
  readonly score: number;
}

export function byRank(a: Ranked, b: Ranked): number {
  return (
    b.score - a.score ||
    (b.candidate.rating ?? -1) - (a.candidate.rating ?? -1) ||
    a.candidate.itemId.localeCompare(b.candidate.itemId)
  );
}

/** Keeps the best of items that are the same product under two ids (same title and category). */
export function dedupe(ranked: readonly Ranked[]): Ranked[] {
  const seen = new Set<string>();
  return ranked.filter(({ candidate }) => {
    const key = `${candidate.category.toLowerCase()}\u0000${candidate.title.trim().toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function reasonFor(candidate: Candidate, request: TaskRequest, profile: ProfileView): string {
  const sentences: string[] = [];
  const hint = candidate.hint.trim();
  if (hint !== '') sentences.push(/[.!?]$/.test(hint) ? hint : `${hint}.`);
  if (candidate.matchedTerms.length > 0)
    sentences.push(`Matches ${quoteList(candidate.matchedTerms)} from your request.`);
  const interest = strongestInterest(candidate, profile);
  if (interest !== undefined) sentences.push(`Fits your interest in ${interest}.`);
  else if (
    profile.preferredCategories.some(
      (category) => category.toLowerCase() === candidate.category.toLowerCase(),
    )
  ) {
    sentences.push(`From ${candidate.category}, one of your preferred categories.`);
  }
  if (sentences.length === 0)
    sentences.push(`Broadens the selection with something from ${candidate.category}.`);
  const ceiling = priceCeiling(request, profile);
  if (ceiling !== null && candidate.currency === profile.currency) {
    sentences.push(
      `At ${money(candidate.price, candidate.currency)}, within your ${money(ceiling, profile.currency)} limit.`,
    );
  } else if (candidate.rating !== null) {
    sentences.push(`Rated ${candidate.rating.toFixed(1)}/5.`);
  }
  return sentences.join(' ');
}

function strongestInterest(candidate: Candidate, profile: ProfileView): string | undefined {
  const facets = new Set(
    [candidate.category, ...candidate.tags, ...candidate.matchedTerms].map((facet) => facet.toLowerCase()),
  );
  return Object.entries(profile.interests)
    .filter(([name, weight]) => weight > 0 && facets.has(name.toLowerCase()))
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0]?.[0];
}

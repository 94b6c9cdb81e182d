import { describe, expect, it } from 'vitest';
import { explainRecommendation, formatMoney } from './explain';
import { type ScoreBreakdown } from './personalise';
import { makeItem, makeProfile } from '@tributary/testing/catalogue/fixtures';

const breakdown = (relevance: number): ScoreBreakdown => ({
  relevance,
  affinity: 0,
  diversityPenalty: 0,
  final: relevance,
});

describe('explainRecommendation', () => {
  const profile = makeProfile({
    interests: { 'sci-fi': 0.9, hiking: 0.6, 'space-opera': 0.3 },
    preferredCategories: ['books'],
    dislikedTags: ['horror'],
    budget: { max: 80, currency: 'EUR' },
    history: ['bk-0009'],
  });

  it('names the strongest interests, the rating and the budget', () => {
    const item = makeItem({ id: 'a', tags: ['hiking', 'space-opera', 'sci-fi'], rating: 4.2, price: 30 });
    expect(explainRecommendation(item, breakdown(0), profile, [])).toBe(
      'Matches your interest in sci-fi and hiking; well rated (4.2); within your €80 budget.',
    );
  });

  it('mentions the search terms, a favourite category and a high rating', () => {
    const item = makeItem({ id: 'a', category: 'books', rating: 4.6 });
    expect(explainRecommendation(item, breakdown(0.9), profile, ['hiking', 'boots'])).toBe(
      'Strong match for your search (hiking, boots); from books, one of your favourite categories; highly rated (4.6); within your €80 budget.',
    );
    expect(explainRecommendation(item, breakdown(0.3), profile, ['boots'])).toMatch(
      /^Relevant to your search \(boots\);/,
    );
  });

  it('flags going over budget, disliked tags and items already owned', () => {
    const item = makeItem({ id: 'bk-0009', category: 'films', tags: ['horror'], price: 95.5, rating: 3.9 });
    expect(explainRecommendation(item, breakdown(0), profile, [])).toBe(
      '€15.50 over your €80 budget; note: tagged horror, which you usually avoid; you already have this one.',
    );
  });

  it('still says something when nothing stands out', () => {
    const item = makeItem({ id: 'a', category: 'garden', rating: 3.1 });
    expect(explainRecommendation(item, breakdown(0), makeProfile({ budget: undefined }), [])).toBe(
      'A pick from garden to widen your options.',
    );
  });
});

describe('formatMoney', () => {
  it('uses a symbol for common currencies and the code otherwise', () => {
    expect(formatMoney(80, 'EUR')).toBe('€80');
    expect(formatMoney(12.5, 'GBP')).toBe('£12.50');
    expect(formatMoney(300, 'CHF')).toBe('300 CHF');
  });
});

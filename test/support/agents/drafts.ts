import { type CatalogueItem } from '@tributary/catalogue';
import { type Draft, type Recommendation } from '@tributary/contracts';

/** A recommendation as a sound draft carries it: the item's catalogue facts, a reason, its id as evidence. */
export function recommendation(item: CatalogueItem, overrides: Partial<Recommendation> = {}): Recommendation {
  return {
    itemId: item.id,
    title: item.title,
    category: item.category,
    price: item.price,
    currency: item.currency,
    reason: `Picked for you: ${item.title}.`,
    score: 0.8,
    evidence: [item.id, ...item.tags],
    ...overrides,
  };
}

export function draftOf(...recommendations: Recommendation[]): Draft {
  return { summary: `${recommendations.length} picks`, recommendations, provider: 'test' };
}

export type AttributeValue = string | number | boolean;

export interface CatalogueItem {
  readonly id: string;
  readonly title: string;
  /** Lowercase slug, e.g. "board-games". */
  readonly category: string;
  /** Lowercase slugs, unique within the item. */
  readonly tags: readonly string[];
  readonly description: string;
  readonly price: number;
  /** ISO 4217 code, e.g. "EUR". */
  readonly currency: string;
  /** 0–5; absent when the source has no rating. */
  readonly rating?: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export interface Budget {
  readonly max: number;
  readonly currency: string;
}

export interface UserProfile {
  readonly userId: string;
  readonly displayName: string;
  /** Tag -> weight in [0, 1]. */
  readonly interests: Readonly<Record<string, number>>;
  readonly preferredCategories: readonly string[];
  readonly dislikedTags: readonly string[];
  readonly budget?: Budget;
  /** Ids of items the user already owns or has consumed. */
  readonly history: readonly string[];
}

export interface Constraints {
  categories?: string[];
  minPrice?: number;
  maxPrice?: number;
  excludeItemIds?: string[];
  excludeTags?: string[];
}

export interface ScoredItem {
  readonly item: CatalogueItem;
  readonly score: number;
  /** Query words (lowercased, as the user wrote them) that matched the item. */
  readonly matchedTerms: string[];
}

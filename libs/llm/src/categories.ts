import { withinOneEdit } from '@tributary/catalogue';
import CATEGORIES from '../../../data/categories.json';

/**
 * The catalogue's categories and the words that point to each, defined once in
 * data/categories.json (see docs/data-format.md): the offline planner matches request words
 * against them, and the model's planning prompt lists the categories. Entries may be phrases
 * ("board game"); a plural "s" on a query word is matched too.
 */
export const CATEGORY_KEYWORDS: Readonly<Record<CatalogueCategory, readonly string[]>> = CATEGORIES;

export type CatalogueCategory = keyof typeof CATEGORIES;

export const CATALOGUE_CATEGORIES = Object.keys(CATEGORIES) as CatalogueCategory[];

export interface CategoryMatch {
  readonly category: CatalogueCategory;
  /** The words or phrases of the query that pointed to it, in query order. */
  readonly words: string[];
}

const singular = (word: string): string =>
  word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;

/** A word this long that names no category may be a slip for a keyword one edit away ("watring"). */
const MIN_TYPO_LENGTH = 6;

interface Hit {
  readonly category: CatalogueCategory;
  readonly start: number;
  readonly length: number;
}

const phrasesOf = (category: CatalogueCategory): string[][] =>
  [category.replace(/-/g, ' '), ...CATEGORY_KEYWORDS[category]].map((phrase) =>
    phrase.split(/[\s-]+/).map(singular),
  );

/** The words of the keyword table long enough to correct a slip towards, in a fixed order. */
const TYPO_TARGETS = [...new Set(CATALOGUE_CATEGORIES.flatMap((category) => phrasesOf(category).flat()))]
  .filter((word) => word.length >= MIN_TYPO_LENGTH)
  .sort();

function phraseHits(normalised: readonly string[]): Hit[] {
  const hits: Hit[] = [];
  for (const category of CATALOGUE_CATEGORIES) {
    const phrases = phrasesOf(category);
    for (let start = 0; start < normalised.length; start += 1) {
      for (const phrase of phrases) {
        if (phrase.every((part, offset) => normalised[start + offset] === part))
          hits.push({ category, start, length: phrase.length });
      }
    }
  }
  // A word inside a longer phrase of another category counts only for that phrase.
  return hits.filter(
    (hit) =>
      !hits.some(
        (other) =>
          other.category !== hit.category &&
          other.length > hit.length &&
          other.start <= hit.start &&
          other.start + other.length >= hit.start + hit.length,
      ),
  );
}

/**
 * Categories the tokens point to, in the order of their first mention. A token matches a keyword
 * or the category's own name; a phrase matches consecutive tokens, and a word inside a longer phrase
 * of another category counts only for that phrase ("monitor arm" is home office, not a monitor).
 * When no token names a category, each token of six letters or more is read as the keyword word one
 * edit away, if any: a slip ("watring can", "monitr arm"). Shorter words have too many real words
 * for neighbours, and a request that names a category already is read as written.
 */
export function matchCategories(tokens: readonly string[]): CategoryMatch[] {
  let hits = phraseHits(tokens.map(singular));
  if (hits.length === 0) {
    const corrected = tokens
      .map(singular)
      .map((token) =>
        token.length < MIN_TYPO_LENGTH
          ? token
          : (TYPO_TARGETS.find((target) => withinOneEdit(token, target)) ?? token),
      );
    hits = phraseHits(corrected);
  }
  const found = new Map<CatalogueCategory, { first: number; words: string[] }>();
  for (const { category, start, length } of hits) {
    const words = tokens.slice(start, start + length).join(' ');
    const entry = found.get(category) ?? { first: start, words: [] };
    entry.first = Math.min(entry.first, start);
    if (!entry.words.includes(words)) entry.words.push(words);
    found.set(category, entry);
  }
  return [...found.entries()]
    .sort(([a, x], [b, y]) => x.first - y.first || a.localeCompare(b))
    .map(([category, entry]) => ({ category, words: entry.words }));
}

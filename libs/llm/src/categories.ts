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

/**
 * Categories the tokens point to, in the order of their first mention. A token matches a keyword
 * or the category's own name; a phrase matches consecutive tokens.
 */
export function matchCategories(tokens: readonly string[]): CategoryMatch[] {
  const normalised = tokens.map(singular);
  const found = new Map<CatalogueCategory, { first: number; words: string[] }>();
  for (const category of CATALOGUE_CATEGORIES) {
    const phrases = [category.replace(/-/g, ' '), ...CATEGORY_KEYWORDS[category]].map((phrase) =>
      phrase.split(/[\s-]+/).map(singular),
    );
    for (let start = 0; start < normalised.length; start += 1) {
      for (const phrase of phrases) {
        if (phrase.every((part, offset) => normalised[start + offset] === part)) {
          const words = tokens.slice(start, start + phrase.length).join(' ');
          const entry = found.get(category) ?? { first: start, words: [] };
          if (!entry.words.includes(words)) entry.words.push(words);
          found.set(category, entry);
        }
      }
    }
  }
  return [...found.entries()]
    .sort(([a, x], [b, y]) => x.first - y.first || a.localeCompare(b))
    .map(([category, entry]) => ({ category, words: entry.words }));
}

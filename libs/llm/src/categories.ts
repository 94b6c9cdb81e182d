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

/**
 * Each category's phrases, its own name first and then its keywords in table order, as singular
 * words: split once here, since the planner matches every part of every request against them.
 */
const PHRASES: ReadonlyMap<CatalogueCategory, readonly (readonly string[])[]> = new Map(
  CATALOGUE_CATEGORIES.map((category) => [
    category,
    [category.replace(/-/g, ' '), ...CATEGORY_KEYWORDS[category]].map((phrase) =>
      phrase.split(/[\s-]+/).map(singular),
    ),
  ]),
);

interface PhraseEntry {
  readonly category: CatalogueCategory;
  /** The category's place in {@link CATALOGUE_CATEGORIES}: hits are reported in category order. */
  readonly rank: number;
  readonly words: readonly string[];
}

/**
 * The phrases by their first word, so a token is checked only against the phrases that can start
 * at it. Each list is in category order and, within a category, in the order of {@link PHRASES}.
 */
const PHRASES_BY_FIRST_WORD: ReadonlyMap<string, readonly PhraseEntry[]> = (() => {
  const index = new Map<string, PhraseEntry[]>();
  CATALOGUE_CATEGORIES.forEach((category, rank) => {
    for (const words of PHRASES.get(category) ?? []) {
      const first = words[0] ?? '';
      const entries = index.get(first) ?? [];
      entries.push({ category, rank, words });
      index.set(first, entries);
    }
  });
  return index;
})();

/** The words of the keyword table long enough to correct a slip towards, in a fixed order. */
const TYPO_TARGETS = [...new Set([...PHRASES.values()].flat(2))]
  .filter((word) => word.length >= MIN_TYPO_LENGTH)
  .sort();

/**
 * {@link TYPO_TARGETS} by the length of the word to correct, each list in that same order: one edit
 * changes a word's length by one at most, so the first target one edit away is the same in either.
 */
const TYPO_TARGETS_BY_LENGTH: ReadonlyMap<number, readonly string[]> = (() => {
  const byLength = new Map<number, string[]>();
  for (const target of TYPO_TARGETS)
    for (const length of [target.length - 1, target.length, target.length + 1]) {
      const targets = byLength.get(length) ?? [];
      targets.push(target);
      byLength.set(length, targets);
    }
  return byLength;
})();

const corrected = (token: string): string =>
  token.length < MIN_TYPO_LENGTH
    ? token
    : ((TYPO_TARGETS_BY_LENGTH.get(token.length) ?? []).find((target) => withinOneEdit(token, target)) ??
      token);

/**
 * Where the category phrases occur in the tokens: by category in {@link CATALOGUE_CATEGORIES} order,
 * then by position, then in phrase order (matchCategories lists a category's words in that order).
 */
function phraseHits(normalised: readonly string[]): Hit[] {
  const found: (Hit & { readonly rank: number })[] = [];
  for (let start = 0; start < normalised.length; start += 1) {
    const word = normalised[start];
    const entries = word === undefined ? undefined : PHRASES_BY_FIRST_WORD.get(word);
    if (entries === undefined) continue;
    for (const { category, rank, words } of entries) {
      if (words.every((part, offset) => normalised[start + offset] === part))
        found.push({ category, rank, start, length: words.length });
    }
  }
  if (found.length < 2) return found;
  // Found by position; a stable sort by category keeps position, then phrase order, within each.
  const hits = found.sort((a, b) => a.rank - b.rank);
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
  const normalised = tokens.map(singular);
  let hits = phraseHits(normalised);
  if (hits.length === 0) hits = phraseHits(normalised.map(corrected));
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

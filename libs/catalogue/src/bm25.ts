import { satisfies } from './constraints';
import { type CatalogueItem, type Constraints, type ScoredItem } from './types';

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** Term frequency multipliers: a hit in the title or tags counts twice a hit in the description. */
export const FIELD_WEIGHTS = { title: 2, tags: 2, category: 1, description: 1 } as const;

// Conversational filler ("I'd like something…") is dropped too, so chatty requests match like keyword ones.
const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both
  but by can could did do does doing down during each few for from further had has have having he her here hers
  herself him himself his how i id if im in into is it its itself just me more most my myself no nor not of off on
  once only or other our ours ourselves out over own same she should so some such than that the their theirs them
  themselves then there these they this those through to too under until up very was we were what when where which
  while who whom why will with would you your yours yourself yourselves
  also anything best buy get good great idea ideas like looking need new nice please really recommend
  recommendation recommendations someone something stuff suggest suggestion thing things want wants`.split(
    /\s+/,
  ),
);

// Letters NFKD does not decompose into base + accent.
const FOLDED_LETTERS: Readonly<Record<string, string>> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ł: 'l',
  đ: 'd',
  þ: 'th',
};

/**
 * Lowercases, strips diacritics and punctuation, and drops stopwords, one-letter words and bare numbers
 * (in requests those are prices and quantities, "under 80 euros", which constraints handle, not text match).
 */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[øæœßłđþ]/g, (letter) => FOLDED_LETTERS[letter] ?? letter)
    .replace(/['\u2019]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 1 && !/^\d+$/.test(word) && !STOPWORDS.has(word));
}

function stripPlural(word: string): string {
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}i`;
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

function stripVerbSuffix(word: string): string {
  const suffix = word.endsWith('ing') ? 'ing' : word.endsWith('ed') && !word.endsWith('eed') ? 'ed' : '';
  if (suffix === '') return word;
  const base = word.slice(0, -suffix.length);
  // "string", "shed", "bring": what is left is not a word stem.
  if (base.length < 3 || !/[aeiouy]/.test(base)) return word;
  // "running" -> "run", but "falling" -> "fall" and "dressed" -> "dress".
  return /([^aeioulsz])\1$/.test(base) ? base.slice(0, -1) : base;
}

/**
 * A light suffix stripper: plurals, -ing, -ed, a final -e and a final consonant+y, so that
 * hike/hikes/hiking/hiked, story/stories and game/games/gaming meet on one stem.
 * Not linguistically exact; what matters is that documents and queries go through the same function.
 */
export function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let result = stripVerbSuffix(stripPlural(word));
  if (result.length > 3 && result.endsWith('e')) result = result.slice(0, -1);
  if (result.length > 3 && /[^aeiou]y$/.test(result)) result = `${result.slice(0, -1)}i`;
  return result;
}

export function tokenize(text: string): string[] {
  return words(text).map(stem);
}

const MIN_FUZZY_LENGTH = 4;
const MAX_LOOK_ALIKES = 6;
/** Queries whose terms an index keeps: a task searches each of its queries several times. */
const CACHED_QUERIES = 256;

/** One insertion, deletion, substitution or swap of neighbours turns `a` into `b` (or they are equal). */
export function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

interface Posting {
  readonly doc: number;
  readonly tf: number;
}

export type ItemFilter = Constraints | ((item: CatalogueItem) => boolean);

export interface SearchOptions {
  /** Maximum results; default 10. */
  readonly limit?: number;
  /** Items failing the filter are never returned. */
  readonly filter?: ItemFilter;
}

const DEFAULT_LIMIT = 10;

function weightedTermFrequencies(item: CatalogueItem): Map<string, number> {
  const frequencies = new Map<string, number>();
  const add = (text: string, weight: number): void => {
    for (const term of tokenize(text)) frequencies.set(term, (frequencies.get(term) ?? 0) + weight);
  };
  add(item.title, FIELD_WEIGHTS.title);
  add(item.tags.join(' '), FIELD_WEIGHTS.tags);
  add(item.category, FIELD_WEIGHTS.category);
  add(item.description, FIELD_WEIGHTS.description);
  return frequencies;
}

function toPredicate(filter: ItemFilter | undefined): (item: CatalogueItem) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'function') return filter;
  return (item) => satisfies(item, filter);
}

/** Highest score first; equal scores fall back to id so results never depend on insertion order. */
export function compareScored(a: ScoredItem, b: ScoredItem): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0;
}

/**
 * `scored.sort(compare).slice(0, limit)` without sorting what falls past the limit: a search keeps
 * the best few of many hits. Entries that compare equal keep their order, as in the (stable) sort.
 * A score that is not a number compares inconsistently, so such a list is sorted whole, as before.
 */
export function topScored(
  scored: ScoredItem[],
  limit: number,
  compare: (a: ScoredItem, b: ScoredItem) => number = compareScored,
): ScoredItem[] {
  const count = Number.isNaN(limit) ? 0 : Math.min(scored.length, Math.max(0, Math.trunc(limit)));
  if (count === scored.length || scored.some((entry) => Number.isNaN(entry.score)))
    return scored.sort(compare).slice(0, count);
  const top: ScoredItem[] = [];
  for (const entry of scored) {
    const last = top[count - 1];
    // At or past the last one kept: a stable sort puts it after that one too.
    if (top.length === count && (last === undefined || compare(entry, last) >= 0)) continue;
    // After every kept entry that is not behind it.
    let low = 0;
    let high = top.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const kept = top[middle];
      if (kept !== undefined && compare(entry, kept) < 0) high = middle;
      else low = middle + 1;
    }
    top.splice(low, 0, entry);
    if (top.length > count) top.pop();
  }
  return top;
}

/**
 * Okapi BM25 over title, tags, category and description. Fields are merged into one weighted
 * bag of terms (a simplified BM25F): a title or tag occurrence adds 2 to the term frequency
 * and to the document length, a category or description occurrence adds 1.
 */
export class Bm25Index {
  private readonly items: readonly CatalogueItem[];
  private readonly lengths: number[] = [];
  private readonly postings = new Map<string, Posting[]>();
  private readonly averageLength: number;
  /** Every word of the catalogue, as written after folding, grouped by length, for spelling fallbacks. */
  private readonly vocabulary = new Map<number, Set<string>>();
  /** The terms of recent queries, oldest first: they depend only on the query and this index. */
  private readonly termsOfQuery = new Map<string, ReadonlyMap<string, string>>();

  constructor(items: readonly CatalogueItem[]) {
    this.items = [...items];
    for (const item of this.items) {
      for (const word of words(`${item.title} ${item.tags.join(' ')} ${item.category} ${item.description}`)) {
        const sameLength = this.vocabulary.get(word.length) ?? new Set<string>();
        sameLength.add(word);
        this.vocabulary.set(word.length, sameLength);
      }
    }
    this.items.forEach((item, doc) => {
      const frequencies = weightedTermFrequencies(item);
      let length = 0;
      for (const [term, tf] of frequencies) {
        length += tf;
        const list = this.postings.get(term) ?? [];
        list.push({ doc, tf });
        this.postings.set(term, list);
      }
      this.lengths.push(length);
    });
    const total = this.lengths.reduce((sum, length) => sum + length, 0);
    this.averageLength = this.items.length > 0 ? total / this.items.length : 0;
  }

  /** Items matching at least one query term, best first. A query of only stopwords matches nothing. */
  search(query: string, options: SearchOptions = {}): ScoredItem[] {
    const limit = options.limit ?? DEFAULT_LIMIT;
    const accepts = toPredicate(options.filter);
    const hits = new Map<number, { score: number; matched: string[] }>();
    for (const [term, surface] of this.cachedQueryTerms(query)) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const idf = this.idf(list.length);
      for (const { doc, tf } of list) {
        const hit = hits.get(doc) ?? { score: 0, matched: [] };
        hit.score += idf * this.saturate(tf, doc);
        hit.matched.push(surface);
        hits.set(doc, hit);
      }
    }
    const results: ScoredItem[] = [];
    for (const [doc, hit] of hits) {
      const item = this.items[doc];
      if (item !== undefined && accepts(item))
        results.push({ item, score: hit.score, matchedTerms: hit.matched });
    }
    return topScored(results, Math.max(0, limit));
  }

  private cachedQueryTerms(query: string): ReadonlyMap<string, string> {
    let terms = this.termsOfQuery.get(query);
    if (terms === undefined) {
      terms = this.queryTerms(query);
      if (this.termsOfQuery.size >= CACHED_QUERIES) {
        const oldest = this.termsOfQuery.keys().next();
        if (oldest.done !== true) this.termsOfQuery.delete(oldest.value);
      }
      this.termsOfQuery.set(query, terms);
    }
    return terms;
  }

  /**
   * Unique stems in query order, each mapped to the first word that produced it. A word of four
   * letters or more that the catalogue does not hold stands for the catalogue's words one edit away
   * ("hikng" for "hiking", "moniter" for "monitor"); each counts with its own idf, so a frequent
   * look-alike weighs little.
   */
  private queryTerms(query: string): Map<string, string> {
    const terms = new Map<string, string>();
    for (const word of words(query)) {
      const term = stem(word);
      const known = this.postings.has(term);
      if (known || word.length < MIN_FUZZY_LENGTH) {
        if (!terms.has(term)) terms.set(term, word);
        continue;
      }
      for (const alike of this.lookAlikes(word)) {
        const alikeTerm = stem(alike);
        if (!terms.has(alikeTerm)) terms.set(alikeTerm, word);
      }
    }
    return terms;
  }

  private lookAlikes(word: string): string[] {
    const found: string[] = [];
    for (let length = word.length - 1; length <= word.length + 1; length += 1) {
      for (const candidate of this.vocabulary.get(length) ?? []) {
        if (withinOneEdit(word, candidate)) found.push(candidate);
      }
    }
    return found.sort().slice(0, MAX_LOOK_ALIKES);
  }

  private idf(documentFrequency: number): number {
    const n = this.items.length;
    return Math.log(1 + (n - documentFrequency + 0.5) / (documentFrequency + 0.5));
  }

  private saturate(tf: number, doc: number): number {
    const length = this.lengths[doc] ?? 0;
    const norm = 1 - BM25_B + (BM25_B * length) / (this.averageLength || 1);
    return (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * norm);
  }
}

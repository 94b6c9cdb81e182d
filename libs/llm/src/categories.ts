/**
 * Words that point to a catalogue category, for the offline planner. Keep this the one place:
 * to teach the planner a word, add it to its category; to add a category, add a key.
 * Entries may be phrases ("board game"); a plural "s" on a query word is matched too.
 */
export const CATEGORY_KEYWORDS = {
  books: [
    'book',
    'novel',
    'read',
    'reading',
    'reader',
    'fiction',
    'nonfiction',
    'biography',
    'memoir',
    'poetry',
    'author',
    'paperback',
    'hardcover',
    'ebook',
    'comic',
    'manga',
    'literature',
  ],
  music: [
    'music',
    'album',
    'vinyl',
    'record',
    'song',
    'band',
    'jazz',
    'rock',
    'classical',
    'hip hop',
    'soundtrack',
    'guitar',
    'piano',
    'headphone',
    'concert',
  ],
  films: [
    'film',
    'movie',
    'cinema',
    'dvd',
    'blu-ray',
    'documentary',
    'director',
    'thriller',
    'comedy',
    'drama',
    'animation',
    'series',
  ],
  'board-games': [
    'board game',
    'boardgame',
    'tabletop',
    'card game',
    'puzzle',
    'chess',
    'dice',
    'strategy game',
    'party game',
    'cooperative',
    'game night',
  ],
  'video-games': [
    'video game',
    'videogame',
    'gaming',
    'console',
    'playstation',
    'xbox',
    'nintendo',
    'switch',
    'pc game',
    'rpg',
    'gamer',
  ],
  outdoor: [
    'outdoor',
    'hiking',
    'hike',
    'camping',
    'camp',
    'tent',
    'trail',
    'climbing',
    'backpacking',
    'mountain',
    'fishing',
    'kayak',
    'cycling',
    'bike',
    'nature',
  ],
  kitchen: [
    'kitchen',
    'cooking',
    'cook',
    'baking',
    'bake',
    'chef',
    'recipe',
    'knife',
    'pan',
    'pot',
    'coffee',
    'tea',
    'espresso',
    'cookware',
    'food',
  ],
  electronics: [
    'electronics',
    'gadget',
    'tech',
    'speaker',
    'camera',
    'phone',
    'tablet',
    'laptop',
    'charger',
    'smart home',
    'drone',
    'smartwatch',
    'earbud',
  ],
  fitness: [
    'fitness',
    'workout',
    'gym',
    'running',
    'run',
    'runner',
    'yoga',
    'exercise',
    'training',
    'dumbbell',
    'weights',
    'marathon',
    'sport',
    'sports',
  ],
  'travel-gear': [
    'travel',
    'trip',
    'luggage',
    'suitcase',
    'backpack',
    'passport',
    'flight',
    'journey',
    'vacation',
    'holiday',
    'adapter',
    'packing',
  ],
  'home-office': [
    'home office',
    'office',
    'desk',
    'chair',
    'monitor',
    'keyboard',
    'mouse',
    'productivity',
    'remote work',
    'stationery',
    'notebook',
    'lamp',
    'work from home',
  ],
  toys: [
    'toy',
    'kid',
    'kids',
    'child',
    'children',
    'toddler',
    'baby',
    'lego',
    'doll',
    'plush',
    'building blocks',
  ],
  beauty: [
    'beauty',
    'skincare',
    'skin',
    'makeup',
    'cosmetic',
    'fragrance',
    'perfume',
    'haircare',
    'hair',
    'nail',
    'spa',
    'grooming',
  ],
  garden: [
    'garden',
    'gardening',
    'plant',
    'seed',
    'flower',
    'herb',
    'soil',
    'lawn',
    'compost',
    'greenhouse',
    'pruning',
    'watering',
  ],
} as const satisfies Record<string, readonly string[]>;

export type CatalogueCategory = keyof typeof CATEGORY_KEYWORDS;

export const CATALOGUE_CATEGORIES = Object.keys(CATEGORY_KEYWORDS) as CatalogueCategory[];

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

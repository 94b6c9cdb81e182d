import { describe, expect, it } from 'vitest';
import { Bm25Index, compareScored, stem, tokenize, topScored, withinOneEdit, words } from './bm25';
import { makeItem, scored } from '@tributary/testing/catalogue/fixtures';

describe('tokenizer', () => {
  it('lowercases, strips punctuation and diacritics, and drops stopwords and bare numbers', () => {
    expect(words("I'd like a Crème-Brûlée torch, under 80 euros — for Zoë & Søren!")).toEqual([
      'creme',
      'brulee',
      'torch',
      'euros',
      'zoe',
      'soren',
    ]);
  });

  it('maps inflected forms to one stem', () => {
    expect(new Set(['hike', 'hikes', 'hiking', 'hiked'].map(stem))).toEqual(new Set(['hik']));
    expect(new Set(['boot', 'boots'].map(stem))).toEqual(new Set(['boot']));
    expect(new Set(['story', 'stories'].map(stem))).toEqual(new Set(['stori']));
    expect(new Set(['game', 'games', 'gaming'].map(stem))).toEqual(new Set(['gam']));
    expect(stem('running')).toBe(stem('run'));
    expect(stem('glasses')).toBe(stem('glass'));
  });

  it('leaves words alone when stripping would not leave a stem', () => {
    expect(stem('string')).toBe('string');
    expect(stem('shed')).toBe('shed');
    expect(stem('speed')).toBe('speed');
    expect(stem('4k')).toBe('4k');
  });

  it('splits hyphenated tags into their parts and stems each', () => {
    expect(words('space-opera sci-fi')).toEqual(['space', 'opera', 'sci', 'fi']);
    expect(tokenize('Space-Operas')).toEqual(tokenize('space opera'));
  });
});

const items = [
  makeItem({
    id: 'od-0001',
    title: 'Ridgeline Hike Boot',
    category: 'outdoor',
    tags: ['waterproof'],
    description: 'Leather upper.',
  }),
  makeItem({
    id: 'od-0002',
    title: 'Trail Running Shoes',
    category: 'outdoor',
    tags: ['running'],
    description: 'Fast on trails, light for hikers.',
  }),
  makeItem({
    id: 'bk-0001',
    title: 'The Silent Meridian',
    category: 'books',
    tags: ['sci-fi'],
    description: 'A meridian of silence.',
  }),
  makeItem({
    id: 'bk-0002',
    title: 'Meridian Tales',
    category: 'books',
    tags: ['sci-fi'],
    description: 'Stories from a silent station.',
  }),
  makeItem({
    id: 'bk-0003',
    title: 'Walking Guide',
    category: 'books',
    tags: ['hiking'],
    description: 'Routes and boots advice.',
    price: 30,
  }),
  makeItem({
    id: 'kt-0001',
    title: 'Cast-Iron Skillet',
    category: 'kitchen',
    tags: ['cookware'],
    description: 'Sears well.',
  }),
];

describe('Bm25Index', () => {
  const index = new Bm25Index(items);

  it('ranks an exact title match first', () => {
    const results = index.search('the silent meridian');
    expect(results[0]?.item.id).toBe('bk-0001');
    expect(results[0]?.matchedTerms).toEqual(['silent', 'meridian']);
    expect(results.map((result) => result.item.id)).toContain('bk-0002');
  });

  it('finds "hike boot" when asked for "hiking boots"', () => {
    const results = index.search('hiking boots');
    expect(results[0]?.item.id).toBe('od-0001');
    expect(results[0]?.matchedTerms).toEqual(['hiking', 'boots']);
  });

  it('weights title and tag hits above description hits', () => {
    // Same lengths, so without field weights these would tie and the id tie-break would put 'a' first.
    const descriptionHit = makeItem({ id: 'a', title: 'Torch', description: 'Brighter than a lantern.' });
    const titleHit = makeItem({ id: 'b', title: 'Lantern', description: 'Bright and small.' });
    const results = new Bm25Index([descriptionHit, titleHit]).search('lantern');
    expect(results.map((result) => result.item.id)).toEqual(['b', 'a']);
  });

  it('scores a rare term above a common one', () => {
    const results = index.search('skillet books');
    expect(results[0]?.item.id).toBe('kt-0001');
  });

  it('respects a constraints filter', () => {
    const results = index.search('hiking boots', { filter: { categories: ['books'] } });
    expect(results.map((result) => result.item.id)).toEqual(['bk-0003']);
    expect(
      index.search('hiking boots', { filter: { maxPrice: 20 } }).map((result) => result.item.id),
    ).not.toContain('bk-0003');
  });

  it('respects a predicate filter and the limit', () => {
    const results = index.search('meridian silent', { filter: (item) => item.id !== 'bk-0001', limit: 1 });
    expect(results.map((result) => result.item.id)).toEqual(['bk-0002']);
  });

  it('returns nothing for a query made only of stopwords or unknown words', () => {
    expect(index.search('the and of')).toEqual([]);
    expect(index.search('zeppelin')).toEqual([]);
  });

  it('breaks score ties by id, whatever the insertion order', () => {
    const twins = ['c', 'a', 'b'].map((id) => makeItem({ id, title: 'Identical Lamp' }));
    const forward = new Bm25Index(twins).search('lamp');
    const backward = new Bm25Index([...twins].reverse()).search('lamp');
    expect(forward.map((result) => result.item.id)).toEqual(['a', 'b', 'c']);
    expect(backward).toEqual(forward);
  });

  it('computes Okapi BM25 with k1 = 1.2 and b = 0.75', () => {
    const docs = [
      makeItem({ id: 'x', title: 'alpha', category: 'c' }),
      makeItem({ id: 'y', title: 'beta', category: 'c' }),
    ];
    // Each doc: title term weight 2 + category term weight 1 = length 3, average 3; "alpha" tf 2, df 1 of 2.
    const idf = Math.log(1 + (2 - 1 + 0.5) / (1 + 0.5));
    const expected = (idf * (2 * 2.2)) / (2 + 1.2);
    expect(new Bm25Index(docs).search('alpha')[0]?.score).toBeCloseTo(expected, 10);
  });
});

describe('spelling slips', () => {
  const index = new Bm25Index([
    makeItem({ id: 'mon', title: '4K Monitor', tags: ['monitor'] }),
    makeItem({ id: 'hose', title: 'Garden Hose', tags: ['hose', 'watering'] }),
    makeItem({ id: 'home', title: 'Home Planner', tags: ['home'] }),
    makeItem({ id: 'home-2', title: 'Home Lamp', tags: ['home'] }),
    makeItem({ id: 'home-3', title: 'Home Desk', tags: ['home'] }),
    makeItem({ id: 'boot', title: 'Hiking Boots', tags: ['hiking', 'boots'] }),
  ]);
  const found = (query: string): string[] => index.search(query).map((hit) => hit.item.id);

  it('reads a word the catalogue does not hold as the words one edit away, and names the word as typed', () => {
    expect(found('moniter')).toEqual(['mon']);
    expect(found('hikng bots')).toEqual(['boot']);
    expect(index.search('hikng')[0]?.matchedTerms).toEqual(['hikng']);
  });

  it('lets every look-alike count, so the rare one decides: "hoze" finds the hose above the home', () => {
    expect(found('hoze')[0]).toBe('hose');
  });

  it('leaves short words and words the catalogue holds as they are', () => {
    expect(found('bot')).toEqual([]);
    expect(found('lamp')).toEqual(['home-2']);
  });

  it('counts one insertion, deletion, substitution or swap of neighbours as one edit', () => {
    expect(['mixr', 'mixxer', 'mixor', 'mxier', 'mixer'].map((word) => withinOneEdit(word, 'mixer'))).toEqual(
      [true, true, true, true, true],
    );
    expect(withinOneEdit('mxr', 'mixer')).toBe(false);
    expect(withinOneEdit('mixre', 'mixer')).toBe(true);
    expect(withinOneEdit('maxir', 'mixer')).toBe(false);
  });
});

describe('topScored', () => {
  // Ties on score, an id given twice (kept in input order) and a score of minus zero.
  const hits = [
    scored(makeItem({ id: 'c' }), 2),
    scored(makeItem({ id: 'a' }), 1),
    scored(makeItem({ id: 'b' }), 2),
    scored(makeItem({ id: 'a' }), 2),
    scored(makeItem({ id: 'e' }), 0),
    scored(makeItem({ id: 'd' }), -0),
    scored(makeItem({ id: 'b' }), 2),
    scored(makeItem({ id: 'f' }), 3),
  ];
  const described = (list: readonly { item: { id: string }; score: number }[]): string[] =>
    list.map(({ item, score }) => `${item.id}:${score}`);

  it('keeps the first few in the order a full sort gives, the same entries', () => {
    const sorted = [...hits].sort(compareScored);
    for (const limit of [0, 1, 2, 3, 4, 5, 7, 8, 20, 2.5, Infinity, NaN]) {
      const top = topScored([...hits], limit);
      expect(top).toEqual(sorted.slice(0, limit));
      expect(top.every((entry, i) => entry === sorted[i])).toBe(true);
    }
    expect(described(topScored([...hits], 5))).toEqual(['f:3', 'a:2', 'b:2', 'b:2', 'c:2']);
    // Equal entries stay in input order: the first "b" first.
    const top = topScored([...hits], 3);
    expect(top[2]).toBe(hits[2]);
  });

  it('orders with the comparison it is given', () => {
    const lowestFirst = (a: { score: number }, b: { score: number }): number => a.score - b.score;
    // 0 and -0 compare equal here: input order.
    expect(described(topScored([...hits], 3, lowestFirst))).toEqual(['e:0', 'd:0', 'a:1']);
  });
});

describe('search results', () => {
  const index = new Bm25Index(
    Array.from({ length: 40 }, (_, i) =>
      makeItem({
        id: `i-${String(39 - i).padStart(2, '0')}`,
        title: i % 3 === 0 ? 'Trail Lamp' : 'Trail Mug',
        tags: i % 4 === 0 ? ['camping'] : [],
      }),
    ),
  );

  it('are the best within the limit, equal scores by id, and the same when a query is asked again', () => {
    const all = index.search('trail lamp camping', { limit: 100 });
    expect(all).toHaveLength(40);
    for (const limit of [1, 5, 13, 39])
      expect(index.search('trail lamp camping', { limit })).toEqual(all.slice(0, limit));
    expect(all.slice(0, 4).map((hit) => hit.item.id)).toEqual(['i-03', 'i-15', 'i-27', 'i-39']);
    expect(index.search('trail lamp camping', { limit: 100 })).toEqual(all);
    expect(index.search('trial lmap', { limit: 3 })).toEqual(index.search('trial lmap', { limit: 3 }));
  });
});

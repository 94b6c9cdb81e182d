import { describe, expect, it } from 'vitest';
import {
  constraintViolations,
  dcg,
  grade,
  type HardConstraints,
  type Intent,
  intentGrade,
  intentsCovered,
  intraListDiversity,
  type JudgedItem,
  type Judgement,
  ndcgAtK,
  percentile,
  reviseOutcomes,
} from './metrics';

const item = (id: string, category: string, tags: string[], price = 20): JudgedItem => ({
  id,
  category,
  tags,
  price,
});
const intent = (over: Partial<Intent>): Intent => ({
  label: 'x',
  categories: [],
  tags: [],
  items: [],
  ...over,
});
const NO_LIMITS: HardConstraints = {
  categories: [],
  minPrice: null,
  maxPrice: null,
  excludeItemIds: [],
  excludeTags: [],
};
const judgement = (over: Partial<Judgement> = {}): Judgement => ({
  intents: [],
  mustNot: { categories: [], tags: [], items: [] },
  constraints: NO_LIMITS,
  ...over,
});

const SCIFI = item('bk-1', 'books', ['sci-fi', 'space-opera'], 12);
const ROMANCE = item('bk-2', 'books', ['romance'], 9);
const BOOTS = item('od-1', 'outdoor', ['hiking', 'boots'], 140);
const TENT = item('od-2', 'outdoor', ['camping', 'tent'], 250);
const KNIFE = item('kt-1', 'kitchen', ['knife'], 60);

const SCIFI_BOOK = intent({ label: 'sci-fi book', categories: ['books'], tags: ['sci-fi'] });
const HIKING = intent({ label: 'hiking gear', categories: ['outdoor'], tags: ['hiking'] });

describe('intent grades', () => {
  it('grades 2 for the category and one of the tags, 1 for the category alone, 0 for another category', () => {
    expect(intentGrade(SCIFI, SCIFI_BOOK)).toBe(2);
    expect(intentGrade(ROMANCE, SCIFI_BOOK)).toBe(1);
    expect(intentGrade(BOOTS, SCIFI_BOOK)).toBe(0);
  });

  it('grades 2 for a named item whatever its category, and for any item of the category when no tag is named', () => {
    expect(intentGrade(KNIFE, intent({ categories: ['books'], items: ['kt-1'] }))).toBe(2);
    expect(intentGrade(TENT, intent({ categories: ['outdoor'] }))).toBe(2);
    expect(intentGrade(BOOTS, intent({ tags: ['hiking'] }))).toBe(2);
    expect(intentGrade(TENT, intent({ tags: ['hiking'] }))).toBe(1);
  });

  it('grades an item 0 for the request when it breaks a constraint or is ruled out, else its best intent', () => {
    const both = judgement({ intents: [SCIFI_BOOK, HIKING] });
    expect(grade(BOOTS, both)).toBe(2);
    expect(grade(ROMANCE, both)).toBe(1);
    expect(grade(KNIFE, both)).toBe(0);
    expect(grade(undefined, both)).toBe(0);
    expect(grade(BOOTS, { ...both, constraints: { ...NO_LIMITS, maxPrice: 100 } })).toBe(0);
    expect(grade(SCIFI, { ...both, mustNot: { categories: [], tags: ['space-opera'], items: [] } })).toBe(0);
  });
});

describe('nDCG', () => {
  it('sums (2^g − 1) / log2(rank + 1) over the first k grades', () => {
    // 3/1 + 1/log2(3) + 0 = 3.6309…
    expect(dcg([2, 1, 0, 2], 3)).toBeCloseTo(3 + 1 / Math.log2(3), 10);
  });

  it('is 1 for the ideal order and divides by the ideal DCG otherwise', () => {
    expect(ndcgAtK([2, 2, 1], [1, 2, 2, 0], 3)).toBe(1);
    // DCG of [0, 2, 1] = 3/log2(3) + 1/2 = 2.3928; ideal [2, 2, 1] = 3 + 3/log2(3) + 1/2 = 5.3928
    const expected = (3 / Math.log2(3) + 0.5) / (3 + 3 / Math.log2(3) + 0.5);
    expect(ndcgAtK([0, 2, 1], [2, 2, 1], 3)).toBeCloseTo(expected, 10);
    expect(expected).toBeCloseTo(0.4437, 4);
  });

  it('counts a short answer against a full ideal list, and is null when nothing can be relevant', () => {
    // [2] against [2, 2]: 3 / (3 + 3/log2(3)) = 0.3869
    expect(ndcgAtK([2], [2, 2], 5)).toBeCloseTo(3 / (3 + 3 / Math.log2(3)), 10);
    expect(ndcgAtK([0, 0], [0, 0, 0], 5)).toBeNull();
  });
});

describe('intent coverage', () => {
  const both = judgement({ intents: [SCIFI_BOOK, HIKING] });

  it('marks each intent served fully by at least one item', () => {
    expect(intentsCovered([SCIFI, SCIFI, ROMANCE], both)).toEqual([true, false]);
    expect(intentsCovered([ROMANCE, BOOTS], both)).toEqual([false, true]);
    expect(intentsCovered([BOOTS, SCIFI], both)).toEqual([true, true]);
    expect(intentsCovered([], both)).toEqual([false, false]);
  });

  it('does not count an item that breaks a constraint, is ruled out, or is no catalogue item', () => {
    const limited = { ...both, constraints: { ...NO_LIMITS, maxPrice: 100 } };
    expect(intentsCovered([SCIFI, BOOTS], limited)).toEqual([true, false]);
    const noSpaceOpera = { ...both, mustNot: { categories: [], tags: ['space-opera'], items: [] } };
    expect(intentsCovered([SCIFI, BOOTS], noSpaceOpera)).toEqual([false, true]);
    expect(intentsCovered([undefined], both)).toEqual([false, false]);
  });
});

describe('constraint violations', () => {
  it('names each broken limit: price either way, category, excluded tag, excluded item', () => {
    expect(constraintViolations(BOOTS, NO_LIMITS)).toEqual([]);
    expect(constraintViolations(BOOTS, { ...NO_LIMITS, maxPrice: 100 })).toEqual(['price 140 over 100']);
    expect(constraintViolations(BOOTS, { ...NO_LIMITS, maxPrice: 140 })).toEqual([]);
    expect(constraintViolations(ROMANCE, { ...NO_LIMITS, minPrice: 10 })).toEqual(['price 9 under 10']);
    expect(constraintViolations(KNIFE, { ...NO_LIMITS, categories: ['books', 'outdoor'] })).toEqual([
      'category kitchen not allowed',
    ]);
    expect(
      constraintViolations(TENT, {
        ...NO_LIMITS,
        maxPrice: 200,
        excludeTags: ['tent', 'hiking'],
        excludeItemIds: ['od-2'],
      }),
    ).toEqual(['price 250 over 200', 'item od-2 excluded', 'tag tent excluded']);
  });
});

describe('diversity and revise rounds', () => {
  it('averages 1 − Jaccard over pairs of tag sets (category included)', () => {
    // {books, sci-fi, space-opera} vs {books, romance}: 1 shared of 4 → 0.75; either vs an outdoor item → 1.
    expect(intraListDiversity([SCIFI, ROMANCE])).toBeCloseTo(0.75, 10);
    expect(intraListDiversity([SCIFI, ROMANCE, BOOTS])).toBeCloseTo((0.75 + 1 + 1) / 3, 10);
    expect(intraListDiversity([SCIFI, SCIFI])).toBe(0);
    expect(intraListDiversity([SCIFI])).toBe(0);
  });

  it('counts the revise rounds followed by a round that scored higher', () => {
    expect(
      reviseOutcomes([
        { round: 1, score: 0.5, verdict: 'revise' },
        { round: 2, score: 0.5, verdict: 'revise' },
        { round: 3, score: 0.8, verdict: 'approved' },
      ]),
    ).toEqual({ revised: 2, raised: 1 });
    expect(reviseOutcomes([{ round: 1, score: 0.4, verdict: 'revise' }])).toEqual({ revised: 0, raised: 0 });
    expect(reviseOutcomes([{ round: 1, score: 0.9, verdict: 'approved' }])).toEqual({
      revised: 0,
      raised: 0,
    });
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNull();
  });
});

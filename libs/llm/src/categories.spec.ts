import { describe, expect, it } from 'vitest';
import { matchCategories } from './categories';

const words = (text: string): string[] => text.split(' ');

describe('matchCategories', () => {
  it('reads a keyword, a phrase, or the category’s own name', () => {
    expect(matchCategories(words('a chess set'))).toEqual([{ category: 'board-games', words: ['chess'] }]);
    expect(matchCategories(words('a sleeping bag'))).toEqual([
      { category: 'outdoor', words: ['sleeping bag'] },
    ]);
    expect(matchCategories(words('home office things'))).toEqual([
      { category: 'home-office', words: ['home office', 'office'] },
    ]);
  });

  it('matches a plural "s" on a query word, in a phrase too, but not a double "s"', () => {
    expect(matchCategories(words('sleeping bags'))).toEqual([
      { category: 'outdoor', words: ['sleeping bags'] },
    ]);
    expect(matchCategories(words('records'))).toEqual([{ category: 'music', words: ['records'] }]);
    expect(matchCategories(words('boardgames'))).toEqual([
      { category: 'board-games', words: ['boardgames'] },
    ]);
    expect(matchCategories(words('glass'))).toEqual([]);
    // Short words keep their "s": "cds" is no "cd".
    expect(matchCategories(words('cd'))).toEqual([{ category: 'music', words: ['cd'] }]);
    expect(matchCategories(words('cds'))).toEqual([]);
  });

  it('lists a category’s words in query order, each once, the shorter phrase before the longer at one place', () => {
    expect(matchCategories(words('a desk lamp'))).toEqual([
      { category: 'home-office', words: ['desk', 'desk lamp', 'lamp'] },
    ]);
    expect(matchCategories(words('hiking hiking hikes'))).toEqual([
      { category: 'outdoor', words: ['hiking', 'hikes'] },
    ]);
    expect(matchCategories(words('two player board games'))).toEqual([
      { category: 'board-games', words: ['two player', 'board games'] },
    ]);
  });

  it('counts a word inside a longer phrase of another category only for that phrase', () => {
    // "monitor" is electronics and home office; "monitor arm" is home office alone.
    expect(matchCategories(words('a monitor arm'))).toEqual([
      { category: 'home-office', words: ['monitor', 'monitor arm'] },
    ]);
    // The same word elsewhere in the request still counts for both.
    expect(matchCategories(words('monitor monitor arm monitor'))).toEqual([
      { category: 'electronics', words: ['monitor'] },
      { category: 'home-office', words: ['monitor', 'monitor arm'] },
    ]);
    expect(matchCategories(words('a monitor arm and a mechanical keyboard'))).toEqual([
      { category: 'home-office', words: ['monitor', 'monitor arm'] },
      { category: 'electronics', words: ['mechanical keyboard', 'keyboard'] },
    ]);
  });

  it('gives a phrase of two categories to both, equal first mentions in category name order', () => {
    expect(matchCategories(words('a strategy game'))).toEqual([
      { category: 'board-games', words: ['strategy game'] },
      { category: 'video-games', words: ['strategy game'] },
    ]);
    expect(matchCategories(words('cast iron skillets and board games'))).toEqual([
      { category: 'kitchen', words: ['cast iron', 'skillets'] },
      { category: 'board-games', words: ['board games'] },
    ]);
  });

  it('reads a long word one edit from a keyword word as that word, only when nothing matched as written', () => {
    expect(matchCategories(words('a watring can'))).toEqual([
      { category: 'garden', words: ['watring', 'watring can'] },
    ]);
    expect(matchCategories(words('a monitr arm'))).toEqual([
      { category: 'home-office', words: ['monitr', 'monitr arm'] },
    ]);
    expect(matchCategories(words('headphnes'))).toEqual([{ category: 'electronics', words: ['headphnes'] }]);
    // Five letters is too short to correct; a request that names a category is read as written.
    expect(matchCategories(words('chesz'))).toEqual([]);
    expect(matchCategories(words('headphnes and a tent'))).toEqual([
      { category: 'outdoor', words: ['tent'] },
    ]);
    expect(matchCategories(words('bicycle'))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { splitIntents } from './intents';

const summary = (query: string, allowed: string[] = []): [string, string[]][] =>
  splitIntents(query, allowed).map((intent) => [intent.text, intent.categories]);

describe('splitIntents', () => {
  it('splits "X and Y" into one intent per thing asked for, each with the categories its words name', () => {
    expect(summary('wireless headphones and an ergonomic chair for my desk')).toEqual([
      ['wireless headphones', ['electronics']],
      ['an ergonomic chair for my desk', ['home-office']],
    ]);
    expect(summary('a co-op video game and a fantasy novel')).toEqual([
      ['a co-op video game', ['video-games']],
      ['a fantasy novel', ['books']],
    ]);
  });

  it('splits on commas, "plus" and "as well as"', () => {
    expect(summary('jazz vinyl, a noir film, plus a mystery book').map(([, c]) => c)).toEqual([
      ['music'],
      ['films'],
      ['books'],
    ]);
    expect(summary('a tent as well as a cookbook').map(([text]) => text)).toEqual(['a tent', 'a cookbook']);
  });

  it('splits on the joints of the other languages the catalogue reads', () => {
    expect(summary('un roman et un film').map(([, c]) => c)).toEqual([['books'], ['films']]);
    expect(summary('un libro y una película').map(([, c]) => c)).toEqual([['books'], ['films']]);
    expect(summary('ein Buch und ein Film').map(([, c]) => c)).toEqual([['books'], ['films']]);
  });

  it('reads the item words and glued nouns of other languages', () => {
    expect(summary('Gartenhandschuhe und eine Gartenschere')).toEqual([
      ['Gartenhandschuhe', ['garden']],
      ['eine Gartenschere', ['garden']],
    ]);
    const [knife] = splitIntents('ein gutes Kochmesser');
    expect(knife).toMatchObject({ categories: ['kitchen'], words: ['kochmesser', 'cooking', 'knife'] });
    expect(summary('un jeu de société coopératif pour la famille')).toEqual([
      ['un jeu de société coopératif pour la famille', ['board-games']],
    ]);
  });

  it('reads a word inside a longer keyword phrase as that phrase only', () => {
    expect(summary('a monitor arm')).toEqual([['a monitor arm', ['home-office']]]);
    expect(summary('a 4k monitor')).toEqual([['a 4k monitor', ['electronics', 'home-office']]]);
  });

  it('reads a long word one slip away from a keyword when nothing else names a category', () => {
    expect(summary('a watring can')).toEqual([['a watring can', ['garden']]]);
    expect(summary('a monitr arm')).toEqual([['a monitr arm', ['home-office']]]);
    // A request that names a category already is read as written; short words are never corrected.
    expect(summary('un videojuego cooperativo')).toEqual([['un videojuego cooperativo', ['video-games']]]);
    expect(summary('a hoze')).toEqual([['a hoze', []]]);
  });

  it('keeps a part that names no category with its neighbour, as written', () => {
    expect(summary('black and white films')).toEqual([['black and white films', ['films']]]);
    expect(summary('a novel, nothing too long')).toEqual([['a novel, nothing too long', ['books']]]);
  });

  it('never makes an intent of what the request rules out, nor searches for it', () => {
    const [game, ...rest] = splitIntents('a strategy game for the PC, no racing or sports');
    expect(rest).toEqual([]);
    expect(game).toMatchObject({
      text: 'a strategy game for the PC, no racing or sports',
      categories: ['board-games', 'video-games'],
      words: ['strategy', 'game', 'pc'],
    });
    expect(summary('a novel, no horror and a film')).toEqual([
      ['a novel, no horror', ['books']],
      ['a film', ['films']],
    ]);
  });

  it('points a kind of thing the catalogue files in several categories to each of them', () => {
    expect(summary('a strategy game')).toEqual([['a strategy game', ['board-games', 'video-games']]]);
    expect(summary('a daypack')).toEqual([['a daypack', ['outdoor']]]);
    expect(summary('a backpack')).toEqual([['a backpack', ['outdoor', 'travel-gear']]]);
  });

  it('never splits inside a hyphenated word', () => {
    expect(summary('an e-reader and a co-op board game').map(([text]) => text)).toEqual([
      'an e-reader',
      'a co-op board game',
    ]);
  });

  it('is one intent, the whole request, when no part names a category', () => {
    expect(summary('something fun and relaxing for the weekend')).toEqual([
      ['something fun and relaxing for the weekend', []],
    ]);
  });

  it('names the tags an intent implies, in catalogue spelling', () => {
    const [novel, gear] = splitIntents('a gripping science-fiction novel and gear for weekend hikes');
    expect(novel).toMatchObject({ id: 'intent-1', categories: ['books'], tags: ['sci-fi'] });
    expect(gear).toMatchObject({ id: 'intent-2', categories: ['outdoor'], tags: ['hiking'] });
    expect(splitIntents('a sci-fi strategy game')[0]?.tags).toEqual(['sci-fi', 'strategy']);
  });

  it('reads a tag spelling of several words anywhere in the text, a one-word spelling only as a whole word', () => {
    const tagsAndWords = (query: string): [string[], string[]][] =>
      splitIntents(query).map((intent) => [intent.tags, intent.words]);
    expect(tagsAndWords('science fiction and a coop board game for the kids')).toEqual([
      [['sci-fi'], ['science', 'fiction']],
      [
        ['co-op', 'kids'],
        ['coop', 'board', 'game', 'kids'],
      ],
    ]);
    expect(tagsAndWords('noise-cancelling bluetooth headphones plus an sf novel, no horror')).toEqual([
      [
        ['noise-cancelling', 'wireless'],
        ['noise', 'cancelling', 'bluetooth', 'headphones'],
      ],
      [['sci-fi'], ['sf', 'novel']],
    ]);
    // "hiker's" is one word, not "hiker"; "co op" is read across the words.
    expect(tagsAndWords("a hiker's gift: wireless speaker or a co op game")).toEqual([
      [
        ['co-op', 'gift', 'wireless'],
        ["hiker's", 'gift', 'wireless', 'speaker', 'co', 'op', 'game'],
      ],
    ]);
    // The English of foreign words counts too: "Kinder" → "kids".
    expect(tagsAndWords('Ein Spiel für Kinder, kooperativ')).toEqual([
      [
        ['co-op', 'kids'],
        ['spiel', 'kinder', 'kooperativ', 'game', 'kids'],
      ],
    ]);
  });

  it('keeps only the categories the request allows', () => {
    expect(summary('a novel and a film', ['books'])).toEqual([['a novel and a film', ['books']]]);
  });
});

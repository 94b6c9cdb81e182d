import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_CATEGORIES, CATEGORY_KEYWORDS } from '../categories';
import { compoundParts, GLOSSARY_ENGLISH, withEnglish } from './glossary';

describe('compoundParts', () => {
  it('splits a glued noun into the known words it is made of, head last', () => {
    expect(compoundParts('gartenhandschuhe')).toEqual(['garten', 'handschuhe']);
    expect(compoundParts('kochmesser')).toEqual(['koch', 'messer']);
    expect(compoundParts('yogamatte')).toEqual(['yoga', 'matte']);
  });

  it('reads the letters German puts between the parts', () => {
    expect(compoundParts('kuchenmesser')).toEqual(['kuche', 'messer']);
    expect(compoundParts('wanderungsrucksack')).toEqual(['wanderung', 'rucksack']);
  });

  it('leaves known words, short words and words of unknown parts alone', () => {
    expect(compoundParts('headphones')).toEqual([]);
    expect(compoundParts('schere')).toEqual([]);
    expect(compoundParts('lighthouse')).toEqual([]);
  });
});

describe('withEnglish', () => {
  it('adds the English words for foreign words and compounds after the text, which stays as written', () => {
    expect(withEnglish('ein gutes kochmesser')).toBe('ein gutes kochmesser cooking knife');
    expect(withEnglish('une cocotte en fonte')).toBe('une cocotte en fonte dutch oven cast iron');
    expect(withEnglish('un jeu de societe')).toBe('un jeu de societe game');
    expect(withEnglish('eine gießkanne')).toBe('eine gießkanne watering can');
  });

  it('returns an English request as it is', () => {
    expect(withEnglish('a wireless keyboard and a desk lamp')).toBe('a wireless keyboard and a desk lamp');
  });

  it('translates only into words the catalogue or the keyword table uses', () => {
    const catalogue = readFileSync(
      fileURLToPath(new URL('../../../../data/catalogue.jsonl', import.meta.url)),
      'utf8',
    ).toLowerCase();
    const keywords = new Set(CATALOGUE_CATEGORIES.flatMap((category) => CATEGORY_KEYWORDS[category]));
    const unknown = GLOSSARY_ENGLISH.filter(
      (english) => !keywords.has(english) && !new RegExp(`\\b${english}\\b`).test(catalogue),
    );
    expect(unknown).toEqual([]);
  });
});

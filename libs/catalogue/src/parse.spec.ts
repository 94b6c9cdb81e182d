import { describe, expect, it } from 'vitest';
import { DataFormatError, parseCatalogueJsonl, parseProfilesJsonl } from './parse';

const SOURCE = 'data/catalogue.jsonl';

const validItem = {
  id: 'bk-0001',
  title: 'The Silent Meridian',
  category: 'books',
  tags: ['sci-fi', 'space-opera'],
  description: 'A salvage pilot finds a signal.',
  price: 14.99,
  currency: 'EUR',
  rating: 4.4,
  attributes: { author: 'Amara Okafor', pages: 412 },
};

const line = (value: unknown): string => JSON.stringify(value);

function captureError(run: () => unknown): DataFormatError {
  try {
    run();
  } catch (error) {
    if (error instanceof DataFormatError) return error;
    throw error;
  }
  throw new Error('expected a DataFormatError');
}

describe('parseCatalogueJsonl', () => {
  it('parses valid lines, skipping blank ones and tolerating CRLF and a BOM', () => {
    const text = `\uFEFF${line(validItem)}\r\n\r\n${line({ ...validItem, id: 'bk-0002', rating: undefined, attributes: undefined })}\n`;
    const items = parseCatalogueJsonl(text, SOURCE);
    expect(items.map((item) => item.id)).toEqual(['bk-0001', 'bk-0002']);
    expect(items[0]).toEqual(validItem);
    expect(items[1]?.rating).toBeUndefined();
    expect(items[1]?.attributes).toEqual({});
  });

  it('names the file, line number and field of a bad value', () => {
    const text = [line(validItem), line({ ...validItem, id: 'bk-0002', price: -3 })].join('\n');
    const error = captureError(() => parseCatalogueJsonl(text, SOURCE));
    expect(error.issues).toEqual([{ line: 2, message: 'price must be a non-negative number' }]);
    expect(error.message).toContain('data/catalogue.jsonl:2: price must be a non-negative number');
  });

  it('reports every bad line and field in one error, not just the first', () => {
    const text = [
      line({ ...validItem, id: 'bk-0001' }),
      'not json at all',
      line({ ...validItem, id: 'bk-0003', currency: 'euro', tags: ['Sci Fi'] }),
      '[1, 2]',
      line({ ...validItem, id: 'bk-0005', title: '', rating: 7, attributes: { nested: { no: true } } }),
      line({ ...validItem, id: 'bk-0001' }),
    ].join('\n');
    const error = captureError(() => parseCatalogueJsonl(text, SOURCE));
    const messages = error.issues.map((issue) => `${issue.line}: ${issue.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^2: line is not valid JSON/),
      '3: tags[0] must be a lowercase slug like "sci-fi"',
      '3: currency must be a three-letter currency code like "EUR"',
      '4: line must be a JSON object',
      '5: title must be a non-empty string',
      '5: rating must be a number from 0 to 5',
      '5: attributes.nested must be a string, number or boolean',
      '6: id "bk-0001" duplicates line 1',
    ]);
    expect(error.message.split('\n')[0]).toBe('data/catalogue.jsonl: 8 problem(s) on 5 line(s)');
  });

  it('reports missing required fields by name', () => {
    const { id: _id, price: _price, ...rest } = validItem;
    const error = captureError(() => parseCatalogueJsonl(line(rest), SOURCE));
    expect(error.issues.map((issue) => issue.message)).toEqual(['id is required', 'price is required']);
  });

  it('rejects repeated tags within an item', () => {
    const error = captureError(() =>
      parseCatalogueJsonl(line({ ...validItem, tags: ['gift', 'eco', 'gift'] }), SOURCE),
    );
    expect(error.issues).toEqual([{ line: 1, message: 'tags[2] repeats "gift"' }]);
  });
});

describe('parseProfilesJsonl', () => {
  const validProfile = {
    userId: 'u-alice',
    displayName: 'Alice',
    interests: { 'sci-fi': 0.9 },
    preferredCategories: ['books'],
    dislikedTags: ['horror'],
    budget: { max: 80, currency: 'EUR' },
    history: ['bk-0003'],
  };

  it('parses a profile and defaults optional lists', () => {
    const [full, minimal] = parseProfilesJsonl(
      [line(validProfile), line({ userId: 'u-min', displayName: 'Min' })].join('\n'),
      'data/profiles.jsonl',
    );
    expect(full).toEqual(validProfile);
    expect(minimal).toEqual({
      userId: 'u-min',
      displayName: 'Min',
      interests: {},
      preferredCategories: [],
      dislikedTags: [],
      history: [],
    });
  });

  it('names the line and field of bad interests, budget and duplicates', () => {
    const text = [
      line(validProfile),
      line({
        ...validProfile,
        userId: 'u-bob',
        interests: { hiking: 1.5 },
        budget: { max: -1, currency: 'EUR' },
      }),
      line({ ...validProfile, history: 'bk-0001' }),
    ].join('\n');
    const error = captureError(() => parseProfilesJsonl(text, 'data/profiles.jsonl'));
    expect(error.message).toContain('data/profiles.jsonl:2: interests.hiking must be a number from 0 to 1');
    expect(error.message).toContain('data/profiles.jsonl:2: budget.max must be a non-negative number');
    expect(error.message).toContain('data/profiles.jsonl:3: history must be an array of item ids');
    expect(error.message).toContain('data/profiles.jsonl:3: userId "u-alice" duplicates line 1');
  });
});

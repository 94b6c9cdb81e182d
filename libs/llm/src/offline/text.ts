/** Words that carry no search meaning in a recommendation request. */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could do does for from get give got has have having he her him his how i if in into is it its ' +
    'just me more most my no not of on one or our please she so some something somebody someone such than that the their them then there ' +
    'these they this those to too up us very was we were what when where which who why will with would you your yours ' +
    'about after also any anything around best better good great really nice new like likes love loves want wants wanted need needs ' +
    'looking look find show recommend recommends recommendation recommendations suggest suggestion suggestions idea ideas ' +
    'things thing stuff item items kind sort maybe under over below above less cheap cheaper affordable budget price euros eur dollars usd ' +
    // The same words in the other languages requests come in: articles, prepositions, "good", "for me".
    'ein eine einen einem einer der die das den dem des fur mit von zum zur im auf aus bei nach ohne gut gute guten gutes guter mein meine ich mir ' +
    'un une le la les du de des pour avec dans sur mon ma mes bon bonne bons moi ' +
    'una unos unas el los las del para con por mi buen buena buenos yo ' +
    'uno il lo gli di da dei degli delle della per nel buon buono buona mio mia io'
  ).split(' '),
);

/** Lower-case words and numbers of a text, in order, with repeats. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) ?? [];
}

/** The request's meaningful words: tokens without stopwords, numbers or repeats, in order. */
export function keywords(text: string): string[] {
  return [
    ...new Set(
      tokenize(text).filter((token) => token.length > 1 && !STOPWORDS.has(token) && !/^\d+$/.test(token)),
    ),
  ];
}

export function quoteList(words: readonly string[]): string {
  return words.map((word) => `"${word}"`).join(', ');
}

export function money(amount: number, currency: string): string {
  return `${amount.toFixed(2)} ${currency}`;
}

import { type CategoryMatch, matchCategories } from '../categories';
import { withEnglish } from './glossary';
import { keywords, tokenize } from './text';

/** One thing a request asks for, as the offline planner reads it. */
export interface Intent {
  /** `intent-<n>`, in the order the request states them. */
  readonly id: string;
  /** The words of the request that state it, as written. */
  readonly text: string;
  /** Categories its words name (within the request's allowed categories); empty when none. */
  readonly categories: string[];
  /** The words that pointed to those categories, per category. */
  readonly matches: CategoryMatch[];
  /** Catalogue-style tags its other words imply ("science fiction" → "sci-fi"). */
  readonly tags: string[];
  /** Its search words: keywords without stopwords, in order. */
  readonly words: string[];
}

/**
 * Words that join two things asked for, in the languages the catalogue's text folding reads
 * (English, German, French, Spanish, Italian, Portuguese, Dutch, the Nordic languages).
 * Longer phrases come first so "as well as" is one joint, not "as", "well", "as".
 */
const JOINTS = [
  'as well as',
  'along with',
  'together with',
  'ainsi que',
  'as well',
  'and also',
  'and',
  'plus',
  'or',
  'und',
  'sowie',
  'oder',
  'et',
  'ou',
  'y',
  'o',
  'e',
  'og',
  'och',
  'eller',
  'en',
  'of',
];

// A joint stands between spaces (or is punctuation), so "e-reader" and "co-op" are never split.
const JOINT_PATTERN = new RegExp(
  `(\\s*[,;&+/]\\s*|(?<=\\s)(?:${JOINTS.map((joint) => joint.replace(/ /g, '\\s+')).join('|')})(?=\\s))`,
  'iu',
);

/**
 * Spellings that name a catalogue tag in other words. Tags are slugs ("sci-fi", "co-op"); a request
 * says "science fiction" or "coop". Only general vocabulary lives here, never a request's wording.
 */
const TAG_SPELLINGS: Readonly<Record<string, string>> = {
  'science fiction': 'sci-fi',
  'science-fiction': 'sci-fi',
  'sci-fi': 'sci-fi',
  scifi: 'sci-fi',
  sf: 'sci-fi',
  'co op': 'co-op',
  coop: 'co-op',
  cooperative: 'co-op',
  'co-operative': 'co-op',
  'co-op': 'co-op',
  cooperativo: 'co-op',
  cooperatif: 'co-op',
  kooperativ: 'co-op',
  multiplayer: 'multiplayer',
  hike: 'hiking',
  hikes: 'hiking',
  hiking: 'hiking',
  hiker: 'hiking',
  camp: 'camping',
  camping: 'camping',
  kid: 'kids',
  kids: 'kids',
  children: 'kids',
  child: 'kids',
  family: 'family',
  families: 'family',
  'noise cancelling': 'noise-cancelling',
  'noise-cancelling': 'noise-cancelling',
  wireless: 'wireless',
  bluetooth: 'wireless',
  ergonomic: 'ergonomic',
  mystery: 'mystery',
  mysteries: 'mystery',
  detective: 'detective',
  fantasy: 'fantasy',
  horror: 'horror',
  romance: 'romance',
  thriller: 'thriller',
  thrillers: 'thriller',
  jazz: 'jazz',
  vinyl: 'vinyl',
  noir: 'noir',
  coffee: 'coffee',
  espresso: 'espresso',
  tea: 'tea',
  baking: 'baking',
  bread: 'bread',
  sourdough: 'sourdough',
  vegetables: 'vegetables',
  vegetable: 'vegetables',
  herbs: 'herbs',
  herb: 'herbs',
  birdwatching: 'birdwatching',
  birds: 'birdwatching',
  running: 'running',
  yoga: 'yoga',
  strategy: 'strategy',
  rpg: 'rpg',
  gift: 'gift',
  present: 'gift',
};

/** Lower case without accents, so "vidéo" meets "video" and "Küche" meets "kuche". */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

const isPhrase = (spelling: string): boolean => spelling.split(/[\s]+/).length > 1 || spelling.includes('-');
/** The tag spellings of several words (or with a hyphen), found anywhere in the text, with their tags. */
const PHRASE_SPELLINGS: readonly (readonly [string, string])[] = Object.entries(TAG_SPELLINGS).filter(
  ([spelling]) => isPhrase(spelling),
);
/** The one-word tag spellings, found as a token of the text, with their tags. */
const WORD_SPELLINGS: ReadonlyMap<string, string> = new Map(
  Object.entries(TAG_SPELLINGS).filter(([spelling]) => !isPhrase(spelling)),
);

/** `folded` is the text as {@link englishOf} gives it. */
function impliedTags(folded: string): string[] {
  const tags = new Set<string>();
  for (const [spelling, tag] of PHRASE_SPELLINGS) if (folded.includes(spelling)) tags.add(tag);
  for (const token of tokenize(folded)) {
    const tag = WORD_SPELLINGS.get(token);
    if (tag !== undefined) tags.add(tag);
  }
  return [...tags].sort();
}

/** A text folded, with the English for its foreign words: what its categories, tags and words are read from. */
const englishOf = (text: string): string => withEnglish(fold(text));

interface Segment {
  text: string;
  matches: CategoryMatch[];
  /** The text without its ruled-out parts: what to search for. */
  wanted: string;
}

/** Words that open a part the request rules out ("no racing or sports"), in the same languages. */
const NEGATIONS = new Set(
  'no not without except nothing none nor ohne kein keine keinen nicht sans pas aucun sin ni senza niente geen niet zonder ingen inga uden utan'.split(
    ' ',
  ),
);
/** Joints that carry a ruled-out part's negation on to the next part ("no racing or sports"). */
const ALTERNATIVES = new Set(['or', 'nor', 'oder', 'ou', 'o', 'ni', 'of', 'eller', '/', ',']);

const negated = (part: string): boolean => NEGATIONS.has(tokenize(fold(part))[0] ?? '');

function segmentOf(text: string, allowed: readonly string[], english: (text: string) => string): Segment {
  const matches = matchCategories(tokenize(english(text))).filter(
    (match) => allowed.length === 0 || allowed.includes(match.category),
  );
  return { text, matches, wanted: text };
}

/**
 * Splits a request into the things it asks for: "X and Y", "X, Y plus Z", "X as well as Y", and the
 * same joints in the other languages the catalogue reads. A part that names no category ("black" in
 * "black and white films", "under 50 euros") is not an intent of its own: it joins its neighbour.
 * A request whose parts name no category at all is one intent, the whole request.
 */
export function splitIntents(query: string, allowedCategories: readonly string[] = []): Intent[] {
  const allowed = allowedCategories.map((category) => category.toLowerCase());
  // A part is read again as it joins its neighbours, and a segment once more for its tags and words.
  const read = new Map<string, string>();
  const english = (text: string): string => {
    let folded = read.get(text);
    if (folded === undefined) {
      folded = englishOf(text);
      read.set(text, folded);
    }
    return folded;
  };
  // split() with a capturing group keeps the joints at odd indexes, so merged parts read as written.
  const pieces = query.trim().split(JOINT_PATTERN);
  const joined = (left: string, joint: string, right: string): string =>
    `${left}${joint.trim() === ',' ? ', ' : ` ${joint.trim()} `}${right}`.replace(/\s+/g, ' ');
  const segments: Segment[] = [];
  let pending: { text: string; joint: string } | undefined;
  let ruledOut = false;
  for (let index = 0; index < pieces.length; index += 2) {
    const part = pieces[index]?.trim() ?? '';
    const joint = pieces[index - 1] ?? ' ';
    if (part === '') continue;
    // A ruled-out part names what the request does not want: never an intent, whatever it names.
    ruledOut = negated(part) || (ruledOut && ALTERNATIVES.has(joint.trim().toLowerCase()));
    const text = pending === undefined ? part : joined(pending.text, joint, part);
    const segment = ruledOut
      ? { text, matches: [], wanted: pending?.text ?? '' }
      : segmentOf(text, allowed, english);
    const previous = segments.at(-1);
    if (ruledOut && pending === undefined && previous !== undefined) {
      segments[segments.length - 1] = { ...previous, text: joined(previous.text, joint, part) };
      continue;
    }
    if (segment.matches.length > 0) {
      segments.push(segment);
      pending = undefined;
    } else {
      pending = { text, joint: pending?.joint ?? joint };
    }
  }
  const last = segments.at(-1);
  if (pending !== undefined) {
    if (last === undefined) segments.push(segmentOf(pending.text, allowed, english));
    else
      segments[segments.length - 1] = {
        text: joined(last.text, pending.joint, pending.text),
        matches: last.matches,
        wanted: joined(last.wanted, pending.joint, pending.text),
      };
  }
  if (segments.length === 0) segments.push(segmentOf(query.trim(), allowed, english));
  return segments.map((segment, index) => ({
    id: `intent-${index + 1}`,
    text: segment.text,
    categories: segment.matches.map((match) => match.category),
    matches: segment.matches,
    tags: impliedTags(english(segment.wanted)),
    words: keywords(english(segment.wanted)),
  }));
}

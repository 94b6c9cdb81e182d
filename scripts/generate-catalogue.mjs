#!/usr/bin/env node
// Generates data/catalogue.jsonl and data/profiles.jsonl deterministically.
// Usage: node scripts/generate-catalogue.mjs [outDir]   (default: ./data)
// Each category draws from its own seeded PRNG, so editing one category leaves the others' items unchanged.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------------
// Seeded randomness and text helpers

function hashSeed(text) {
  let h = 2166136261;
  for (const ch of text) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

function createRandom(seedText) {
  let state = hashSeed(seedText);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const shuffle = (list) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
  const sample = (list, n) => shuffle(list).slice(0, n);
  return { next, int, pick, chance, shuffle, sample };
}

const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

// "a apprentice" -> "an apprentice"; leaves "a user"/"a unique" alone.
const fixArticles = (text) => text.replace(/\b([Aa]) (?=[aeio]|u(?!ni|s[aeu]|ti))/g, '$1n ');

/**
 * Fills {slot} placeholders. Values come from `vars` first, then a random pick from `banks`.
 * {slot2} draws from the same bank as {slot} but never repeats a value within one template.
 */
function fill(rng, template, banks, vars = {}) {
  const used = new Map();
  const text = template.replace(/\{([a-zA-Z]+?)(\d?)\}/g, (_, base, suffix) => {
    const key = base + suffix;
    if (key in vars) return String(vars[key]);
    const bank = banks[base];
    if (!bank) throw new Error(`no bank or variable for {${key}} in "${template}"`);
    const taken = used.get(base) ?? new Set();
    const options = bank.filter((value) => !taken.has(value));
    const value = rng.pick(options.length > 0 ? options : bank);
    taken.add(value);
    used.set(base, taken);
    return value;
  });
  return fixArticles(capitalise(text));
}

function uniqueTitle(seen, make) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const title = make();
    if (!seen.has(title)) {
      seen.add(title);
      return title;
    }
  }
  throw new Error('could not find a unique title; widen the title banks');
}

/** Retries `make` a few times for a sentence not used before; repeats are tolerated, just made rare. */
function freshText(seen, make, attempts = 25) {
  let text = make();
  for (let i = 1; i < attempts && seen.has(text); i++) text = make();
  seen.add(text);
  return text;
}

function price(rng, [min, max]) {
  const whole = rng.int(Math.floor(min), Math.floor(max));
  return Number((whole + rng.pick([0.99, 0.99, 0.49, 0.95, 0.0])).toFixed(2));
}

// Ratings skew high, as real shop ratings do.
const rating = (rng) => Math.round((4.9 - 1.6 * rng.next() ** 1.7) * 10) / 10;

const grams = (rng, min, max, step = 10) => Math.round(rng.int(min, max) / step) * step;

// ---------------------------------------------------------------------------------------------
// People and shared phrasing

const FIRST_NAMES = [
  'Amara',
  'Jonas',
  'Ines',
  'Tomasz',
  'Leila',
  'Mateo',
  'Saoirse',
  'Kenji',
  'Priya',
  'Ottilie',
  'Rafael',
  'Hanne',
  'Dmitri',
  'Zainab',
  'Lucas',
  'Freya',
  'Tobias',
  'Mireille',
  'Kwame',
  'Aoife',
  'Elif',
  'Henrik',
  'Noor',
  'Caspian',
  'Yara',
  'Bruno',
  'Signe',
  'Ravi',
  'Clementine',
  'Malik',
  'Ingrid',
  'Teodor',
  'Alma',
  'Idris',
  'Lucia',
  'Wen',
  'Margot',
  'Emeka',
  'Sofia',
  'Anders',
];
const LAST_NAMES = [
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Kowalski',
  'Haddad',
  'Fernández',
  'Byrne',
  'Takahashi',
  'Raman',
  'Vogel',
  'Castellano',
  'Brandt',
  'Volkov',
  'Mensah',
  'Delacroix',
  'Nakamura',
  'Ashworth',
  'Petrova',
  'Osei',
  'Quinlan',
  'Demir',
  'Halvorsen',
  'Rahimi',
  'Whitlock',
  'Santos',
  'Eriksen',
  'Iyer',
  'Marchetti',
  'Adeyemi',
  'Ferreira',
  'Novak',
  'Sørensen',
  'Calloway',
  'Baptiste',
  'Lindgren',
  'Achebe',
  'Varga',
  'Thorne',
  'Ruiz',
  'Kaur',
];
const personName = (rng) => `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;

/** Clauses that follow "It …" in product descriptions, keyed by shared tag. */
const SHARED_TAG_CLAUSES = {
  beginner: [
    'is forgiving enough for complete beginners',
    'makes a sensible first buy',
    'is easy to get along with from day one',
  ],
  gift: [
    'arrives gift-boxed',
    'makes a dependable gift that actually gets used',
    'comes in gift-ready packaging',
  ],
  eco: [
    'is made largely from recycled materials',
    'is designed to be repaired rather than replaced',
    'uses responsibly sourced materials and ships plastic-free',
  ],
  family: [
    'holds up well to family use',
    'is easy for kids and adults alike to use',
    'suits busy family households',
  ],
  compact: [
    'packs down impressively small',
    'takes up very little space',
    'tucks away neatly when not in use',
  ],
  premium: [
    'feels genuinely premium in the hand',
    'is finished to a very high standard',
    'justifies its price over years of use',
  ],
  value: [
    'is very good value for the money',
    'undercuts most rivals on price',
    'punches well above its modest price',
  ],
  durable: ['is built to last for years', 'shrugs off hard use', 'comes with a long warranty'],
  lightweight: ['is noticeably light', 'barely registers in a bag', 'saves weight without feeling flimsy'],
  minimalist: ['has a clean, minimalist look', 'keeps the design pared back and quiet'],
};

// ---------------------------------------------------------------------------------------------
// Books

const FICTION_NOTES = [
  '{author} balances {quality} with {quality2}.',
  'Expect {quality} and {quality2} over {pages} pages.',
  'A {praise} novel that pairs {quality} with {quality2}.',
  'Readers single out its {quality} and {quality2}.',
  '{author} writes with {quality}, and the ending lands.',
  'It is a {praise} read, heavy on {quality}.',
];
const PRAISE = [
  'gripping',
  'thoughtful',
  'big-hearted',
  'ambitious',
  'tightly plotted',
  'assured',
  'unusual',
  'addictive',
  'elegant',
];

const FICTION = {
  'sci-fi': {
    tags: ['sci-fi'],
    sub: ['space-opera', 'cyberpunk', 'dystopia', 'first-contact'],
    titles: [
      'The {adj} {noun}',
      '{noun} of {place}',
      'Beyond {place}',
      'The {noun} at {place}',
      '{adj} {noun}',
    ],
    hooks: ['{role} {where} {twist}.', 'When {event}, {role} {where} must {goal}.'],
    banks: {
      adj: [
        'Silent',
        'Distant',
        'Hollow',
        'Last',
        'Burning',
        'Drowned',
        'Quiet',
        'Shattered',
        'Ninth',
        'Long',
        'Cold',
        'Borrowed',
        'Patient',
      ],
      noun: [
        'Meridian',
        'Orbit',
        'Signal',
        'Horizon',
        'Lattice',
        'Relay',
        'Archive',
        'Engine',
        'Tide',
        'Frontier',
        'Lantern',
        'Census',
      ],
      place: [
        'Kepler Reach',
        'Tethys',
        'the Outer Ring',
        'Vesta',
        'Halcyon Deep',
        'the Cinder Belt',
        'Proxima',
        'Callisto',
      ],
      role: [
        'a salvage pilot',
        'a disgraced navigator',
        'a xenolinguist',
        "a ship's doctor",
        'a colony engineer',
        'a retired war AI',
        'a courier with a borrowed face',
        'a teenage hacker',
        'an insurance investigator',
      ],
      where: [
        'aboard a failing generation ship',
        'on a mining station above Titan',
        'in a flooded, neon-lit Lagos',
        'on the last crewed relay past Neptune',
        'in a city run by a benevolent algorithm',
        'on a terraformed Mars that is quietly failing',
      ],
      twist: [
        'uncovers a signal that repeats her own voice',
        'learns the colony charter was forged',
        'has to bargain with something that thinks in centuries',
        "finds the crew's memories have been edited",
        'is hired to steal a patent on the weather',
        'inherits a starship with a grudge',
      ],
      event: [
        'the jump gates fall silent',
        'an alien probe parks itself over Jakarta',
        "the colony's oxygen ledger stops balancing",
        'a dead captain starts sending messages',
      ],
      goal: [
        'decide who gets to go home',
        'keep a fragile truce alive',
        'prove the machines are not lying',
        'find out who rewrote the star charts',
      ],
      quality: [
        'rigorous science',
        'sharp dialogue',
        'real emotional weight',
        'vivid world-building',
        'dry humour',
        'propulsive pacing',
        'big ideas',
        'quiet melancholy',
      ],
    },
  },
  fantasy: {
    tags: ['fantasy'],
    sub: ['epic-fantasy', 'dragons', 'cozy-fantasy'],
    titles: [
      'The {adj} {thing}',
      '{thing} of {place}',
      'The {title} of {place}',
      'A {thing} for the {title}',
    ],
    hooks: ['{role} {where} {twist}.', 'When {event}, {role} must {goal}.'],
    banks: {
      adj: ['Ember', 'Salt', 'Thorn', 'Glass', 'Ashen', 'Winter', 'Gilded', 'Sunken', 'Iron', 'Hollow'],
      thing: ['Throne', 'Crown', 'Oath', 'Orchard', 'Blade', 'Song', 'Map', 'Bell', 'Harvest', 'Tithe'],
      place: [
        'Harrowmere',
        'Vell',
        'the Reedlands',
        'Dunmarrow',
        'Kestrel Isle',
        'Old Tamsk',
        'the Salt Coast',
      ],
      title: ['Witch', 'Cartographer', 'Bellwright', 'Heir', 'Ferryman', 'Falconer'],
      role: [
        'an apprentice cartographer',
        'an exiled queen',
        'a hedge witch with a debt',
        'a dragon who has given up fire',
        'a retired knight turned innkeeper',
        'a thief who steals only memories',
        "a lighthouse keeper's daughter",
      ],
      where: [
        'in a kingdom built on a sleeping giant',
        'in the floating markets of Vell',
        'on an island where the tides keep time',
        'in a city of bridges and bargains',
        'at the edge of a forest that moves at night',
      ],
      twist: [
        'discovers the royal line was bought from a river spirit',
        'is drafted into a war fought with borrowed names',
        'finds a map that redraws itself after every lie',
        'must hide a newly hatched dragon from the tax collectors',
        'strikes a bargain that costs one memory a day',
      ],
      event: [
        'the last dragon egg is stolen',
        "the king's shadow walks off on its own",
        'winter refuses to end',
        'the old gods send a bill',
      ],
      goal: [
        'cross three hostile kingdoms on foot',
        'unite rivals who would rather kill each other',
        'learn a magic that is forbidden for good reason',
        'protect a village that does not want saving',
      ],
      quality: [
        'intricate magic rules',
        'sweeping battles',
        'found-family warmth',
        'morally grey heroes',
        'lyrical prose',
        'a rich, lived-in world',
        'sly humour',
        'mythic scope',
      ],
    },
  },
  mystery: {
    tags: ['mystery'],
    sub: ['detective', 'thriller', 'noir', 'cozy-mystery'],
    titles: [
      'Death at {place}',
      'The {place} Affair',
      'A {adj} Alibi',
      'The {ordinal} Witness',
      '{adj} Water',
      'Murder on the {vehicle}',
    ],
    hooks: ['{role} investigates {crime} {where}.', '{crime} {where} draws {role} into {complication}.'],
    banks: {
      place: [
        'Marlow Quay',
        'Hallam House',
        'the Grand Pavilion',
        'Saint Agnes Row',
        'Lake Varne',
        'the Old Observatory',
        'Cobble Lane',
      ],
      adj: ['Cold', 'Convenient', 'Borrowed', 'Perfect', 'Quiet', 'Crooked', 'Bitter'],
      ordinal: ['Second', 'Third', 'Ninth', 'Last', 'Silent'],
      vehicle: ['Night Ferry', 'Sleeper to Vienna', 'Coastal Line', 'Riverboat'],
      role: [
        'a retired schoolteacher',
        'a sharp-tongued forensic accountant',
        'a detective inspector on her last case',
        'a small-town baker',
        'a burned-out private investigator',
        'a crossword setter',
        'an ex-con turned locksmith',
      ],
      crime: [
        'a poisoning at a charity gala',
        'the disappearance of a celebrated violinist',
        'a locked-room death',
        'a string of thefts from a seaside museum',
        'a hit-and-run nobody will talk about',
        'a forged will',
      ],
      where: [
        'in a snowbound Alpine hotel',
        'in 1950s Lisbon',
        'on a remote Scottish island',
        'in a sleepy Cotswold village',
        'in rain-soaked Rotterdam',
        'aboard a river cruise',
      ],
      complication: [
        'a web of family secrets',
        'a decades-old cover-up',
        'a feud between rival restaurateurs',
        'a case the police closed too quickly',
        'a conspiracy reaching the city council',
      ],
      quality: [
        'fair-play clues',
        'a satisfying twist',
        'sharp, witty dialogue',
        'a strong sense of place',
        'tense pacing',
        'a cast of suspects worth suspecting',
        'bleak atmosphere',
        'cosy charm',
      ],
    },
  },
  horror: {
    tags: ['horror'],
    sub: ['gothic', 'ghost-story'],
    titles: [
      'The House on {street}',
      'What the {noun} Remembers',
      'Hollow {noun}',
      '{noun} Season',
      'The {noun} Beneath',
    ],
    hooks: ['{role} {where} {twist}.'],
    banks: {
      street: ['Ashby Lane', 'Wren Street', 'Gallows Hill', 'Mercy Road', 'Lowther Close'],
      noun: ['Well', 'Orchard', 'Lake', 'Attic', 'Choir', 'Marsh', 'Nursery', 'Chapel'],
      role: [
        'a grieving widower',
        'a newly hired nanny',
        'a folklore student',
        'a night-shift nurse',
        'a family of five',
        'an estate agent',
      ],
      where: [
        'moves into a farmhouse on the edge of the fens',
        'takes a job at a shuttered seaside asylum',
        'returns to a village that still leaves offerings at the crossroads',
        'inherits a house where every clock runs backwards',
      ],
      twist: [
        'and starts hearing a child counting in the walls',
        'and realises the neighbours have been waiting for them',
        'only to find the previous tenant never left',
        'and learns why nobody swims in the lake',
      ],
      quality: [
        'creeping dread',
        'genuinely frightening set pieces',
        'a claustrophobic atmosphere',
        'grief handled with care',
        'folk-tale menace',
        'an ending that lingers',
      ],
    },
  },
  romance: {
    tags: ['romance'],
    sub: ['romantic-comedy', 'historical'],
    titles: [
      '{season} in {city}',
      'The {noun} Next Door',
      'Love and the {noun}',
      'A {adj} Arrangement',
      'The {noun} Summer',
    ],
    hooks: ['{role} and {role2} {situation}.'],
    banks: {
      season: ['Summer', 'Winter', 'Autumn', 'Spring'],
      city: ['Porto', 'Kyoto', 'Edinburgh', 'Naples', 'Copenhagen', 'Marrakesh'],
      noun: ['Bookshop', 'Florist', 'Lighthouse', 'Vineyard', 'Bakery', 'Cartographer'],
      adj: ['Convenient', 'Scandalous', 'Temporary', 'Sensible', 'Reckless'],
      role: [
        'a burned-out chef',
        'a stubborn botanist',
        'a wedding photographer',
        'a disgraced architect',
        'a bookshop owner',
        'a grumpy ferry captain',
        'a widowed violin maker',
      ],
      situation: [
        'are forced to share a crumbling villa for one summer',
        'keep running into each other at the same funerals',
        'must fake an engagement to save a family vineyard',
        'compete for the same restoration job',
        'get snowed in at a mountain inn over New Year',
      ],
      quality: [
        'crackling banter',
        'a slow-burn build',
        'warm humour',
        'a swoon-worthy ending',
        'a lovingly drawn setting',
        'real emotional stakes',
      ],
    },
  },
};

const NON_FICTION = {
  history: {
    tags: ['history', 'non-fiction'],
    hooks: ['{adj} account of {topic}, drawing on {sources}.'],
    notes: ['{author} {keeps} {angle}.', 'Across {pages} pages, {author} {keeps} {angle}.'],
    banks: {
      adj: ['a vivid', 'a meticulous', 'a brisk, readable', 'a revisionist', 'an absorbing', 'a panoramic'],
      sources: [
        'ship logs and customs ledgers',
        'newly opened archives',
        'letters, diaries and court records',
        'decades of fieldwork',
        'interviews with the last surviving witnesses',
      ],
      keeps: ['makes a strong case for', 'keeps the focus on', 'never loses sight of', 'shines a light on'],
      angle: [
        'the ordinary people caught up in events',
        'the role of weather and disease',
        'the women older histories left out',
        'how small decisions shaped big outcomes',
      ],
    },
    entries: [
      {
        title: 'The Salt Roads: How a Mineral Made Empires',
        topic: 'the salt trade from Roman Britain to colonial India',
      },
      {
        title: 'Sea of Lanterns: The Forgotten Voyages of the Indian Ocean',
        topic: 'medieval Indian Ocean seafaring',
      },
      {
        title: 'Red Telephone: Spies and Scientists in a Divided Europe',
        topic: 'scientific espionage during the Cold War',
      },
      {
        title: 'Cathedral Builders: Life and Labour in the Middle Ages',
        topic: 'the masons and labourers behind Gothic cathedrals',
      },
      { title: 'The Long Winter of 1709', topic: "the great frost that froze Europe's rivers" },
      {
        title: 'Ice Maps: Polar Expeditions and the Price of Ambition',
        topic: 'nineteenth-century polar exploration',
      },
      {
        title: 'The Harbour Ledger: Trade and Smuggling in the Baltic',
        topic: 'Hanseatic merchants and smugglers',
      },
    ],
  },
  'popular-science': {
    tags: ['popular-science', 'non-fiction'],
    hooks: [
      '{adj} tour of {topic}, written for curious readers with no background in the field.',
      '{adj} look at {topic} that makes the latest research feel personal.',
    ],
    notes: ['{author} {keeps} {angle}.', 'In {pages} pages, {author} {keeps} {angle}.'],
    banks: {
      adj: ['a funny, clear-eyed', 'a lucid', 'a wonder-filled', 'a myth-busting', 'an accessible'],
      keeps: ['explains', 'walks through', 'untangles', 'makes sense of'],
      angle: [
        'the experiments behind each idea',
        'what scientists still disagree about',
        'why the everyday details matter',
        'the history of each discovery',
      ],
    },
    entries: [
      {
        title: 'Small Wonders: The Secret Lives of Soil Microbes',
        topic: 'the microbes that keep soil alive',
      },
      {
        title: 'The Patient Sky: A Field Guide to the Night',
        topic: 'stars, planets and how to find them from your garden',
      },
      {
        title: 'Heat Budget: What the Climate Models Actually Say',
        topic: 'climate models and their uncertainties',
      },
      {
        title: 'Counting on Chance: Probability in Everyday Life',
        topic: 'probability, risk and everyday decisions',
      },
      { title: 'The Quantum Kitchen: Physics at the Stove', topic: 'the physics hidden in everyday cooking' },
      {
        title: 'Deep Time Walking: Reading Rocks on the Trail',
        topic: 'the geology you can see on a weekend hike',
        tag: 'hiking',
      },
      { title: 'Mind the Gap: The New Science of Sleep', topic: 'how sleep shapes memory and mood' },
    ],
  },
  cookbook: {
    tags: ['cookbook'],
    hooks: ['{count} recipes for {topic}, from {dishes}.'],
    notes: ['{author} {keeps} {angle}.', 'Each chapter {opens} {angle}.'],
    banks: {
      keeps: ['explains', 'focuses on', 'never skimps on'],
      opens: ['opens with', 'builds on', 'leans on'],
      angle: [
        'the techniques behind each dish',
        'shopping lists and make-ahead tips',
        'substitutions for hard-to-find ingredients',
        'cooking on a weeknight budget',
      ],
    },
    entries: [
      {
        title: 'Green Weeknights: Fast Vegan Dinners',
        topic: 'fast plant-based dinners',
        dishes: 'smoky chickpea stew to sesame noodle bowls',
        tag: 'vegan',
      },
      {
        title: 'Crumb: The Home Baker\u2019s Handbook',
        topic: 'bread, cakes and pastry at home',
        dishes: 'sourdough boules to cardamom buns',
        tag: 'baking',
      },
      {
        title: 'Jars and Crocks: Fermenting at Home',
        topic: 'kimchi, kraut and kombucha',
        dishes: 'quick pickles to a year-old miso',
        tag: 'fermentation',
      },
      {
        title: 'Nonna\u2019s Table: Southern Italian Home Cooking',
        topic: 'southern Italian family cooking',
        dishes: 'orecchiette with greens to slow-cooked ragù',
      },
      {
        title: 'Rice, Broth, Pickle: Everyday Japanese',
        topic: 'everyday Japanese home cooking',
        dishes: 'miso soup to katsu curry',
      },
      {
        title: 'One Pan, Twenty Minutes',
        topic: 'quick meals with minimal washing-up',
        dishes: 'harissa traybakes to creamy lemon orzo',
      },
      {
        title: 'The Campfire Cookbook',
        topic: 'cooking outdoors over fire and stove',
        dishes: 'skillet cornbread to ember-roasted squash',
        tag: 'camping',
      },
      {
        title: 'Cast Iron Every Day',
        topic: 'getting the most from a cast-iron pan',
        dishes: 'crisp-edged eggs to dutch-oven bread',
        tag: 'cast-iron',
      },
    ],
  },
  'outdoor-guide': {
    tags: ['guidebook', 'non-fiction'],
    hooks: [
      '{adj} guide to {topic}, with maps, gear lists and honest advice.',
      '{adj} companion for {topic}, built around {sources}.',
    ],
    notes: ['{author} {keeps} {angle}.', 'The {pages}-page guide {keeps} {angle}.'],
    banks: {
      adj: ['a practical', 'a beautifully illustrated', 'a no-nonsense', 'an inspiring', 'a pocket-sized'],
      sources: ['twenty tested routes', 'seasonal itineraries', 'first-hand trip reports'],
      keeps: ['covers', 'is especially good on', 'does not skip'],
      angle: [
        'navigation and weather',
        'leave-no-trace ethics',
        'planning on a small budget',
        'what to do when plans go wrong',
      ],
    },
    entries: [
      {
        title: 'Walking the Dolomites: Hut-to-Hut Hiking for Everyone',
        topic: 'hut-to-hut hiking in the Dolomites',
        tag: 'hiking',
      },
      {
        title: 'Hike Smart: Navigation, Weather and Safety on the Trail',
        topic: 'hiking safely in changeable weather',
        tag: 'hiking',
        extra: 'beginner',
      },
      { title: 'Wild Camping in Scandinavia', topic: 'wild camping under the right to roam', tag: 'camping' },
      {
        title: 'The Long Trail: A Year on Europe\u2019s Great Walks',
        topic: 'long-distance walking routes across Europe',
        tag: 'hiking',
      },
      {
        title: 'Birds of the Northern Woods',
        topic: 'identifying woodland birds by sight and song',
        tag: 'birdwatching',
      },
      {
        title: 'Paddle North: Canoe Journeys in Finland',
        topic: 'multi-day canoe trips through the Finnish lakes',
      },
      {
        title: 'Family Trails: Short Hikes Kids Will Love',
        topic: 'short hikes that keep children interested',
        tag: 'hiking',
        extra: 'family',
      },
    ],
  },
  'self-help': {
    tags: ['self-help', 'non-fiction'],
    hooks: ['{adj} guide to {topic}, grounded in {sources}.'],
    notes: ['{author} {keeps} {angle}.', 'Short chapters {keeps} {angle}.'],
    banks: {
      adj: ['a kind, practical', 'a refreshingly sceptical', 'a concise', 'a warm and useful'],
      sources: [
        'research rather than slogans',
        "the author's years as a coach",
        'interviews with hundreds of workers',
      ],
      keeps: ['focus on', 'keep returning to', 'end with exercises on'],
      angle: [
        'small, repeatable changes',
        'protecting time for deep work',
        'rest as a skill',
        'setting boundaries without guilt',
      ],
    },
    entries: [
      {
        title: 'Deep Afternoon: Focused Work in a Distracted Office',
        topic: 'doing focused work amid constant interruptions',
        tag: 'productivity',
      },
      { title: 'The Quiet Hour: Mindfulness for Sceptics', topic: 'mindfulness without the mysticism' },
      { title: 'Small Habits, Long Years', topic: 'building habits that survive real life' },
      {
        title: 'Working From Anywhere Without Losing Your Mind',
        topic: 'remote work that stays sustainable',
      },
      {
        title: 'Your First Marathon: A Sixteen-Week Plan',
        topic: 'training for a first marathon',
        tag: 'running',
        extra: 'beginner',
      },
    ],
  },
};

const BOOK_PLAN = [
  ['sci-fi', 12],
  ['fantasy', 10],
  ['mystery', 10],
  ['horror', 5],
  ['romance', 6],
  ['history', 7],
  ['popular-science', 7],
  ['cookbook', 8],
  ['outdoor-guide', 7],
  ['self-help', 5],
];

function bookBasics(rng) {
  const format = rng.pick(['paperback', 'paperback', 'hardcover', 'ebook']);
  const range = { paperback: [8, 16], hardcover: [18, 34], ebook: [4, 9] }[format];
  return { author: personName(rng), format, year: rng.int(1996, 2025), price: price(rng, range) };
}

function fictionBook(rng, genreName, seen, sentences) {
  const genre = FICTION[genreName];
  const { author, format, year, price: cost } = bookBasics(rng);
  const pages = rng.int(220, 640);
  const title = uniqueTitle(seen, () => fill(rng, rng.pick(genre.titles), genre.banks));
  const banks = { ...genre.banks, praise: PRAISE };
  const hook = freshText(sentences, () => fill(rng, rng.pick(genre.hooks), banks));
  const note = freshText(sentences, () => fill(rng, rng.pick(FICTION_NOTES), banks, { author, pages }));
  const tags = [...genre.tags, ...rng.sample(genre.sub, rng.int(1, 2))];
  if (year < 2006) tags.push('classic');
  if (rng.chance(0.2)) tags.push(rng.pick(['award-winning', 'gift']));
  return {
    title,
    tags,
    description: `${hook} ${note}`,
    price: cost,
    attributes: { author, pages, format, year },
  };
}

function nonFictionBook(rng, genreName, entry, sentences) {
  const genre = NON_FICTION[genreName];
  const { author, format, year, price: cost } = bookBasics(rng);
  const pages = rng.int(180, 480);
  const vars = { topic: entry.topic, dishes: entry.dishes ?? '', count: rng.int(60, 140), author, pages };
  const hook = fill(rng, rng.pick(genre.hooks), genre.banks, vars);
  const note = freshText(sentences, () => fill(rng, rng.pick(genre.notes), genre.banks, vars));
  const tags = [...genre.tags];
  if (entry.tag) tags.push(entry.tag);
  if (entry.extra) tags.push(entry.extra);
  if (rng.chance(0.25)) tags.push(rng.pick(['gift', 'beginner']));
  return {
    title: entry.title,
    tags: [...new Set(tags)],
    description: `${hook} ${note}`,
    price: cost,
    attributes: { author, pages, format, year },
  };
}

function books(rng) {
  const seen = new Set();
  const sentences = new Set();
  const items = [];
  for (const [genreName, count] of BOOK_PLAN) {
    const entries = NON_FICTION[genreName] ? rng.shuffle(NON_FICTION[genreName].entries) : [];
    for (let i = 0; i < count; i++) {
      items.push(
        FICTION[genreName]
          ? fictionBook(rng, genreName, seen, sentences)
          : nonFictionBook(rng, genreName, entries[i], sentences),
      );
    }
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Music

const MUSIC_GENRES = {
  jazz: {
    artist: ['the {first} {last} Quartet', 'the {first} {last} Trio', 'the {last} Sextet'],
    hook: '{artist} stretched out over {tracks} tracks of {style}, recorded {where}.',
    style: [
      'modal hard bop',
      'brushed-drum ballads',
      'loose, spiritual post-bop',
      'Latin-tinged standards',
      'knotty original compositions',
    ],
    moods: ['instrumental', 'chill', 'live-recording'],
  },
  classical: {
    hook: '{performer} {plays} {repertoire} in a recording made {where}.',
    plays: [
      'brought fresh clarity to',
      'took an unhurried approach to',
      'found new warmth in',
      'gave a fiery reading of',
    ],
    works: [
      {
        album: 'Bach: The Cello Suites',
        artist: '{first} {last}, cello',
        performer: 'cellist {first} {last}',
        repertoire: 'Bach\u2019s six cello suites',
      },
      {
        album: 'Beethoven: The Late Quartets',
        artist: 'the {last} String Quartet',
        performer: 'the {last} String Quartet',
        repertoire: 'Beethoven\u2019s late string quartets',
      },
      {
        album: 'Debussy: Pr\u00e9ludes, Books I & II',
        artist: '{first} {last}, piano',
        performer: 'pianist {first} {last}',
        repertoire: 'both books of Debussy\u2019s preludes',
      },
      {
        album: 'Schubert: The Last Three Sonatas',
        artist: '{first} {last}, piano',
        performer: 'pianist {first} {last}',
        repertoire: 'Schubert\u2019s final piano sonatas',
      },
      {
        album: 'Vivaldi: The Four Seasons',
        artist: 'the {city} Baroque Ensemble',
        performer: 'the {city} Baroque Ensemble',
        repertoire: 'Vivaldi\u2019s Four Seasons on period instruments',
      },
      {
        album: 'Satie & Mompou: Quiet Music',
        artist: '{first} {last}, piano',
        performer: 'pianist {first} {last}',
        repertoire: 'miniatures by Satie and Mompou',
      },
      {
        album: 'Brahms: Symphonies 3 & 4',
        artist: 'the Orchestre de {city} under {first} {last}',
        performer: 'the Orchestre de {city} under {first} {last}',
        repertoire: 'two of Brahms\u2019s late symphonies',
      },
    ],
    moods: ['instrumental', 'chill', 'classic'],
  },
  rock: {
    artist: ['The {adj} {plural}', '{adj} {plural}', '{first} and the {plural}'],
    hook: '{artist} {verb} {style}, recorded {where}.',
    style: ['fuzzed-out garage rock', 'big-chorus arena rock', 'wiry post-punk', 'sun-bleached desert rock'],
    moods: ['upbeat', 'live-recording', 'debut'],
  },
  electronic: {
    artist: ['{alias}', '{alias} & {alias2}'],
    hook: '{artist} {verb} {style}, built {where}.',
    style: [
      'warm analogue techno',
      'glitchy, melodic IDM',
      'slow-motion house',
      'modular-synth ambient pulses',
    ],
    moods: ['upbeat', 'instrumental', 'chill'],
  },
  folk: {
    artist: ['{first} {last}', 'The {last} Family Band', '{first} {last} & {first2} {last2}'],
    hook: '{artist} {verb} {style}, recorded {where}.',
    style: [
      'finger-picked story songs',
      'close-harmony ballads',
      'fiddle-led reels and laments',
      'hushed, lo-fi confessionals',
    ],
    moods: ['acoustic', 'melancholic', 'debut'],
  },
  'hip-hop': {
    artist: ['{alias}', '{alias} x {alias2}'],
    hook: '{artist} {verb} {style}, produced {where}.',
    style: [
      'jazz-sampled boom bap',
      'dense, literary verses over dusty loops',
      'bass-heavy, playful bangers',
      'soulful, confessional storytelling',
    ],
    moods: ['upbeat', 'debut'],
  },
  ambient: {
    artist: ['{alias}', '{first} {last}'],
    hook: '{artist} {verb} {style}, recorded {where}.',
    style: [
      'slowly unfolding drones',
      'field recordings and soft piano',
      'tape-loop meditations',
      'glacial synth washes',
    ],
    moods: ['instrumental', 'chill', 'focus'],
  },
  soul: {
    artist: ['{first} {last}', '{first} {last} & the {plural}'],
    hook: '{artist} {verb} {style}, recorded {where}.',
    style: [
      'horn-driven Northern soul',
      'slow-burning ballads',
      'gospel-rooted grooves',
      'lush, string-laden soul',
    ],
    moods: ['upbeat', 'classic', 'remastered'],
  },
  afrobeat: {
    artist: ['{first} {last} & the {plural}', 'The {city} Afrobeat Collective'],
    hook: '{artist} {verb} {style}, recorded {where}.',
    style: ['long, horn-heavy grooves', 'hypnotic polyrhythms', 'highlife guitar lines over tight drums'],
    moods: ['upbeat', 'live-recording', 'world-music'],
  },
  soundtrack: {
    artist: ['{first} {last}'],
    hook: '{artist}\u2019s score {scoreVerb} {style}, recorded {where}.',
    style: [
      'sweeping orchestral themes',
      'minimal piano motifs',
      'pulsing synths and strings',
      'choral and percussion cues',
    ],
    scoreVerb: ['moves between', 'is built from', 'leans on'],
    moods: ['instrumental', 'film-score'],
  },
};

const MUSIC_BANKS = {
  adj: [
    'Velvet',
    'Paper',
    'Northern',
    'Electric',
    'Hollow',
    'Golden',
    'Midnight',
    'Feral',
    'Copper',
    'Static',
  ],
  plural: ['Lanterns', 'Satellites', 'Foxes', 'Harbours', 'Pilots', 'Echoes', 'Ravens', 'Tides', 'Engines'],
  alias: [
    'Nullsea',
    'Kaleid',
    'Mara Vox',
    'Lowfield',
    'Oso Blanco',
    'Tidewell',
    'Kid Ostrava',
    'Sable',
    'Lumen Drift',
    'DJ Harbour',
  ],
  city: ['Lyon', 'Accra', 'Lagos', 'Ghent', 'Porto', 'Bergen'],
  verb: ['delivered', 'served up', 'turned in an album of', 'doubled down on', 'came back with'],
  where: [
    'live at a Copenhagen basement club',
    'in a single afternoon session',
    'in a converted church in Lyon',
    'in a cabin studio on the Norwegian coast',
    'at a famous Lagos studio',
    'over two winters in a Berlin flat',
    'to tape in a Glasgow rehearsal room',
    'in front of a hometown crowd',
  ],
  album: [
    '{adj} Weather',
    'Songs for {occasion}',
    'Live at the {venue}',
    'Letters from {place}',
    'The {adj} Hour',
    '{adj} Hours',
    'Night {thing}',
    '{place} Sessions',
  ],
  occasion: ['Long Drives', 'Rainy Sundays', 'the Night Shift', 'Slow Mornings', 'Leaving Home'],
  venue: ['Blue Door', 'Harbour Hall', 'Cellar Club', 'Roundhouse', 'Old Exchange'],
  place: ['the Coast', 'Ostrava', 'the North Sea', 'Lisbon', 'a Small Town', 'the Fjords'],
  thing: ['Ferry', 'Garden', 'Radio', 'Swimmers', 'Bus', 'Orchard'],
};

const MUSIC_FORMATS = {
  vinyl: {
    range: [21, 38],
    note: [
      'Pressed on 180 g vinyl in a gatefold sleeve, the {year} release comes with {extra}.',
      'The {tracks}-track double LP comes with {extra}.',
      'This vinyl edition of the {year} album adds {extra}.',
    ],
  },
  cd: {
    range: [9, 16],
    note: [
      'The CD edition adds {bonus} bonus tracks and {extra}.',
      'A digipak CD of the {year} album, with {extra}.',
      'All {tracks} tracks on CD, plus {extra}.',
    ],
  },
  digital: {
    range: [7, 11],
    note: [
      'The lossless download of all {tracks} tracks includes {extra}.',
      'A hi-res download of the {year} album, with {extra}.',
    ],
  },
};
const MUSIC_EXTRAS = [
  'new liner notes',
  'a fold-out poster',
  'previously unreleased demos',
  'a lyric booklet',
  'session photographs',
  'an essay on the recording',
];

function musicAlbum(rng, genreName, seen, sentences) {
  const genre = MUSIC_GENRES[genreName];
  const banks = { ...MUSIC_BANKS, ...genre, first: FIRST_NAMES, last: LAST_NAMES };
  const work = genre.works ? rng.pick(genre.works) : undefined;
  const names = {
    first: rng.pick(FIRST_NAMES),
    last: rng.pick(LAST_NAMES),
    city: rng.pick(MUSIC_BANKS.city),
  };
  const artist = work ? fill(rng, work.artist, {}, names) : fill(rng, rng.pick(genre.artist), banks);
  const format = rng.pick(['vinyl', 'vinyl', 'cd', 'digital']);
  const tracks = rng.int(7, 16);
  const title = uniqueTitle(
    seen,
    () => `${work ? work.album : fill(rng, rng.pick(MUSIC_BANKS.album), banks)} \u2014 ${artist}`,
  );
  const performer = work ? fill(rng, work.performer, {}, names) : artist;
  const hook = fill(rng, genre.hook, banks, {
    artist,
    performer,
    tracks,
    repertoire: work?.repertoire ?? '',
  });
  const year = rng.int(1968, 2025);
  const note = freshText(sentences, () =>
    fill(
      rng,
      rng.pick(MUSIC_FORMATS[format].note),
      { extra: MUSIC_EXTRAS },
      { bonus: rng.int(2, 5), tracks, year },
    ),
  );
  const tags = [genreName, format, ...rng.sample(genre.moods, rng.int(1, 2))];
  if (rng.chance(0.2)) tags.push('gift');
  return {
    title,
    tags: [...new Set(tags)],
    description: `${hook} ${note}`,
    price: price(rng, MUSIC_FORMATS[format].range),
    attributes: { artist, format, tracks, year },
  };
}

function music(rng) {
  const seen = new Set();
  const sentences = new Set();
  const genres = Object.keys(MUSIC_GENRES);
  return Array.from({ length: 48 }, (_, i) => musicAlbum(rng, genres[i % genres.length], seen, sentences));
}

// ---------------------------------------------------------------------------------------------
// Films

const FILM_GENRES = {
  'sci-fi': {
    titles: ['{adj} Orbit', 'The {noun} Protocol', 'Beyond the {noun}', '{noun} Zero'],
    hook: '{who} {plot}.',
    who: [
      'a stranded astronaut',
      'a rookie terraformer',
      'a lunar mining crew',
      'a clone who remembers too much',
    ],
    plot: [
      'fights to get home after a catastrophic solar storm',
      'uncovers a corporate secret buried in the ice',
      'must decide whether to answer a message from deep space',
      'races a failing life-support system',
    ],
    extra: ['space-opera', 'dystopia', 'first-contact'],
  },
  drama: {
    titles: ['The {noun} Year', 'After the {noun}', '{adj} Light', 'A House in {place}'],
    hook: '{who} {plot}.',
    who: [
      'three estranged sisters',
      'a widowed fisherman and his son',
      'a young couple in a mining town',
      'two old friends',
    ],
    plot: [
      'reunite to sell their late mother\u2019s farm',
      'rebuild a life after the factory closes',
      'confront a secret that has shaped a whole village',
      'spend one last summer together',
    ],
    extra: ['family', 'based-on-book'],
  },
  comedy: {
    titles: ['{adj} Plans', 'The {noun} Job', 'Everybody Loves {person}', 'Wrong Turn at {place}'],
    hook: '{who} {plot}.',
    who: [
      'a hapless wedding planner',
      'two rival food-truck owners',
      'a retired magician',
      'an overconfident tour guide',
    ],
    plot: [
      'accidentally books the same venue for two weddings',
      'gets trapped in a chaotic road trip across the Alps',
      'tries to pull off one last trick',
      'loses an entire coach party in Venice',
    ],
    extra: ['family', 'feel-good'],
  },
  documentary: {
    titles: ['The {noun} Keepers', 'Inside the {noun}', 'Last of the {plural}', 'Salt and {noun}'],
    hook: 'This documentary follows {who} as they {plot}.',
    who: [
      'a team of glaciologists',
      'the last salt farmers of the Atlantic coast',
      'beekeepers across four continents',
      'the crew of a deep-sea research vessel',
    ],
    plot: [
      'race to record a vanishing landscape',
      'fight to keep a centuries-old craft alive',
      'track a decline nobody can fully explain',
      'map a trench no one has seen before',
    ],
    extra: ['nature', 'award-winning'],
  },
  noir: {
    titles: ['{adj} Street', 'The {noun} Alibi', 'Night in {place}', 'Kiss of the {noun}'],
    hook: '{who} {plot}.',
    who: [
      'a down-at-heel detective',
      'a nightclub singer with a past',
      'a crooked insurance clerk',
      'a war veteran turned driver',
    ],
    plot: [
      'is hired to find a woman who does not want to be found',
      'gets tangled in a murder that looks too convenient',
      'plots the perfect fraud and watches it unravel',
      'witnesses something in the fog that the police would rather ignore',
    ],
    extra: ['crime', 'classic', 'black-and-white'],
  },
  animation: {
    titles: [
      'The {adj} {creature}',
      '{creature} and the {noun}',
      'Little {creature}',
      'The {creature} Who Wanted More',
    ],
    hook: 'In this hand-drawn adventure, {who} {plot}.',
    who: [
      'a curious fox cub',
      'a lonely lighthouse robot',
      'a tiny dragon with a stutter',
      'a girl who can talk to the wind',
    ],
    plot: [
      'sets off to find the source of the river',
      'makes friends with the storm everyone fears',
      'must rescue the village\u2019s missing lanterns',
      'learns that home can be carried with you',
    ],
    extra: ['family', 'kids'],
  },
  horror: {
    titles: ['The {noun} Below', 'Do Not {verb}', '{noun} House', 'They Came From the {noun}'],
    hook: '{who} {plot}.',
    who: ['a young family', 'a group of cavers', 'a night-shift security guard', 'a true-crime podcaster'],
    plot: [
      'moves into a farmhouse where the walls whisper at night',
      'finds something that should have stayed buried',
      'realises the building is not empty after closing',
      'chases a story into a village that keeps a terrible tradition',
    ],
    extra: ['supernatural', 'folk-horror'],
  },
  thriller: {
    titles: ['{adj} Signal', 'The {noun} Exchange', 'Last Train to {place}', 'Seven Hours in {place}'],
    hook: '{who} {plot}.',
    who: [
      'a burned intelligence officer',
      'an air-traffic controller',
      'a hostage negotiator',
      'a whistle-blowing engineer',
    ],
    plot: [
      'has one night to clear her name',
      'uncovers a plot hidden in a routine flight plan',
      'must talk down a hijacker who knows her secrets',
      'is hunted across Europe by his own employer',
    ],
    extra: ['crime', 'spy'],
  },
  western: {
    titles: ['{adj} Ridge', 'The {noun} Trail', 'Dust over {place}', 'Ride to {place}'],
    hook: '{who} {plot}.',
    who: [
      'an ageing bounty hunter',
      'a widowed rancher',
      'a travelling preacher',
      'a young Comanche tracker',
    ],
    plot: [
      'escorts a prisoner across three hundred miles of desert',
      'defends her land against a railroad baron',
      'rides into a town that has been waiting for him',
      'guides settlers through a brutal winter pass',
    ],
    extra: ['classic'],
  },
};
const FILM_BANKS = {
  adj: ['Crimson', 'Silent', 'Broken', 'Cold', 'Bright', 'Long', 'Last', 'Hollow', 'Golden', 'Wild'],
  noun: [
    'Orchard',
    'Harbour',
    'Glacier',
    'Signal',
    'Mirror',
    'Garden',
    'Cellar',
    'Lantern',
    'Frontier',
    'Horizon',
    'River',
    'Quarry',
  ],
  plural: ['Salt Farmers', 'Beekeepers', 'Lighthouse Men', 'Glaciers'],
  place: ['Trieste', 'Bruges', 'Red Rock', 'Lisbon', 'Tangier', 'Harlow', 'Santa Fe', 'Oslo'],
  person: ['Margot', 'Frank', 'Uncle Theo', 'Grandma Ruth'],
  creature: ['Fox', 'Dragon', 'Owl', 'Robot', 'Hedgehog', 'Whale'],
  verb: ['Answer', 'Look Back', 'Open the Door', 'Sleep'],
};
const FILM_NOTES = [
  'Directed by {director} ({year}), it runs {runtime} minutes and {praise}.',
  '{director}\u2019s {year} film {praise}; this {format} edition adds {extra}.',
  'This {format} release of {director}\u2019s {runtime}-minute film includes {extra}.',
];
const FILM_PRAISE = [
  'rewards a second viewing',
  'is beautifully shot',
  'has a career-best lead performance',
  'builds to a knockout final act',
  'balances humour and heartbreak',
  'became a festival favourite',
];
const FILM_EXTRAS = [
  'a director\u2019s commentary',
  'deleted scenes',
  'a making-of documentary',
  'a restored print',
  'an essay booklet',
  'cast interviews',
];
const FILM_FORMATS = { 'blu-ray': [13, 24], '4k-uhd': [24, 39], dvd: [7, 12] };

function film(rng, genreName, seen, sentences) {
  const genre = FILM_GENRES[genreName];
  const banks = { ...FILM_BANKS, ...genre };
  const title = uniqueTitle(seen, () => fill(rng, rng.pick(genre.titles), banks));
  const director = personName(rng);
  const year = rng.int(1952, 2025);
  const runtime = rng.int(84, 168);
  const format = rng.pick(Object.keys(FILM_FORMATS));
  const hook = freshText(sentences, () => fill(rng, genre.hook, banks));
  const note = fill(
    rng,
    rng.pick(FILM_NOTES),
    { praise: FILM_PRAISE, extra: FILM_EXTRAS },
    {
      director,
      year,
      runtime,
      format: format === '4k-uhd' ? '4K UHD' : format === 'dvd' ? 'DVD' : 'Blu-ray',
    },
  );
  const tags = [genreName, format, ...rng.sample(genre.extra, rng.int(0, 2))];
  if (year < 1985 && !tags.includes('classic')) tags.push('classic');
  if (rng.chance(0.15)) tags.push(rng.pick(['gift', 'foreign-language', 'award-winning']));
  return {
    title,
    tags: [...new Set(tags)],
    description: `${hook} ${note}`,
    price: price(rng, FILM_FORMATS[format]),
    attributes: { director, year, runtimeMinutes: runtime, format },
  };
}

function films(rng) {
  const seen = new Set();
  const sentences = new Set();
  const genres = Object.keys(FILM_GENRES);
  return Array.from({ length: 45 }, (_, i) => film(rng, genres[i % genres.length], seen, sentences));
}

// ---------------------------------------------------------------------------------------------
// Board games

const GAME_THEMES = [
  {
    titles: ['Saffron Road', 'Bazaar of Winds', 'Caravanserai'],
    who: 'rival spice merchants',
    where: 'a modular map of desert trade routes',
    stuff: 'cargo and camels',
    tag: 'trading',
  },
  {
    titles: ['Beacon', 'Keepers of the Light', 'Stormwatch'],
    who: 'lighthouse keepers',
    where: 'a storm-battered coastline',
    stuff: 'oil, lenses and supplies',
    tag: 'nautical',
  },
  {
    titles: ['Orchard Valley', 'Harvest Moon Fair', 'Cider & Sons'],
    who: 'neighbouring farmers',
    where: 'a patchwork of fields and orchards',
    stuff: 'seeds, barrels and ripe fruit',
    tag: 'farming',
  },
  {
    titles: ['Ninth Orbit', 'Void Couriers', 'Station Zero'],
    who: 'starship captains',
    where: 'a shifting asteroid field',
    stuff: 'fuel, crew and contracts',
    tag: 'sci-fi',
  },
  {
    titles: ['Canopy', 'Rainforest Relay', 'Hidden Hollow'],
    who: 'wildlife biologists',
    where: 'a layered rainforest board',
    stuff: 'sightings and research grants',
    tag: 'nature',
  },
  {
    titles: ['Dragon\u2019s Tithe', 'Guildhall', 'The Ember Crown'],
    who: 'guild masters',
    where: 'a walled fantasy city',
    stuff: 'gold, spells and favours',
    tag: 'fantasy',
  },
  {
    titles: ['Tiny Tramways', 'Rush Hour Railways', 'Metro Lines'],
    who: 'city planners',
    where: 'a growing city grid',
    stuff: 'track, stations and commuters',
    tag: 'trains',
  },
  {
    titles: ['Fog over Whitby', 'The Midnight Inquiry', 'Case Closed'],
    who: 'Victorian detectives',
    where: 'a fog-bound harbour town',
    stuff: 'clues, alibis and witnesses',
    tag: 'mystery',
  },
  {
    titles: ['Summit Push', 'Base Camp', 'Alpine Ascent'],
    who: 'mountaineers',
    where: 'a towering mountain of tiles',
    stuff: 'rope, oxygen and weather reports',
    tag: 'adventure',
  },
  {
    titles: ['Oven Frenzy', 'Patisserie Panic', 'Crumbs!'],
    who: 'competing bakers',
    where: 'a chaotic shared kitchen',
    stuff: 'flour, timers and fancy toppings',
    tag: 'food',
  },
  {
    titles: ['Wordsmiths', 'Letter Lanterns', 'Quip'],
    who: 'wordsmiths',
    where: 'a grid of letter tiles',
    stuff: 'letters and bonus squares',
    tag: 'words',
  },
  {
    titles: ['Cascade', 'Kōan', 'Tessellate'],
    who: 'two masters',
    where: 'a minimalist wooden board',
    stuff: 'stones and tiles',
    tag: 'abstract',
  },
  {
    titles: ['Coral Keepers', 'Tidepools', 'Reef Watch'],
    who: 'marine conservationists',
    where: 'a fragile coral reef',
    stuff: 'divers, boats and funding',
    tag: 'nature',
  },
  {
    titles: ['Night Siege', 'Shieldwall', 'Last Bastion'],
    who: 'castle defenders',
    where: 'a besieged fortress',
    stuff: 'walls, archers and potions',
    tag: 'fantasy',
  },
];
const GAME_MECHANICS = {
  strategy: {
    verb: 'compete as {who}, planning long-term moves across {where} to gather {stuff}',
    players: [2, 4],
    minutes: [60, 120],
    age: 12,
  },
  'worker-placement': {
    verb: 'step into the shoes of {who}, placing workers to claim {stuff} across {where}',
    players: [1, 5],
    minutes: [60, 100],
    age: 12,
  },
  'deck-building': {
    verb: 'take on the role of {who}, building a deck that turns {stuff} into points on {where}',
    players: [2, 4],
    minutes: [30, 60],
    age: 10,
  },
  'co-op': {
    verb: 'team up as {who}, sharing {stuff} to survive {where} together',
    players: [1, 5],
    minutes: [45, 90],
    age: 10,
  },
  party: {
    verb: 'become {who} in a loud, quick-fire race through {where} for {stuff}',
    players: [4, 10],
    minutes: [15, 30],
    age: 8,
  },
  family: {
    verb: 'take turns as friendly {who}, collecting {stuff} on {where}',
    players: [2, 5],
    minutes: [20, 45],
    age: 7,
  },
  'tile-laying': {
    verb: 'act as {who}, laying tiles to shape {where} and score {stuff}',
    players: [2, 4],
    minutes: [30, 45],
    age: 8,
  },
  'two-player': {
    verb: 'face off as {who}, duelling over {stuff} on {where}',
    players: [2, 2],
    minutes: [20, 40],
    age: 10,
  },
};
const GAME_RULES = [
  'teaches in ten minutes',
  'rewards repeat plays',
  'has almost no downtime between turns',
  'includes a solo mode',
  'scales well at every player count',
  'comes with a gorgeous insert',
];

function boardGames(rng) {
  const pool = rng.shuffle(GAME_THEMES.flatMap((theme) => theme.titles.map((title) => ({ theme, title }))));
  const mechanics = Object.keys(GAME_MECHANICS);
  return pool.slice(0, 40).map(({ theme, title }, i) => {
    const mechanicName = mechanics[i % mechanics.length];
    const mechanic = GAME_MECHANICS[mechanicName];
    const minPlayers = mechanic.players[0];
    const maxPlayers = mechanic.players[1];
    const playMinutes = Math.round(rng.int(mechanic.minutes[0], mechanic.minutes[1]) / 5) * 5;
    const minAge = mechanic.age + rng.pick([-2, 0, 0, 2]);
    const hook = fill(rng, `In {title}, players ${mechanic.verb}.`, {}, { ...theme, title });
    const count = minPlayers === maxPlayers ? `${minPlayers}` : `${minPlayers}\u2013${maxPlayers}`;
    const note = fill(
      rng,
      'For {count} players aged {age}+, a game takes about {minutes} minutes and {rule}.',
      { rule: GAME_RULES },
      { count, age: minAge, minutes: playMinutes },
    );
    const tags = [mechanicName, theme.tag];
    if (minAge <= 8 || mechanicName === 'family') tags.push('family');
    if (playMinutes <= 30) tags.push('quick');
    if (rng.chance(0.3)) tags.push(rng.pick(['gift', 'beginner', 'eco', 'compact']));
    return {
      title,
      tags: [...new Set(tags)],
      description: `${hook} ${note}`,
      price: price(rng, playMinutes >= 60 ? [39, 69] : [14, 39]),
      attributes: {
        minPlayers,
        maxPlayers,
        playMinutes,
        minAge,
        publisher: rng.pick([
          'Bluefjord Games',
          'Meeple Harbour',
          'Tallow & Tin',
          'Cardboard Comet',
          'Northgate Play',
        ]),
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Video games

const VIDEO_GENRES = {
  rpg: {
    hook: 'Lead {party} across {world} in a {style} role-playing game.',
    extra: ['turn-based', 'open-world', 'story-rich', 'fantasy'],
  },
  strategy: {
    hook: 'Guide {faction} through {world} in a {style} strategy game.',
    extra: ['turn-based', 'sci-fi', 'multiplayer'],
  },
  platformer: {
    hook: 'Run, jump and wall-slide through {world} in a {style} platformer.',
    extra: ['pixel-art', 'indie', 'family'],
  },
  puzzle: {
    hook: 'Untangle {puzzle} in a {style} puzzle game set in {world}.',
    extra: ['indie', 'relaxing', 'family'],
  },
  racing: { hook: 'Drift through {world} in a {style} racing game.', extra: ['multiplayer', 'family'] },
  'farming-sim': {
    hook: 'Restore a neglected farm in {world} in a {style} life sim.',
    extra: ['cozy', 'relaxing', 'co-op'],
  },
  roguelike: {
    hook: 'Fight your way down through {world} in a {style} roguelike where every run is different.',
    extra: ['indie', 'pixel-art', 'co-op'],
  },
  metroidvania: {
    hook: 'Explore the interlocking halls of {world} in a {style} metroidvania.',
    extra: ['indie', 'pixel-art', 'story-rich'],
  },
  survival: {
    hook: 'Scavenge, build and endure in {world} in a {style} survival game.',
    extra: ['open-world', 'co-op', 'horror'],
  },
  sports: {
    hook: 'Take {team} to the championship in {arena} in a {style} sports game.',
    extra: ['multiplayer', 'family'],
  },
};
const VIDEO_BANKS = {
  party: [
    'a band of misfit mercenaries',
    'a travelling circus',
    'a squad of retired heroes',
    'a runaway prince and his cook',
  ],
  team: [
    'a five-a-side football team of robots',
    'a struggling ice-hockey club',
    'a street basketball crew',
    'a village cricket side',
  ],
  arena: ['floating sky stadiums', 'a neon night league', 'muddy village pitches', 'a zero-gravity arena'],
  faction: [
    'a fledgling space colony',
    'a Bronze Age city-state',
    'a fleet of rebel airships',
    'a medieval trading house',
  ],
  puzzle: ['clockwork machines', 'light and mirror puzzles', 'a haunted crossword', 'gravity-flipping rooms'],
  world: [
    'a drowned archipelago',
    'a neon city in the clouds',
    'the ruins of an underground kingdom',
    'a frozen alien moon',
    'a storybook forest',
    'a sprawling desert trade route',
    'the halls of a sinking castle',
    'a sleepy seaside town',
  ],
  style: [
    'hand-painted',
    'fast-paced',
    'thoughtful',
    'punishing but fair',
    'charming, low-stress',
    'atmospheric',
    'chunky pixel-art',
    'sprawling',
  ],
  adj: ['Hollow', 'Neon', 'Crimson', 'Paper', 'Lost', 'Iron', 'Starlit', 'Feral', 'Tiny', 'Sunken', 'Wild'],
  noun: [
    'Drift',
    'Harvest',
    'Circuit',
    'Keep',
    'Tides',
    'Garden',
    'Protocol',
    'Lantern',
    'Frontier',
    'Dominion',
    'Rally',
    'Ascent',
    'Depths',
  ],
  place: ['Mirewood', 'Vantablue', 'the Ninth Sea', 'Cobalt Bay', 'Emberfall'],
  subtitle: ['Tides of War', 'Second Dawn', 'The Long Night', 'Rebirth', 'Homecoming'],
};
const VIDEO_PLATFORMS = {
  switch: 'Nintendo Switch',
  'playstation-5': 'PlayStation 5',
  'xbox-series': 'Xbox Series X|S',
  pc: 'PC',
};
const VIDEO_NOTES = [
  'Out on {platform} from {studio}, with {modes}.',
  'The {platform} release from {studio} offers {modes} and around {hours} hours of play.',
  'Expect {hours} hours of content on {platform}, plus {modes}.',
];

function videoGame(rng, genreName, seen, sentences) {
  const genre = VIDEO_GENRES[genreName];
  const title = uniqueTitle(seen, () =>
    fill(rng, rng.pick(['{adj} {noun}', '{noun} of {place}', '{adj} {noun}: {subtitle}']), VIDEO_BANKS),
  );
  const tags = [genreName, ...rng.sample(genre.extra, rng.int(1, 2))];
  const multiplayer = tags.includes('co-op') || tags.includes('multiplayer');
  const platform = rng.pick(Object.keys(VIDEO_PLATFORMS));
  const studio = `${rng.pick(['Lantern', 'Brightmoss', 'Coldharbour', 'Pixel Foundry', 'Tidewater', 'Oddwood', 'Nine Bells'])} ${rng.pick(['Games', 'Studio', 'Interactive'])}`;
  const pegi =
    tags.includes('family') || tags.includes('cozy')
      ? rng.pick([3, 7])
      : tags.includes('horror')
        ? 18
        : rng.pick([7, 12, 16]);
  const modes = multiplayer
    ? rng.pick(['online co-op for up to four', 'local split-screen for two', 'cross-play multiplayer'])
    : rng.pick(['a single-player campaign', 'a generous photo mode', 'an optional story mode for newcomers']);
  const hook = freshText(sentences, () => fill(rng, genre.hook, VIDEO_BANKS));
  const note = fill(
    rng,
    rng.pick(VIDEO_NOTES),
    {},
    { platform: VIDEO_PLATFORMS[platform], studio, modes, hours: rng.int(6, 80) },
  );
  if (rng.chance(0.15)) tags.push(rng.pick(['gift', 'beginner']));
  return {
    title,
    tags: [...new Set(tags)],
    description: `${hook} ${note}`,
    price: price(rng, tags.includes('indie') ? [9, 29] : [29, 69]),
    attributes: { platform, developer: studio, pegi, multiplayer, year: rng.int(2017, 2025) },
  };
}

function videoGames(rng) {
  const seen = new Set();
  const sentences = new Set();
  const genres = Object.keys(VIDEO_GENRES);
  return Array.from({ length: 45 }, (_, i) => videoGame(rng, genres[i % genres.length], seen, sentences));
}

// ---------------------------------------------------------------------------------------------
// Physical products: one generic builder fed by per-category product types

const PRODUCT_OPENERS = [
  'Built for {use}, this {noun} pairs {feature} with {feature2}.',
  'The {model} {noun} combines {feature} and {feature2}, made for {use}.',
  '{brand}\u2019s {noun} is made for {use}, with {feature} and {feature2}.',
  'A {noun} for {use}: {feature}, {feature2} and {feature3}.',
  'Designed around {use}, the {model} brings {feature} and {feature2}.',
];

/**
 * type: { names, noun, tags, optional?, features, uses, specs, price, attrs }
 * specs are "It …" clauses; {placeholders} in them are filled from the item's attributes.
 */
function productItem(rng, category, type, seen, sentences) {
  let brand = '';
  let model = '';
  const title = uniqueTitle(seen, () => {
    brand = rng.pick(category.brands);
    model = rng.pick(category.models);
    return `${brand} ${model} ${rng.pick(type.names)}`;
  });
  const attributes = { brand, ...type.attrs(rng, title) };
  const tags = [...type.tags];
  for (const tag of type.optional ?? []) if (rng.chance(0.35)) tags.push(tag);
  const shared = rng.chance(0.7) ? rng.pick(category.shared) : undefined;
  if (shared) tags.push(shared);
  const opener = freshText(sentences, () =>
    fill(
      rng,
      rng.pick(PRODUCT_OPENERS),
      { feature: type.features, use: type.uses },
      { noun: type.noun, brand, model },
    ),
  );
  const detail = freshText(sentences, () => {
    const spec = fill(rng, rng.pick(type.specs), {}, attributes);
    const joiner = spec.includes(' and ') ? ', and it ' : ' and ';
    const tail = shared ? `${joiner}${rng.pick(SHARED_TAG_CLAUSES[shared])}` : '';
    return `It ${spec.charAt(0).toLowerCase()}${spec.slice(1)}${tail}.`;
  });
  return {
    title,
    tags: [...new Set(tags)],
    description: `${opener} ${detail}`,
    price: price(rng, type.price),
    attributes,
  };
}

function productCategory(rng, category) {
  const seen = new Set();
  const sentences = new Set();
  return Array.from({ length: category.count }, (_, i) =>
    productItem(rng, category, category.types[i % category.types.length], seen, sentences),
  );
}
const OUTDOOR = {
  count: 52,
  brands: ['Fjellmark', 'Cairnline', 'Northvale', 'Ridgeback', 'Tarnwood', 'Alpenrose'],
  models: [
    'Ridgeline',
    'Summit',
    'Tarn',
    'Scree',
    'Alpenglow',
    'Switchback',
    'Treeline',
    'Moraine',
    'Corrie',
  ],
  shared: ['beginner', 'gift', 'eco', 'family', 'compact', 'durable', 'premium', 'value'],
  types: [
    {
      names: ['Hiking Boots', 'Trail Boots', 'Mid Hiking Boots'],
      noun: 'hiking boot',
      tags: ['hiking', 'boots'],
      optional: ['waterproof', 'lightweight'],
      features: [
        'a waterproof breathable membrane',
        'a deep-lugged rubber outsole',
        'a padded ankle collar',
        'a stiff midsole for heavy packs',
        'a leather and suede upper',
        'a protective rubber toe cap',
      ],
      uses: ['rocky alpine trails', 'long days on muddy paths', 'multi-day treks', 'weekend hill walks'],
      specs: ['weighs {weightGrams} g per pair', 'comes in sizes {sizes}'],
      price: [89, 229],
      attrs: (rng) => ({ weightGrams: grams(rng, 780, 1400), sizes: 'EU 36-48' }),
    },
    {
      names: ['Trail Running Shoes', 'Trail Runners'],
      noun: 'trail shoe',
      tags: ['trail-running', 'running', 'shoes'],
      optional: ['lightweight'],
      features: [
        'a grippy sticky-rubber outsole',
        'a cushioned foam midsole',
        'a quick-lace system',
        'a rock plate under the forefoot',
        'a breathable mesh upper',
      ],
      uses: ['technical mountain races', 'daily runs on forest trails', 'fast-packing trips'],
      specs: [
        'weighs {weightGrams} g per shoe with a {dropMm} mm drop',
        'has a {dropMm} mm heel-to-toe drop',
      ],
      price: [79, 169],
      attrs: (rng) => ({ weightGrams: grams(rng, 240, 340), dropMm: rng.int(4, 10) }),
    },
    {
      names: ['Backpacking Tent', 'Dome Tent', 'Ultralight Tent'],
      noun: 'tent',
      tags: ['camping', 'tent'],
      optional: ['lightweight', 'family'],
      features: [
        'two doors and two vestibules',
        'colour-coded poles for fast pitching',
        'a silicone-coated ripstop fly',
        'a bathtub floor',
        'pre-bent aluminium poles',
        'mesh panels for ventilation',
      ],
      uses: ['summer backpacking', 'wild camping', 'festival weekends', 'windy coastal campsites'],
      specs: [
        'sleeps {capacityPersons} and weighs {weightGrams} g packed',
        'is a {seasons}-season shelter for {capacityPersons}',
      ],
      price: [119, 549],
      attrs: (rng) => ({
        capacityPersons: rng.int(1, 4),
        weightGrams: grams(rng, 900, 3800, 50),
        seasons: rng.pick([3, 3, 4]),
      }),
    },
    {
      names: ['Down Sleeping Bag', 'Synthetic Sleeping Bag', 'Mummy Sleeping Bag'],
      noun: 'sleeping bag',
      tags: ['camping', 'sleeping-bag'],
      optional: ['lightweight'],
      features: [
        'ethically sourced down fill',
        'synthetic insulation that stays warm when damp',
        'a draught collar',
        'a two-way zip',
        'a roomy footbox',
        'a compression sack',
      ],
      uses: ['shoulder-season camping', 'alpine huts', 'cold desert nights'],
      specs: [
        'is rated to a comfort temperature of {comfortTempC} °C',
        'weighs {weightGrams} g and keeps you comfortable down to {comfortTempC} °C',
      ],
      price: [69, 389],
      attrs: (rng) => ({ comfortTempC: rng.int(-10, 8), weightGrams: grams(rng, 650, 1900) }),
    },
    {
      names: ['Daypack 22', 'Hiking Backpack 30', 'Trekking Pack 45'],
      noun: 'pack',
      tags: ['hiking', 'backpack'],
      optional: ['waterproof'],
      features: [
        'a ventilated back panel',
        'a hydration sleeve',
        'hip-belt pockets',
        'an integrated rain cover',
        'ice-axe loops',
        'a stretch front pocket',
      ],
      uses: ['day hikes', 'hut-to-hut treks', 'commuting by bike and trail'],
      specs: ['holds {volumeLitres} litres', 'carries {volumeLitres} litres on an adjustable harness'],
      price: [49, 229],
      attrs: (rng, title) => ({ volumeLitres: Number(title.match(/\d+/)?.[0] ?? 30) }),
    },
    {
      names: ['Trekking Poles', 'Carbon Trekking Poles'],
      noun: 'pair of trekking poles',
      tags: ['hiking', 'trekking-poles'],
      optional: ['lightweight'],
      features: [
        'cork grips',
        'flick-lock adjusters',
        'carbon shafts',
        'tungsten carbide tips',
        'padded wrist straps',
      ],
      uses: ['steep descents', 'long-distance hiking', 'snowy approaches'],
      specs: ['weighs {weightGrams} g for the pair', 'folds to {packedCm} cm'],
      price: [39, 149],
      attrs: (rng) => ({ weightGrams: grams(rng, 380, 560), packedCm: rng.int(36, 62) }),
    },
    {
      names: ['Headlamp', 'Rechargeable Headlamp'],
      noun: 'headlamp',
      tags: ['camping', 'headlamp'],
      optional: ['compact'],
      features: [
        'a red night-vision mode',
        'USB-C charging',
        'a lockout switch',
        'a tilting beam',
        'reactive brightness',
      ],
      uses: ['pre-dawn starts', 'night hikes', 'camp chores after dark'],
      specs: ['puts out {lumens} lumens', 'runs for {batteryHours} hours on low'],
      price: [24, 89],
      attrs: (rng) => ({ lumens: rng.int(2, 9) * 100, batteryHours: rng.int(8, 60) }),
    },
    {
      names: ['Water Filter', 'Squeeze Water Filter'],
      noun: 'water filter',
      tags: ['hiking', 'water-filter'],
      optional: ['compact'],
      features: [
        'a hollow-fibre membrane',
        'a collapsible squeeze pouch',
        'a backflush syringe',
        'screw-on bottle compatibility',
      ],
      uses: ['backcountry trips', 'travel where tap water is doubtful', 'long days between huts'],
      specs: [
        'filters up to {litresCapacity} litres over its life',
        'treats {litresCapacity} litres before the cartridge needs replacing',
      ],
      price: [29, 99],
      attrs: (rng) => ({ litresCapacity: rng.int(4, 20) * 500 }),
    },
    {
      names: ['Camping Stove', 'Canister Stove', 'Multi-Fuel Stove'],
      noun: 'stove',
      tags: ['camping', 'stove'],
      optional: ['compact'],
      features: [
        'a piezo igniter',
        'a folding wind shield',
        'fold-away pot supports',
        'precise simmer control',
      ],
      uses: ['quick trail breakfasts', 'cooking for two at camp', 'winter expeditions'],
      specs: ['boils a litre in about {boilMinutes} minutes', 'weighs {weightGrams} g'],
      price: [35, 149],
      attrs: (rng) => ({ boilMinutes: rng.int(3, 5), weightGrams: grams(rng, 80, 420) }),
    },
    {
      names: ['Rain Jacket', 'Waterproof Shell', 'Hardshell Jacket'],
      noun: 'jacket',
      tags: ['hiking', 'jacket', 'waterproof'],
      optional: ['lightweight'],
      features: [
        'fully taped seams',
        'pit zips',
        'a helmet-compatible hood',
        'a packable stuff pocket',
        'a three-layer shell fabric',
      ],
      uses: ['wet mountain days', 'cycling commutes', 'Scottish summers'],
      specs: ['weighs {weightGrams} g', 'comes in sizes {sizes}'],
      price: [99, 349],
      attrs: (rng) => ({ weightGrams: grams(rng, 220, 520), sizes: 'XS-XXL' }),
    },
    {
      names: ['Sleeping Pad', 'Insulated Sleeping Mat'],
      noun: 'sleeping pad',
      tags: ['camping', 'sleeping-pad'],
      optional: ['lightweight'],
      features: [
        'a baffled air chamber',
        'a reflective insulating layer',
        'a fast-flat valve',
        'a quiet, non-crinkly fabric',
      ],
      uses: ['cold ground', 'side sleepers', 'lightweight backpacking'],
      specs: ['has an R-value of {rValue}', 'packs to the size of a water bottle and rates R {rValue}'],
      price: [39, 189],
      attrs: (rng) => ({ rValue: rng.int(20, 65) / 10 }),
    },
    {
      names: ['Camp Chair', 'Folding Camp Chair'],
      noun: 'camp chair',
      tags: ['camping', 'chair'],
      optional: ['family', 'compact'],
      features: ['a breathable mesh back', 'a cup holder', 'aluminium shock-corded legs', 'a side pocket'],
      uses: ['festivals', 'beach days', 'evenings around the fire'],
      specs: ['holds up to {maxLoadKg} kg', 'weighs {weightGrams} g'],
      price: [29, 129],
      attrs: (rng) => ({ maxLoadKg: rng.int(10, 15) * 10, weightGrams: grams(rng, 850, 3200, 50) }),
    },
    {
      names: ['Binoculars 8x42', 'Binoculars 10x42', 'Compact Binoculars 8x25'],
      noun: 'pair of binoculars',
      tags: ['birdwatching', 'binoculars', 'nature'],
      optional: ['waterproof'],
      features: [
        'phase-coated roof prisms',
        'nitrogen-purged, fog-proof optics',
        'twist-up eyecups',
        'a wide field of view',
      ],
      uses: ['birdwatching at dawn', 'wildlife safaris', 'alpine viewpoints'],
      specs: ['offers {magnification} magnification', 'weighs {weightGrams} g'],
      price: [89, 449],
      attrs: (rng, title) => ({
        magnification: title.match(/\d+x\d+/)?.[0] ?? '8x42',
        weightGrams: grams(rng, 300, 820),
      }),
    },
  ],
};

const KITCHEN = {
  count: 46,
  brands: ['Hearthwell', 'Kettle & Crane', 'Oakbrook', 'Sorrel', 'Castellane', 'Mizuya'],
  models: ['Classic', 'Artisan', 'Pro', 'Heritage', 'Studio', 'Everyday', 'Maestro', 'Nord'],
  shared: ['beginner', 'gift', 'eco', 'family', 'compact', 'premium', 'value', 'durable'],
  types: [
    {
      names: ["Chef's Knife", 'Santoku Knife', 'Gyuto Knife'],
      noun: 'knife',
      tags: ['knife', 'cooking'],
      features: [
        'a Damascus-pattern blade',
        'a full-tang walnut handle',
        'a 15-degree edge that holds its sharpness',
        'a balanced bolster',
        'high-carbon stainless steel',
      ],
      uses: ['everyday prep', 'fine vegetable work', 'breaking down whole chickens'],
      specs: ['has a {bladeCm} cm blade of {steel} steel', 'is forged from {steel} steel'],
      price: [39, 189],
      attrs: (rng) => ({
        bladeCm: rng.int(16, 24),
        steel: rng.pick(['VG-10', 'AUS-8', 'X50CrMoV15', 'SG2']),
      }),
    },
    {
      names: ['Cast-Iron Skillet', 'Cast-Iron Frying Pan'],
      noun: 'skillet',
      tags: ['cast-iron', 'cookware'],
      optional: ['camping'],
      features: [
        'a pre-seasoned surface',
        'a helper handle',
        'pour spouts on both sides',
        'a heavy base for even heat',
      ],
      uses: ['searing steaks', 'cornbread and tarte tatin', 'campfire cooking'],
      specs: ['measures {diameterCm} cm across', 'is {diameterCm} cm wide and works on every hob'],
      price: [29, 119],
      attrs: (rng) => ({ diameterCm: rng.pick([20, 24, 26, 28, 30]) }),
    },
    {
      names: ['Dutch Oven', 'Enamelled Casserole'],
      noun: 'casserole',
      tags: ['cast-iron', 'cookware', 'baking'],
      features: [
        'an enamelled interior',
        'a tight-fitting self-basting lid',
        'a knob that is oven-safe to 260 °C',
        'wide looped handles',
      ],
      uses: ['slow braises', 'no-knead bread', 'stews for a crowd'],
      specs: ['holds {capacityLitres} litres', 'has a {capacityLitres}-litre capacity'],
      price: [59, 299],
      attrs: (rng) => ({ capacityLitres: rng.pick([2.4, 3.8, 4.7, 5.5, 6.7]) }),
    },
    {
      names: ['Espresso Machine', 'Dual Boiler Espresso Machine'],
      noun: 'espresso machine',
      tags: ['coffee', 'espresso', 'appliance'],
      features: [
        'a 58 mm portafilter',
        'a steam wand with a micro-foam tip',
        'PID temperature control',
        'a built-in conical burr grinder',
        'a pressure gauge',
      ],
      uses: ['morning flat whites', 'learning latte art', 'café-style coffee at home'],
      specs: ['heats up in {heatUpSeconds} seconds', 'has a {tankLitres}-litre water tank'],
      price: [149, 899],
      attrs: (rng) => ({ heatUpSeconds: rng.int(3, 25) * 10, tankLitres: rng.pick([1.5, 2, 2.5]) }),
    },
    {
      names: ['Gooseneck Kettle', 'Pour-Over Kettle'],
      noun: 'kettle',
      tags: ['coffee', 'tea', 'kettle'],
      features: [
        'a precise gooseneck spout',
        'variable temperature control',
        'a keep-warm mode',
        'a brushed steel body',
      ],
      uses: ['pour-over coffee', 'green and white teas', 'slow weekend brewing'],
      specs: ['holds {capacityLitres} litres', 'reaches temperature in under {minutes} minutes'],
      price: [39, 149],
      attrs: (rng) => ({ capacityLitres: rng.pick([0.6, 0.8, 0.9, 1.0]), minutes: rng.int(3, 6) }),
    },
    {
      names: ['Burr Grinder', 'Hand Coffee Grinder'],
      noun: 'grinder',
      tags: ['coffee', 'grinder'],
      optional: ['compact'],
      features: [
        '40 mm conical burrs',
        'stepless grind adjustment',
        'a low-retention chute',
        'an anti-static catch cup',
      ],
      uses: ['espresso dialling-in', 'filter coffee', 'coffee on the road'],
      specs: ['offers {settings} grind settings', 'grinds a dose in about {seconds} seconds'],
      price: [49, 299],
      attrs: (rng) => ({ settings: rng.int(3, 12) * 10, seconds: rng.int(8, 40) }),
    },
    {
      names: ['Cutting Board', 'End-Grain Chopping Board'],
      noun: 'board',
      tags: ['cutting-board', 'wood'],
      features: ['end-grain acacia', 'a deep juice groove', 'non-slip rubber feet', 'reversible faces'],
      uses: ['big carving jobs', 'daily chopping', 'serving cheese and bread'],
      specs: ['measures {size} cm', 'is {thicknessCm} cm thick'],
      price: [25, 110],
      attrs: (rng) => ({ size: rng.pick(['40 x 30', '45 x 35', '50 x 35']), thicknessCm: rng.int(2, 5) }),
    },
    {
      names: ['Stainless Saucepan Set', 'Tri-Ply Pan Set'],
      noun: 'pan set',
      tags: ['cookware', 'stainless-steel'],
      features: [
        'tri-ply stainless construction',
        'induction-ready bases',
        'tempered glass lids',
        'riveted stay-cool handles',
      ],
      uses: ['everyday family cooking', 'a first proper kitchen', 'serious sauce work'],
      specs: ['includes {pieces} pieces', 'is oven-safe to {ovenSafeC} °C'],
      price: [79, 349],
      attrs: (rng) => ({ pieces: rng.pick([3, 5, 7, 10]), ovenSafeC: rng.pick([220, 260]) }),
    },
    {
      names: ['Stand Mixer', 'Planetary Stand Mixer'],
      noun: 'stand mixer',
      tags: ['baking', 'mixer', 'appliance'],
      features: [
        'a 5-litre steel bowl',
        'planetary mixing action',
        'a dough hook, whisk and beater',
        'a quiet direct-drive motor',
      ],
      uses: ['bread dough', 'meringues and cakes', 'big-batch holiday baking'],
      specs: ['runs on a {watts} W motor', 'has {speeds} speed settings'],
      price: [199, 649],
      attrs: (rng) => ({ watts: rng.int(8, 15) * 100, speeds: rng.int(6, 12) }),
    },
    {
      names: ['Sourdough Starter Kit', 'Bread Baking Kit'],
      noun: 'bread kit',
      tags: ['baking', 'bread', 'sourdough'],
      features: [
        'a rattan proofing basket',
        'a bench scraper',
        'a Danish dough whisk',
        'a lame for scoring',
        'a dried starter culture',
      ],
      uses: ['your first sourdough loaf', 'weekend bread baking', 'gifting a new hobby'],
      specs: ['includes {pieces} tools and a recipe booklet', 'comes with a {basketCm} cm banneton'],
      price: [24, 69],
      attrs: (rng) => ({ pieces: rng.int(4, 8), basketCm: rng.pick([20, 22, 25]) }),
    },
    {
      names: ['Air Fryer', 'Dual-Basket Air Fryer'],
      noun: 'air fryer',
      tags: ['air-fryer', 'appliance'],
      features: ['a dishwasher-safe basket', 'a clear viewing window', 'eight presets', 'a shake reminder'],
      uses: ['quick weeknight dinners', 'crisp vegetables without much oil', 'reheating leftovers properly'],
      specs: ['holds {capacityLitres} litres', 'draws {watts} W'],
      price: [69, 229],
      attrs: (rng) => ({ capacityLitres: rng.pick([3.5, 4.2, 5.5, 7.6]), watts: rng.int(14, 24) * 100 }),
    },
    {
      names: ['Rice Cooker', 'Fuzzy-Logic Rice Cooker'],
      noun: 'rice cooker',
      tags: ['rice-cooker', 'appliance'],
      features: [
        'fuzzy-logic cooking',
        'a thick non-stick inner bowl',
        'a delay timer',
        'a porridge setting',
      ],
      uses: ['perfect rice every night', 'meal prep', 'steaming fish and vegetables'],
      specs: ['cooks up to {cups} cups', 'keeps rice warm for {hours} hours'],
      price: [49, 289],
      attrs: (rng) => ({ cups: rng.pick([3, 5, 10]), hours: rng.int(12, 24) }),
    },
    {
      names: ['High-Speed Blender', 'Smoothie Blender'],
      noun: 'blender',
      tags: ['blender', 'appliance', 'smoothies'],
      features: [
        'hardened steel blades',
        'a tamper for thick mixes',
        'a self-cleaning program',
        'a BPA-free jug',
      ],
      uses: ['green smoothies', 'nut butters', 'silky soups'],
      specs: ['has a {watts} W motor', 'comes with a {jugLitres}-litre jug'],
      price: [59, 499],
      attrs: (rng) => ({ watts: rng.int(6, 22) * 100, jugLitres: rng.pick([1.2, 1.5, 2.0]) }),
    },
    {
      names: ['Fermentation Crock', 'Kimchi Crock'],
      noun: 'crock',
      tags: ['fermentation', 'preserving'],
      features: ['a water-seal rim', 'stoneware weighting stones', 'a lead-free glaze', 'a wooden tamper'],
      uses: ['sauerkraut and kimchi', 'small-batch pickles', 'learning to ferment'],
      specs: ['holds {capacityLitres} litres', 'is hand-thrown stoneware holding {capacityLitres} litres'],
      price: [35, 120],
      attrs: (rng) => ({ capacityLitres: rng.pick([2, 3, 5, 10]) }),
    },
    {
      names: ['Cast-Iron Teapot', 'Tea Set'],
      noun: 'teapot',
      tags: ['tea', 'teapot'],
      features: ['a fine-mesh infuser', 'a glazed interior', 'two matching cups', 'a bamboo tray'],
      uses: ['loose-leaf tea', 'slow afternoons', 'serving guests'],
      specs: ['holds {capacityMl} ml', 'brews {capacityMl} ml at a time'],
      price: [29, 129],
      attrs: (rng) => ({ capacityMl: rng.pick([500, 700, 900, 1200]) }),
    },
  ],
};

const ELECTRONICS = {
  count: 50,
  brands: ['Voltari', 'Lumio', 'Kestrel Audio', 'Brightwave', 'Norrsken', 'Pixelcraft'],
  models: ['Air', 'Pro', 'One', 'Studio', 'Go', 'Max', 'Lite', 'Nova', 'Core'],
  shared: ['gift', 'beginner', 'compact', 'premium', 'value', 'eco'],
  types: [
    {
      names: ['Wireless Headphones', 'Noise-Cancelling Headphones'],
      noun: 'pair of headphones',
      tags: ['headphones', 'audio', 'wireless'],
      optional: ['noise-cancelling', 'travel'],
      features: [
        'adaptive noise cancelling',
        '40 mm dynamic drivers',
        'multipoint Bluetooth',
        'a transparency mode',
        'memory-foam ear cushions',
      ],
      uses: ['long-haul flights', 'open-plan offices', 'daily commutes'],
      specs: ['lasts {batteryHours} hours per charge', 'weighs {weightGrams} g'],
      price: [79, 399],
      attrs: (rng) => ({ batteryHours: rng.int(20, 60), weightGrams: grams(rng, 220, 330) }),
    },
    {
      names: ['True Wireless Earbuds', 'Sport Earbuds'],
      noun: 'set of earbuds',
      tags: ['earbuds', 'audio', 'wireless'],
      optional: ['noise-cancelling', 'running'],
      features: [
        'a secure wing-tip fit',
        'active noise cancelling',
        'a wireless charging case',
        'sweat resistance',
        'spatial audio',
      ],
      uses: ['gym sessions', 'commuting', 'calls on the move'],
      specs: [
        'plays {batteryHours} hours, {caseHours} with the case',
        'is rated {ipRating} against sweat and rain',
      ],
      price: [39, 279],
      attrs: (rng) => {
        const batteryHours = rng.int(5, 10);
        return {
          batteryHours,
          caseHours: batteryHours * rng.int(3, 5),
          ipRating: rng.pick(['IPX4', 'IPX5', 'IP55']),
        };
      },
    },
    {
      names: ['Bluetooth Speaker', 'Outdoor Speaker'],
      noun: 'speaker',
      tags: ['speaker', 'audio', 'wireless'],
      optional: ['waterproof', 'travel'],
      features: [
        '360-degree sound',
        'a passive bass radiator',
        'a built-in strap',
        'stereo pairing',
        'a speakerphone mic',
      ],
      uses: ['beach days', 'garden parties', 'camping trips'],
      specs: ['plays for {batteryHours} hours', 'is rated {ipRating} and floats'],
      price: [39, 299],
      attrs: (rng) => ({ batteryHours: rng.int(10, 30), ipRating: rng.pick(['IP67', 'IPX7']) }),
    },
    {
      names: ['E-Reader', 'Waterproof E-Reader'],
      noun: 'e-reader',
      tags: ['e-reader', 'reading'],
      optional: ['travel'],
      features: [
        'a glare-free 300 ppi screen',
        'a warm front light',
        'weeks of battery life',
        'IPX8 water resistance',
        'physical page-turn buttons',
      ],
      uses: ['reading on the beach', 'bedtime reading', 'carrying a whole library on holiday'],
      specs: [
        'has a {screenInches}-inch screen and {storageGb} GB of storage',
        'stores {storageGb} GB of books',
      ],
      price: [99, 349],
      attrs: (rng) => ({ screenInches: rng.pick([6, 6.8, 7, 10.2]), storageGb: rng.pick([8, 16, 32]) }),
    },
    {
      names: ['Smartwatch', 'GPS Sports Watch'],
      noun: 'watch',
      tags: ['smartwatch', 'wearable', 'fitness-tracking'],
      optional: ['running'],
      features: [
        'dual-band GPS',
        'an always-on AMOLED display',
        'wrist-based heart-rate tracking',
        'offline maps',
        'sleep coaching',
      ],
      uses: ['marathon training', 'tracking daily activity', 'mountain navigation'],
      specs: ['runs {batteryDays} days between charges', 'is water-resistant to {waterM} m'],
      price: [129, 499],
      attrs: (rng) => ({ batteryDays: rng.int(2, 21), waterM: rng.pick([50, 100]) }),
    },
    {
      names: ['Power Bank', 'Slim Power Bank'],
      noun: 'power bank',
      tags: ['power-bank', 'charging', 'portable'],
      optional: ['travel'],
      features: [
        '65 W USB-C power delivery',
        'pass-through charging',
        'a battery level display',
        'two USB-C ports',
      ],
      uses: ['charging a laptop on the road', 'festival weekends', 'long travel days'],
      specs: ['stores {capacityMah} mAh', 'holds {capacityMah} mAh and is flight-safe'],
      price: [24, 119],
      attrs: (rng) => ({ capacityMah: rng.pick([5000, 10000, 20000, 26800]) }),
    },
    {
      names: ['Mechanical Keyboard', 'Low-Profile Mechanical Keyboard'],
      noun: 'keyboard',
      tags: ['keyboard', 'mechanical-keyboard'],
      optional: ['gaming', 'rgb'],
      features: [
        'hot-swappable switches',
        'PBT keycaps',
        'a gasket-mounted plate',
        'per-key RGB lighting',
        'a detachable USB-C cable',
        'tri-mode wireless',
      ],
      uses: ['long writing sessions', 'competitive gaming', 'programming'],
      specs: ['uses a {layout} layout', 'ships with {switches} switches'],
      price: [69, 249],
      attrs: (rng) => ({
        layout: rng.pick(['75%', 'TKL', 'full-size', '65%']),
        switches: rng.pick(['linear', 'tactile', 'clicky']),
      }),
    },
    {
      names: ['Gaming Mouse', 'Wireless Gaming Mouse'],
      noun: 'mouse',
      tags: ['mouse', 'gaming'],
      optional: ['wireless', 'rgb'],
      features: [
        'a 26,000 DPI sensor',
        'PTFE feet',
        'programmable side buttons',
        'a lightweight honeycomb shell',
      ],
      uses: ['fast shooters', 'MMO marathons', 'everyday precision work'],
      specs: ['weighs just {weightGrams} g', 'polls at {pollingHz} Hz'],
      price: [29, 149],
      attrs: (rng) => ({ weightGrams: grams(rng, 55, 110, 1), pollingHz: rng.pick([1000, 4000, 8000]) }),
    },
    {
      names: ['4K Monitor', 'USB-C Monitor'],
      noun: 'monitor',
      tags: ['monitor', '4k'],
      optional: ['gaming'],
      features: [
        'factory colour calibration',
        'a height-adjustable stand',
        '90 W USB-C charging',
        'a matte anti-glare panel',
      ],
      uses: ['photo editing', 'a tidy one-cable desk', 'gaming and work in one'],
      specs: ['measures {sizeInches} inches', 'refreshes at {refreshHz} Hz'],
      price: [229, 899],
      attrs: (rng) => ({ sizeInches: rng.pick([27, 28, 32]), refreshHz: rng.pick([60, 120, 144]) }),
    },
    {
      names: ['Webcam', '4K Webcam'],
      noun: 'webcam',
      tags: ['webcam', 'video-calls'],
      optional: ['streaming'],
      features: [
        'auto-framing',
        'a privacy shutter',
        'dual noise-reducing mics',
        'good low-light performance',
      ],
      uses: ['video calls', 'streaming', 'remote teaching'],
      specs: ['records at {resolution}', 'has a {fovDegrees}-degree field of view'],
      price: [49, 199],
      attrs: (rng) => ({
        resolution: rng.pick(['1080p', '1440p', '4K']),
        fovDegrees: rng.pick([78, 90, 110]),
      }),
    },
    {
      names: ['Action Camera', 'Helmet Camera'],
      noun: 'action camera',
      tags: ['camera', 'action-camera', 'waterproof'],
      optional: ['travel'],
      features: ['horizon levelling', 'electronic stabilisation', 'a front-facing screen', 'voice control'],
      uses: ['mountain biking', 'snorkelling', 'family adventures'],
      specs: ['shoots {resolution} video', 'is waterproof to {waterM} m without a case'],
      price: [149, 499],
      attrs: (rng) => ({ resolution: rng.pick(['4K60', '5.3K60', '4K30']), waterM: rng.pick([10, 18]) }),
    },
    {
      names: ['Camera Drone', 'Mini Drone'],
      noun: 'drone',
      tags: ['drone', 'camera'],
      optional: ['travel'],
      features: ['obstacle sensing', 'a three-axis gimbal', 'return-to-home', 'follow-me modes'],
      uses: ['landscape photography', 'travel filmmaking', 'learning to fly'],
      specs: ['flies for {flightMinutes} minutes per battery', 'weighs {weightGrams} g'],
      price: [249, 1199],
      attrs: (rng) => ({ flightMinutes: rng.int(25, 46), weightGrams: grams(rng, 240, 900) }),
    },
    {
      names: ['Tablet 11', 'Drawing Tablet'],
      noun: 'tablet',
      tags: ['tablet'],
      optional: ['reading'],
      features: ['a laminated 120 Hz display', 'stylus support', 'quad speakers', 'a keyboard connector'],
      uses: ['sketching', 'streaming films', 'note-taking in lectures'],
      specs: ['has {storageGb} GB of storage', 'lasts {batteryHours} hours of video'],
      price: [199, 899],
      attrs: (rng) => ({ storageGb: rng.pick([64, 128, 256]), batteryHours: rng.int(9, 14) }),
    },
    {
      names: ['Turntable', 'Belt-Drive Turntable'],
      noun: 'turntable',
      tags: ['turntable', 'vinyl', 'audio'],
      features: ['a belt drive', 'a pre-mounted cartridge', 'a built-in phono preamp', 'Bluetooth output'],
      uses: ['a growing record collection', 'late-night listening', 'a first hi-fi setup'],
      specs: ['plays {speeds} rpm records', 'has a {platter} platter'],
      price: [129, 699],
      attrs: (rng) => ({
        speeds: rng.pick(['33 and 45', '33, 45 and 78']),
        platter: rng.pick(['glass', 'aluminium', 'acrylic']),
      }),
    },
    {
      names: ['USB Microphone', 'Podcast Microphone'],
      noun: 'microphone',
      tags: ['microphone', 'streaming'],
      optional: ['video-calls'],
      features: [
        'a cardioid capsule',
        'zero-latency monitoring',
        'a built-in pop filter',
        'a tap-to-mute button',
      ],
      uses: ['podcasting', 'game streaming', 'clear voice calls'],
      specs: [
        'records at {bitDepth}-bit',
        'connects with a single USB-C cable and records at {bitDepth}-bit',
      ],
      price: [49, 229],
      attrs: (rng) => ({ bitDepth: rng.pick([16, 24, 32]) }),
    },
  ],
};

const FITNESS = {
  count: 42,
  brands: ['Ironfold', 'Kinetica', 'Pulsewell', 'Stridewise', 'Corelane'],
  models: ['Flow', 'Forge', 'Sprint', 'Balance', 'Apex', 'Tempo', 'Base'],
  shared: ['beginner', 'gift', 'eco', 'compact', 'durable', 'premium', 'value', 'family'],
  types: [
    {
      names: ['Yoga Mat', 'Travel Yoga Mat'],
      noun: 'yoga mat',
      tags: ['yoga', 'mat'],
      optional: ['travel'],
      features: ['a natural rubber base', 'alignment markings', 'a sweat-wicking top layer', 'a carry strap'],
      uses: ['hot yoga', 'daily stretching', 'pilates classes'],
      specs: ['is {thicknessMm} mm thick', 'measures 183 x 61 cm and is {thicknessMm} mm thick'],
      price: [25, 129],
      attrs: (rng) => ({ thicknessMm: rng.pick([1.5, 3, 4, 6]) }),
    },
    {
      names: ['Adjustable Dumbbells', 'Dial Dumbbells'],
      noun: 'pair of dumbbells',
      tags: ['strength', 'dumbbells', 'home-gym'],
      features: ['a quick-change dial', 'knurled steel handles', 'a storage tray', 'a compact footprint'],
      uses: ['small home gyms', 'progressive strength training', 'replacing a rack of weights'],
      specs: ['adjusts from {minKg} to {maxKg} kg', 'goes up to {maxKg} kg per hand'],
      price: [99, 499],
      attrs: (rng) => ({ minKg: 2, maxKg: rng.pick([20, 24, 32, 40]) }),
    },
    {
      names: ['Kettlebell', 'Competition Kettlebell'],
      noun: 'kettlebell',
      tags: ['strength', 'kettlebell', 'home-gym'],
      features: ['a single-cast iron body', 'a wide, smooth handle', 'a flat base', 'a powder-coated grip'],
      uses: ['swings and snatches', 'full-body circuits', 'Turkish get-ups'],
      specs: ['weighs {weightKg} kg', 'comes in a {weightKg} kg size'],
      price: [29, 119],
      attrs: (rng) => ({ weightKg: rng.pick([8, 12, 16, 20, 24]) }),
    },
    {
      names: ['Resistance Bands', 'Loop Band Set'],
      noun: 'band set',
      tags: ['resistance-bands', 'strength', 'mobility'],
      optional: ['travel'],
      features: ['five colour-coded strengths', 'a door anchor', 'fabric-covered latex', 'padded handles'],
      uses: ['physio rehab', 'hotel-room workouts', 'warm-ups'],
      specs: ['includes {bands} bands', 'covers {bands} resistance levels'],
      price: [15, 59],
      attrs: (rng) => ({ bands: rng.int(3, 6) }),
    },
    {
      names: ['Foam Roller', 'Vibrating Foam Roller'],
      noun: 'foam roller',
      tags: ['recovery', 'mobility', 'foam-roller'],
      features: ['a textured grid surface', 'a hollow core', 'three vibration levels', 'firm EVA foam'],
      uses: ['post-run recovery', 'loosening tight backs', 'mobility work'],
      specs: ['is {lengthCm} cm long', 'measures {lengthCm} cm'],
      price: [19, 69],
      attrs: (rng) => ({ lengthCm: rng.pick([33, 45, 61, 90]) }),
    },
    {
      names: ['Pull-Up Bar', 'Doorway Pull-Up Bar'],
      noun: 'pull-up bar',
      tags: ['strength', 'home-gym', 'pull-up-bar'],
      features: [
        'foam grips',
        'no-screw doorway mounting',
        'neutral and wide grip positions',
        'a steel frame',
      ],
      uses: ['upper-body strength', 'small apartments', 'calisthenics'],
      specs: ['supports up to {maxLoadKg} kg', 'fits doorways from {minDoorCm} cm'],
      price: [25, 89],
      attrs: (rng) => ({ maxLoadKg: rng.pick([100, 120, 150]), minDoorCm: rng.pick([61, 66, 71]) }),
    },
    {
      names: ['Speed Jump Rope', 'Weighted Jump Rope'],
      noun: 'jump rope',
      tags: ['cardio', 'jump-rope'],
      optional: ['travel'],
      features: [
        'ball-bearing handles',
        'a tangle-free steel cable',
        'removable handle weights',
        'an adjustable length',
      ],
      uses: ['boxing conditioning', 'HIIT sessions', 'quick cardio anywhere'],
      specs: ['adjusts up to {lengthCm} cm', 'weighs {weightGrams} g'],
      price: [12, 49],
      attrs: (rng) => ({ lengthCm: rng.pick([280, 300, 320]), weightGrams: grams(rng, 120, 900) }),
    },
    {
      names: ['Running Vest', 'Running Belt'],
      noun: 'running vest',
      tags: ['running', 'hydration'],
      optional: ['trail-running'],
      features: ['soft flasks', 'bounce-free pockets', 'reflective trim', 'a phone sleeve'],
      uses: ['long runs', 'ultra-marathons', 'evening runs in town'],
      specs: ['carries {capacityLitres} litres', 'holds {capacityLitres} litres of kit'],
      price: [19, 99],
      attrs: (rng) => ({ capacityLitres: rng.pick([0.5, 1, 5, 8, 12]) }),
    },
    {
      names: ['Heart-Rate Chest Strap', 'Heart-Rate Armband'],
      noun: 'heart-rate sensor',
      tags: ['heart-rate', 'running', 'cycling'],
      features: ['ECG-accurate readings', 'ANT+ and Bluetooth', 'a washable strap', 'onboard memory'],
      uses: ['interval training', 'indoor cycling', 'zone-based running'],
      specs: ['runs {batteryHours} hours per charge', 'stores {memoryHours} hours of workouts'],
      price: [49, 119],
      attrs: (rng) => ({ batteryHours: rng.int(30, 400), memoryHours: rng.int(10, 65) }),
    },
    {
      names: ['Rowing Machine', 'Water Rowing Machine'],
      noun: 'rowing machine',
      tags: ['cardio', 'rowing', 'home-gym'],
      features: [
        'a water flywheel',
        'a performance monitor',
        'a folding rail',
        'a smooth magnetic resistance',
      ],
      uses: ['full-body cardio', 'low-impact training', 'winter fitness'],
      specs: ['folds to {foldedCm} cm upright', 'supports users up to {maxLoadKg} kg'],
      price: [299, 1199],
      attrs: (rng) => ({ foldedCm: rng.int(190, 215), maxLoadKg: rng.pick([120, 150, 180]) }),
    },
    {
      names: ['Exercise Bike', 'Smart Indoor Bike'],
      noun: 'exercise bike',
      tags: ['cardio', 'cycling', 'home-gym'],
      features: ['magnetic resistance', 'a tablet holder', 'app connectivity', 'a micro-adjustable saddle'],
      uses: ['rainy-day training', 'spin classes at home', 'recovery rides'],
      specs: ['has {levels} resistance levels', 'supports riders up to {maxLoadKg} kg'],
      price: [249, 1399],
      attrs: (rng) => ({ levels: rng.pick([16, 24, 32, 100]), maxLoadKg: rng.pick([120, 136, 150]) }),
    },
    {
      names: ['Gym Bag', 'Gym Duffel'],
      noun: 'gym bag',
      tags: ['gym-bag'],
      optional: ['travel'],
      features: [
        'a ventilated shoe compartment',
        'a wet pocket',
        'a padded shoulder strap',
        'water-resistant fabric',
      ],
      uses: ['lunchtime workouts', 'swim sessions', 'weekend tournaments'],
      specs: ['holds {volumeLitres} litres', 'has a {volumeLitres}-litre main compartment'],
      price: [29, 99],
      attrs: (rng) => ({ volumeLitres: rng.pick([25, 35, 45]) }),
    },
    {
      names: ['Balance Board', 'Wobble Board'],
      noun: 'balance board',
      tags: ['balance', 'mobility'],
      optional: ['family'],
      features: ['a grippy deck', 'a replaceable roller', 'a birch plywood top', 'adjustable difficulty'],
      uses: ['ankle rehab', 'core training', 'standing-desk fidgeting'],
      specs: ['supports up to {maxLoadKg} kg', 'measures {lengthCm} cm across'],
      price: [29, 119],
      attrs: (rng) => ({ maxLoadKg: rng.pick([100, 120, 150]), lengthCm: rng.pick([40, 60, 75]) }),
    },
    {
      names: ['Massage Gun', 'Mini Massage Gun'],
      noun: 'massage gun',
      tags: ['recovery', 'massage-gun'],
      optional: ['compact'],
      features: [
        'five interchangeable heads',
        'a quiet brushless motor',
        'a carry case',
        'a pressure sensor',
      ],
      uses: ['post-workout soreness', 'desk-job neck tension', 'race-day warm-ups'],
      specs: ['reaches {ppm} percussions per minute', 'runs {batteryHours} hours per charge'],
      price: [69, 299],
      attrs: (rng) => ({ ppm: rng.int(20, 32) * 100, batteryHours: rng.int(3, 8) }),
    },
  ],
};

const TRAVEL_GEAR = {
  count: 42,
  brands: ['Wayfarer & Co', 'Nomadic', 'Terminal Six', 'Kompas', 'Jetlagged'],
  models: ['Transit', 'Voyager', 'Layover', 'Atlas', 'Meridian', 'Harbour', 'Route'],
  shared: ['gift', 'eco', 'compact', 'lightweight', 'durable', 'premium', 'value', 'family'],
  types: [
    {
      names: ['Carry-On Suitcase', 'Cabin Spinner'],
      noun: 'carry-on',
      tags: ['luggage', 'carry-on', 'suitcase'],
      optional: ['business'],
      features: [
        'four silent spinner wheels',
        'a polycarbonate shell',
        'a TSA-approved lock',
        'a laptop pocket behind the front panel',
        'an expandable zip',
      ],
      uses: ['weekend city breaks', 'business trips', 'budget airlines with strict limits'],
      specs: ['measures 55 x 40 x 20 cm and holds {volumeLitres} litres', 'weighs {weightKg} kg empty'],
      price: [99, 449],
      attrs: (rng) => ({ volumeLitres: rng.int(36, 44), weightKg: rng.int(20, 38) / 10 }),
    },
    {
      names: ['Check-In Suitcase', 'Large Spinner Suitcase'],
      noun: 'suitcase',
      tags: ['luggage', 'suitcase'],
      optional: ['family'],
      features: [
        'reinforced corners',
        'double spinner wheels',
        'a compression strap system',
        'an aluminium frame',
      ],
      uses: ['two-week holidays', 'family trips', 'moving abroad'],
      specs: ['holds {volumeLitres} litres', 'weighs {weightKg} kg empty'],
      price: [129, 549],
      attrs: (rng) => ({ volumeLitres: rng.int(75, 110), weightKg: rng.int(35, 55) / 10 }),
    },
    {
      names: ['Travel Backpack 40', 'Travel Backpack 35', 'Carry-On Backpack 45'],
      noun: 'travel backpack',
      tags: ['backpack', 'carry-on'],
      optional: ['business'],
      features: [
        'clamshell opening',
        'a stowable hip belt',
        'lockable zips',
        'a padded laptop sleeve',
        'a luggage pass-through',
      ],
      uses: ['one-bag travel', 'backpacking through Asia', 'long weekends'],
      specs: ['holds {volumeLitres} litres', 'carries {volumeLitres} litres within most cabin limits'],
      price: [79, 279],
      attrs: (rng, title) => ({ volumeLitres: Number(title.match(/\d+/)?.[0] ?? 40) }),
    },
    {
      names: ['Packing Cubes', 'Compression Packing Cubes'],
      noun: 'set of packing cubes',
      tags: ['packing-cubes', 'organisation'],
      features: ['compression zips', 'mesh tops', 'ripstop nylon', 'grab handles'],
      uses: ['tidy suitcases', 'sharing a bag with kids', 'long backpacking trips'],
      specs: ['comes as a set of {pieces}', 'includes {pieces} sizes'],
      price: [19, 59],
      attrs: (rng) => ({ pieces: rng.int(3, 6) }),
    },
    {
      names: ['Travel Pillow', 'Memory Foam Neck Pillow'],
      noun: 'travel pillow',
      tags: ['travel-pillow', 'flights', 'sleep'],
      features: ['memory foam', 'a washable velour cover', 'an adjustable toggle', 'a clip-on pouch'],
      uses: ['overnight flights', 'long train journeys', 'road trips'],
      specs: ['squashes to {packedCm} cm', 'weighs {weightGrams} g'],
      price: [19, 59],
      attrs: (rng) => ({ packedCm: rng.int(14, 24), weightGrams: grams(rng, 180, 420) }),
    },
    {
      names: ['Universal Travel Adapter', 'GaN Travel Charger'],
      noun: 'adapter',
      tags: ['adapter', 'charging'],
      features: [
        'sliding plugs for 150 countries',
        'a 65 W USB-C port',
        'a replaceable fuse',
        'a built-in surge guard',
      ],
      uses: ['multi-country trips', 'charging a laptop and phone at once', 'hotel rooms with one socket'],
      specs: ['charges {ports} devices at once', 'delivers up to {watts} W'],
      price: [19, 59],
      attrs: (rng) => ({ ports: rng.int(2, 5), watts: rng.pick([20, 45, 65, 100]) }),
    },
    {
      names: ['Hanging Toiletry Bag', 'Toiletry Kit'],
      noun: 'toiletry bag',
      tags: ['toiletry-bag', 'organisation'],
      features: [
        'a swivel hanging hook',
        'leak-proof pockets',
        'a clear TSA pouch',
        'water-resistant lining',
      ],
      uses: ['hostel bathrooms', 'campsite showers', 'business travel'],
      specs: ['opens to {compartments} compartments', 'has {compartments} separate pockets'],
      price: [19, 69],
      attrs: (rng) => ({ compartments: rng.int(3, 7) }),
    },
    {
      names: ['Passport Wallet', 'RFID Travel Wallet'],
      noun: 'travel wallet',
      tags: ['wallet', 'rfid'],
      features: ['RFID-blocking lining', 'a boarding-pass sleeve', 'a zipped coin pocket', 'a pen loop'],
      uses: ['airport queues', 'keeping documents together', 'family passports'],
      specs: ['holds {cards} cards and {passports} passports', 'takes up to {passports} passports'],
      price: [19, 79],
      attrs: (rng) => ({ cards: rng.int(4, 10), passports: rng.int(1, 4) }),
    },
    {
      names: ['Digital Luggage Scale'],
      noun: 'luggage scale',
      tags: ['luggage-scale', 'luggage'],
      features: ['a backlit display', 'a tare function', 'a rubber grip', 'an auto-lock reading'],
      uses: ['avoiding excess baggage fees', 'weighing souvenirs', 'packing for budget airlines'],
      specs: ['weighs bags up to {maxKg} kg', 'reads to {precisionG} g'],
      price: [12, 29],
      attrs: (rng) => ({ maxKg: rng.pick([40, 50]), precisionG: rng.pick([10, 50]) }),
    },
    {
      names: ['Microfibre Travel Towel', 'Quick-Dry Towel'],
      noun: 'towel',
      tags: ['towel', 'quick-dry'],
      features: ['a snap loop', 'antibacterial finish', 'a mesh carry pouch', 'a suede-soft weave'],
      uses: ['wild swimming', 'hostels', 'the gym'],
      specs: ['measures {size} cm', 'dries in about {dryMinutes} minutes'],
      price: [15, 45],
      attrs: (rng) => ({ size: rng.pick(['60 x 120', '80 x 150', '90 x 180']), dryMinutes: rng.int(20, 60) }),
    },
    {
      names: ['Sling Bag', 'Anti-Theft Sling'],
      noun: 'sling bag',
      tags: ['sling-bag', 'anti-theft'],
      features: [
        'hidden zips',
        'a slash-proof strap',
        'a quick-access phone pocket',
        'a water bottle sleeve',
      ],
      uses: ['busy city streets', 'museum days', 'day trips'],
      specs: ['holds {volumeLitres} litres', 'carries {volumeLitres} litres close to your body'],
      price: [29, 99],
      attrs: (rng) => ({ volumeLitres: rng.pick([3, 5, 8]) }),
    },
    {
      names: ['Sleep Kit', 'Eye Mask and Earplug Set'],
      noun: 'sleep kit',
      tags: ['sleep', 'flights'],
      features: [
        'a contoured eye mask',
        'reusable silicone earplugs',
        'a silk-blend cover',
        'a travel pouch',
      ],
      uses: ['red-eye flights', 'noisy hotels', 'night trains'],
      specs: ['blocks up to {noiseDb} dB', 'packs into a {pouchCm} cm pouch'],
      price: [12, 39],
      attrs: (rng) => ({ noiseDb: rng.int(25, 35), pouchCm: rng.int(10, 16) }),
    },
    {
      names: ['Weekender Duffel', 'Waxed Canvas Duffel'],
      noun: 'duffel',
      tags: ['duffel', 'weekender'],
      optional: ['carry-on'],
      features: [
        'a separate shoe compartment',
        'leather handles',
        'a detachable shoulder strap',
        'waxed canvas',
      ],
      uses: ['weekend getaways', 'gym-to-office days', 'road trips'],
      specs: ['holds {volumeLitres} litres', 'has a {volumeLitres}-litre main compartment'],
      price: [59, 229],
      attrs: (rng) => ({ volumeLitres: rng.pick([35, 45, 55]) }),
    },
  ],
};

const HOME_OFFICE = {
  count: 42,
  brands: ['Deskwell', 'Lindholm', 'Paperpine', 'Quietwork', 'Ergonova'],
  models: ['Focus', 'Atelier', 'Form', 'Axis', 'Studio', 'Verso', 'Still'],
  shared: ['minimalist', 'gift', 'eco', 'compact', 'premium', 'value', 'durable'],
  types: [
    {
      names: ['Ergonomic Chair', 'Mesh Office Chair'],
      noun: 'office chair',
      tags: ['ergonomic', 'chair', 'lumbar-support'],
      features: [
        'adjustable lumbar support',
        '4D armrests',
        'a breathable mesh back',
        'a synchro-tilt mechanism',
        'a seat-depth slider',
      ],
      uses: ['long workdays', 'small home offices', 'gaming and work alike'],
      specs: ['supports up to {maxLoadKg} kg', 'comes with a {warrantyYears}-year warranty'],
      price: [199, 1199],
      attrs: (rng) => ({ maxLoadKg: rng.pick([120, 136, 150]), warrantyYears: rng.pick([5, 10, 12]) }),
    },
    {
      names: ['Standing Desk', 'Electric Sit-Stand Desk'],
      noun: 'standing desk',
      tags: ['standing-desk', 'desk', 'ergonomic'],
      features: [
        'dual motors',
        'four height presets',
        'anti-collision sensing',
        'a solid oak top',
        'a cable tray',
      ],
      uses: ['switching positions through the day', 'shared home offices', 'tall users'],
      specs: ['rises from {minCm} to {maxCm} cm', 'has a {widthCm} cm wide top'],
      price: [299, 999],
      attrs: (rng) => ({
        minCm: rng.int(60, 72),
        maxCm: rng.int(118, 128),
        widthCm: rng.pick([120, 140, 160]),
      }),
    },
    {
      names: ['Monitor Arm', 'Dual Monitor Arm'],
      noun: 'monitor arm',
      tags: ['monitor-arm', 'ergonomic', 'cable-management'],
      features: [
        'gas-spring height adjustment',
        'a clamp and grommet mount',
        'hidden cable channels',
        'full tilt and swivel',
      ],
      uses: ['reclaiming desk space', 'eye-level screens', 'multi-monitor setups'],
      specs: ['holds screens up to {maxInches} inches', 'supports {maxKg} kg per arm'],
      price: [39, 199],
      attrs: (rng) => ({ maxInches: rng.pick([27, 32, 34, 49]), maxKg: rng.pick([8, 9, 12]) }),
    },
    {
      names: ['Desk Lamp', 'LED Task Lamp'],
      noun: 'desk lamp',
      tags: ['lighting', 'desk-lamp'],
      features: [
        'flicker-free LEDs',
        'adjustable colour temperature',
        'a weighted base',
        'a wireless charging pad',
      ],
      uses: ['late-night reading', 'detailed hobby work', 'video calls after dark'],
      specs: ['puts out {lumens} lumens', 'has a colour rendering index of {cri}'],
      price: [29, 249],
      attrs: (rng) => ({ lumens: rng.int(4, 12) * 100, cri: rng.pick([90, 95, 97]) }),
    },
    {
      names: ['Laptop Stand', 'Folding Laptop Stand'],
      noun: 'laptop stand',
      tags: ['laptop-stand', 'ergonomic'],
      optional: ['travel'],
      features: [
        'aluminium construction',
        'silicone pads',
        'six height settings',
        'an open back for airflow',
      ],
      uses: ['working from cafés', 'eye-level screens', 'hot-desking'],
      specs: ['weighs {weightGrams} g', 'lifts a laptop up to {liftCm} cm'],
      price: [25, 99],
      attrs: (rng) => ({ weightGrams: grams(rng, 180, 1200), liftCm: rng.int(12, 24) }),
    },
    {
      names: ['Dotted Notebook A5', 'Hardcover Notebook A5', 'Grid Notebook A4'],
      noun: 'notebook',
      tags: ['stationery', 'notebook', 'paper'],
      features: [
        '100 g/m² fountain-pen-friendly paper',
        'a lay-flat binding',
        'numbered pages',
        'a back pocket',
      ],
      uses: ['bullet journaling', 'meeting notes', 'sketching ideas'],
      specs: ['has {pages} pages', 'contains {pages} numbered pages'],
      price: [9, 35],
      attrs: (rng) => ({ pages: rng.pick([160, 192, 240]) }),
    },
    {
      names: ['Fountain Pen', 'Brass Fountain Pen'],
      noun: 'fountain pen',
      tags: ['stationery', 'fountain-pen', 'writing'],
      features: ['a steel nib', 'a piston filler', 'a screw cap', 'a converter for bottled ink'],
      uses: ['daily journaling', 'signing letters', 'learning calligraphy'],
      specs: ['comes with a {nib} nib', 'weighs {weightGrams} g'],
      price: [19, 189],
      attrs: (rng) => ({
        nib: rng.pick(['extra-fine', 'fine', 'medium', 'broad']),
        weightGrams: grams(rng, 14, 45, 1),
      }),
    },
    {
      names: ['Desk Organiser', 'Walnut Desk Tidy'],
      noun: 'desk organiser',
      tags: ['organisation', 'desk-accessories'],
      features: ['solid walnut', 'a phone slot', 'a hidden drawer', 'felt-lined compartments'],
      uses: ['clearing clutter', 'small desks', 'shared workspaces'],
      specs: ['has {compartments} compartments', 'measures {widthCm} cm wide'],
      price: [19, 79],
      attrs: (rng) => ({ compartments: rng.int(3, 7), widthCm: rng.int(20, 45) }),
    },
    {
      names: ['Ergonomic Footrest', 'Rocking Footrest'],
      noun: 'footrest',
      tags: ['ergonomic', 'footrest'],
      features: ['a rocking motion', 'a textured massage surface', 'adjustable tilt', 'a non-slip base'],
      uses: ['shorter users', 'better posture', 'long calls'],
      specs: ['adjusts between {minDeg} and {maxDeg} degrees', 'is {widthCm} cm wide'],
      price: [29, 89],
      attrs: (rng) => ({ minDeg: 0, maxDeg: rng.pick([20, 25, 30]), widthCm: rng.int(40, 50) }),
    },
    {
      names: ['Glass Whiteboard', 'Magnetic Whiteboard'],
      noun: 'whiteboard',
      tags: ['whiteboard', 'planning'],
      features: ['ghost-free tempered glass', 'a marker tray', 'magnets included', 'hidden wall mounts'],
      uses: ['weekly planning', 'brainstorming', 'family calendars'],
      specs: ['measures {size} cm', 'comes in a {size} cm size'],
      price: [29, 149],
      attrs: (rng) => ({ size: rng.pick(['60 x 45', '90 x 60', '120 x 90']) }),
    },
    {
      names: ['Cable Management Kit'],
      noun: 'cable kit',
      tags: ['cable-management'],
      features: ['an under-desk tray', 'adhesive cable clips', 'velcro ties', 'a cable sleeve'],
      uses: ['a tidy desk', 'standing desks', 'home studios'],
      specs: ['includes {pieces} pieces', 'manages up to {cables} cables'],
      price: [15, 49],
      attrs: (rng) => ({ pieces: rng.int(20, 60), cables: rng.int(8, 20) }),
    },
    {
      names: ['Document Scanner', 'Portable Document Scanner'],
      noun: 'scanner',
      tags: ['scanner', 'paperless'],
      features: ['duplex scanning', 'Wi-Fi upload', 'searchable PDF output', 'a 20-page feeder'],
      uses: ['going paperless', 'receipts and tax returns', 'archiving family photos'],
      specs: ['scans {ppm} pages a minute', 'handles {dailyPages} pages a day'],
      price: [149, 499],
      attrs: (rng) => ({ ppm: rng.int(15, 40), dailyPages: rng.pick([500, 1000, 4000]) }),
    },
    {
      names: ['Acoustic Panels', 'Felt Acoustic Panel Set'],
      noun: 'panel set',
      tags: ['acoustic', 'video-calls'],
      features: ['recycled PET felt', 'a bevelled edge', 'peel-and-stick mounting', 'a choice of colours'],
      uses: ['echoey rooms', 'recording and calls', 'open-plan homes'],
      specs: ['comes as {pieces} panels', 'has a noise reduction coefficient of {nrc}'],
      price: [59, 249],
      attrs: (rng) => ({ pieces: rng.pick([6, 12, 24]), nrc: rng.pick([0.7, 0.8, 0.9]) }),
    },
    {
      names: ['Felt Desk Mat', 'Leather Desk Mat'],
      noun: 'desk mat',
      tags: ['desk-mat', 'desk-accessories'],
      features: ['stitched edges', 'a water-resistant surface', 'a non-slip backing', 'a soft wool felt top'],
      uses: ['writing comfort', 'protecting a wooden desk', 'mouse and keyboard setups'],
      specs: ['measures {size} cm', 'is {thicknessMm} mm thick'],
      price: [19, 69],
      attrs: (rng) => ({
        size: rng.pick(['80 x 30', '90 x 40', '100 x 50']),
        thicknessMm: rng.pick([2, 3, 4]),
      }),
    },
    {
      names: ['Key Light', 'Video Call Light'],
      noun: 'light',
      tags: ['lighting', 'video-calls'],
      features: [
        'soft diffused light',
        'app-controlled brightness',
        'a clamp mount',
        'adjustable colour temperature',
      ],
      uses: ['video calls', 'streaming', 'product photography'],
      specs: ['delivers {lumens} lumens', 'adjusts from 2900 to 7000 K'],
      price: [25, 99],
      attrs: (rng) => ({ lumens: rng.int(5, 25) * 100 }),
    },
  ],
};

const GARDEN = {
  count: 36,
  brands: ['Greenhaven', 'Rootstock', 'Bramble & Bee', 'Hedgerow', 'Verdant'],
  models: ['Classic', 'Allotment', 'Cottage', 'Grower', 'Meadow', 'Potting'],
  shared: ['beginner', 'gift', 'eco', 'family', 'compact', 'durable', 'value', 'premium'],
  types: [
    {
      names: ['Pruning Shears', 'Bypass Secateurs'],
      noun: 'pair of secateurs',
      tags: ['pruning', 'tools'],
      features: ['hardened steel blades', 'a sap groove', 'a rotating handle', 'a one-handed safety catch'],
      uses: ['roses and shrubs', 'fruit trees', 'deadheading'],
      specs: ['cuts branches up to {cutMm} mm', 'weighs {weightGrams} g'],
      price: [19, 79],
      attrs: (rng) => ({ cutMm: rng.pick([18, 20, 25]), weightGrams: grams(rng, 180, 290) }),
    },
    {
      names: ['Raised Garden Bed', 'Cedar Raised Bed'],
      noun: 'raised bed',
      tags: ['raised-bed', 'vegetables'],
      features: [
        'untreated cedar boards',
        'tool-free assembly',
        'a weed membrane',
        'corner posts for netting',
      ],
      uses: ['small gardens', 'patio vegetables', 'accessible gardening'],
      specs: ['measures {size} cm', 'is {heightCm} cm deep'],
      price: [59, 249],
      attrs: (rng) => ({
        size: rng.pick(['120 x 60', '180 x 90', '240 x 120']),
        heightCm: rng.pick([30, 45, 60]),
      }),
    },
    {
      names: ['Seed Starter Kit', 'Propagator Kit'],
      noun: 'propagator',
      tags: ['seeds', 'seedlings', 'vegetables'],
      features: ['a vented humidity dome', 'a heat mat', 'biodegradable pots', 'a capillary mat'],
      uses: ['early tomatoes', 'windowsill growing', 'raising seedlings with kids'],
      specs: ['has {cells} cells', 'starts {cells} seedlings at once'],
      price: [15, 59],
      attrs: (rng) => ({ cells: rng.pick([24, 40, 60]) }),
    },
    {
      names: ['Compost Bin', 'Hot Composter'],
      noun: 'composter',
      tags: ['compost'],
      features: ['a ventilated lid', 'a lower hatch', 'insulated walls', 'a tumbler mechanism'],
      uses: ['kitchen scraps', 'garden waste', 'small urban gardens'],
      specs: ['holds {capacityLitres} litres', 'turns scraps into compost in about {weeks} weeks'],
      price: [39, 189],
      attrs: (rng) => ({ capacityLitres: rng.pick([200, 330, 400]), weeks: rng.int(8, 20) }),
    },
    {
      names: ['Expandable Hose', 'Hose Reel'],
      noun: 'hose',
      tags: ['watering', 'hose'],
      features: ['brass fittings', 'a seven-pattern spray gun', 'kink resistance', 'a wall bracket'],
      uses: ['long borders', 'washing the car', 'patio pots'],
      specs: ['reaches {lengthM} m', 'stretches to {lengthM} m'],
      price: [29, 149],
      attrs: (rng) => ({ lengthM: rng.pick([15, 20, 30, 50]) }),
    },
    {
      names: ['Watering Can', 'Galvanised Watering Can'],
      noun: 'watering can',
      tags: ['watering'],
      features: ['a brass rose', 'a long reach spout', 'a balanced handle', 'a galvanised steel body'],
      uses: ['seedlings', 'greenhouse plants', 'balcony pots'],
      specs: ['holds {capacityLitres} litres', 'carries {capacityLitres} litres'],
      price: [15, 69],
      attrs: (rng) => ({ capacityLitres: rng.pick([4.5, 6, 9]) }),
    },
    {
      names: ['Gardening Gloves', 'Thorn-Proof Gloves'],
      noun: 'pair of gloves',
      tags: ['gloves', 'tools'],
      features: ['goatskin palms', 'extended cuffs', 'breathable backs', 'reinforced fingertips'],
      uses: ['rose pruning', 'weeding', 'clearing brambles'],
      specs: ['comes in sizes {sizes}', 'is machine washable in sizes {sizes}'],
      price: [9, 35],
      attrs: () => ({ sizes: 'S-XL' }),
    },
    {
      names: ['Bird Feeder', 'Squirrel-Proof Bird Feeder'],
      noun: 'bird feeder',
      tags: ['birdwatching', 'wildlife', 'bird-feeder'],
      features: ['a squirrel guard', 'a removable base for cleaning', 'metal perches', 'a rain hood'],
      uses: ['garden birdwatching', 'winter feeding', 'a window view'],
      specs: ['holds {capacityKg} kg of seed', 'has {ports} feeding ports'],
      price: [15, 89],
      attrs: (rng) => ({ capacityKg: rng.pick([0.5, 1, 1.5]), ports: rng.pick([2, 4, 6]) }),
    },
    {
      names: ['Herb Planter', 'Self-Watering Herb Planter'],
      noun: 'herb planter',
      tags: ['herbs', 'planter', 'indoor'],
      features: ['a water reservoir', 'a drainage tray', 'a grow light', 'recycled plastic pots'],
      uses: ['kitchen windowsills', 'balconies', 'fresh basil all year'],
      specs: ['grows {pots} plants', 'holds water for {days} days'],
      price: [19, 99],
      attrs: (rng) => ({ pots: rng.int(3, 9), days: rng.int(7, 21) }),
    },
    {
      names: ['Hand Tool Set', 'Trowel and Fork Set'],
      noun: 'tool set',
      tags: ['tools', 'trowel'],
      features: ['stainless steel heads', 'ash-wood handles', 'depth markings', 'a canvas roll'],
      uses: ['planting bulbs', 'container gardening', 'weeding borders'],
      specs: ['includes {pieces} tools', 'comes as a {pieces}-piece set'],
      price: [19, 79],
      attrs: (rng) => ({ pieces: rng.int(2, 6) }),
    },
    {
      names: ['Solar Path Lights', 'Solar String Lights'],
      noun: 'set of solar lights',
      tags: ['lighting', 'solar'],
      features: [
        'automatic dusk-to-dawn switching',
        'warm white LEDs',
        'weatherproof housings',
        'a remote panel',
      ],
      uses: ['garden paths', 'summer evenings on the patio', 'festive displays'],
      specs: ['runs {hours} hours on a full charge', 'comes as a set of {pieces}'],
      price: [19, 89],
      attrs: (rng) => ({ hours: rng.int(6, 12), pieces: rng.pick([4, 6, 8, 10]) }),
    },
    {
      names: ['Rain Barrel', 'Rainwater Butt'],
      noun: 'water butt',
      tags: ['watering', 'rainwater'],
      features: ['a child-safe lid', 'a brass tap', 'a diverter kit', 'UV-stable walls'],
      uses: ['saving tap water', 'dry summers', 'watering acid-loving plants'],
      specs: ['holds {capacityLitres} litres', 'stores {capacityLitres} litres of rainwater'],
      price: [49, 189],
      attrs: (rng) => ({ capacityLitres: rng.pick([100, 210, 300]) }),
    },
    {
      names: ['Garden Kneeler', 'Kneeler Seat'],
      noun: 'kneeler',
      tags: ['kneeler', 'comfort'],
      features: ['thick foam padding', 'a flip-over seat', 'side tool pockets', 'sturdy handles'],
      uses: ['weeding borders', 'bad knees', 'long planting sessions'],
      specs: ['supports up to {maxLoadKg} kg', 'folds flat to {foldedCm} cm'],
      price: [19, 59],
      attrs: (rng) => ({ maxLoadKg: rng.pick([100, 120, 150]), foldedCm: rng.int(8, 14) }),
    },
    {
      names: ['Insect Hotel', 'Bee House'],
      noun: 'insect hotel',
      tags: ['wildlife', 'pollinators'],
      features: ['bamboo nesting tubes', 'a pine frame', 'a slate roof', 'a wall bracket'],
      uses: ['solitary bees', 'wildlife-friendly gardens', 'learning with children'],
      specs: ['stands {heightCm} cm tall', 'has {tubes} nesting tubes'],
      price: [15, 59],
      attrs: (rng) => ({ heightCm: rng.int(20, 45), tubes: rng.int(30, 90) }),
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Assembly

const CATEGORIES = [
  { category: 'books', prefix: 'bk', build: books },
  { category: 'music', prefix: 'mu', build: music },
  { category: 'films', prefix: 'fm', build: films },
  { category: 'board-games', prefix: 'bg', build: boardGames },
  { category: 'video-games', prefix: 'vg', build: videoGames },
  { category: 'outdoor', prefix: 'od', build: (rng) => productCategory(rng, OUTDOOR) },
  { category: 'kitchen', prefix: 'kt', build: (rng) => productCategory(rng, KITCHEN) },
  { category: 'electronics', prefix: 'el', build: (rng) => productCategory(rng, ELECTRONICS) },
  { category: 'fitness', prefix: 'ft', build: (rng) => productCategory(rng, FITNESS) },
  { category: 'travel-gear', prefix: 'tg', build: (rng) => productCategory(rng, TRAVEL_GEAR) },
  { category: 'home-office', prefix: 'ho', build: (rng) => productCategory(rng, HOME_OFFICE) },
  { category: 'garden', prefix: 'gd', build: (rng) => productCategory(rng, GARDEN) },
];

function buildCatalogue() {
  return CATEGORIES.flatMap(({ category, prefix, build }) => {
    const rng = createRandom(`tributary-catalogue/${category}`);
    return build(rng).map((draft, i) => ({
      id: `${prefix}-${String(i + 1).padStart(4, '0')}`,
      title: draft.title,
      category,
      tags: draft.tags,
      description: draft.description,
      price: draft.price,
      currency: 'EUR',
      rating: rating(rng),
      attributes: draft.attributes,
    }));
  });
}

// ---------------------------------------------------------------------------------------------
// Profiles: history is drawn from the generated catalogue so every id exists.

const PERSONAS = [
  {
    userId: 'u-alice',
    displayName: 'Alice',
    interests: { 'sci-fi': 0.9, 'space-opera': 0.7, hiking: 0.6, camping: 0.4 },
    preferredCategories: ['books', 'outdoor'],
    dislikedTags: ['horror'],
    budget: 80,
    history: [
      ['books', 'sci-fi', 3],
      ['outdoor', 'hiking', 1],
    ],
  },
  {
    userId: 'u-bruno',
    displayName: 'Bruno',
    interests: { baking: 0.9, sourdough: 0.8, 'cast-iron': 0.6, fermentation: 0.5, eco: 0.4 },
    preferredCategories: ['kitchen', 'books'],
    dislikedTags: ['air-fryer'],
    budget: 150,
    history: [
      ['kitchen', 'baking', 2],
      ['books', 'cookbook', 2],
    ],
  },
  {
    userId: 'u-chen',
    displayName: 'Chen',
    interests: { rpg: 0.9, strategy: 0.8, 'co-op': 0.6, 'mechanical-keyboard': 0.5, 'sci-fi': 0.4 },
    preferredCategories: ['video-games', 'electronics', 'board-games'],
    dislikedTags: ['sports', 'racing'],
    budget: 120,
    history: [
      ['video-games', 'rpg', 2],
      ['electronics', 'keyboard', 1],
      ['board-games', 'strategy', 1],
    ],
  },
  {
    userId: 'u-dara',
    displayName: 'Dara',
    interests: { family: 0.9, 'co-op': 0.7, kids: 0.6, animation: 0.6, nature: 0.4 },
    preferredCategories: ['board-games', 'films', 'garden'],
    dislikedTags: ['horror', 'thriller'],
    budget: 60,
    history: [
      ['board-games', 'family', 2],
      ['films', 'animation', 1],
    ],
  },
  {
    userId: 'u-emeka',
    displayName: 'Emeka',
    interests: { running: 0.9, strength: 0.6, recovery: 0.5, jazz: 0.5, 'heart-rate': 0.4 },
    preferredCategories: ['fitness', 'electronics', 'music'],
    dislikedTags: ['gaming'],
    budget: 250,
    history: [
      ['fitness', 'running', 2],
      ['music', 'jazz', 1],
    ],
  },
  {
    userId: 'u-freya',
    displayName: 'Freya',
    interests: { ergonomic: 0.9, minimalist: 0.7, 'carry-on': 0.6, productivity: 0.5, 'video-calls': 0.4 },
    preferredCategories: ['home-office', 'travel-gear'],
    dislikedTags: ['rgb', 'gaming'],
    budget: 400,
    history: [
      ['home-office', 'ergonomic', 2],
      ['travel-gear', 'carry-on', 1],
    ],
  },
  {
    userId: 'u-gabriel',
    displayName: 'Gabriel',
    interests: { noir: 0.9, jazz: 0.8, classic: 0.7, vinyl: 0.6, mystery: 0.5, 'black-and-white': 0.4 },
    preferredCategories: ['films', 'music', 'books'],
    dislikedTags: ['romantic-comedy'],
    budget: 50,
    history: [
      ['films', 'noir', 2],
      ['music', 'jazz', 1],
      ['books', 'mystery', 1],
    ],
  },
  {
    userId: 'u-hana',
    displayName: 'Hana',
    interests: { vegetables: 0.8, wildlife: 0.8, birdwatching: 0.7, eco: 0.6, herbs: 0.5, compost: 0.4 },
    preferredCategories: ['garden', 'outdoor', 'books'],
    dislikedTags: ['drone', 'appliance'],
    budget: 100,
    history: [
      ['garden', 'vegetables', 2],
      ['garden', 'birdwatching', 1],
    ],
  },
];

function buildProfiles(items) {
  return PERSONAS.map((persona) => {
    const rng = createRandom(`tributary-profiles/${persona.userId}`);
    const history = persona.history.flatMap(([category, tag, count]) => {
      const matches = items.filter((item) => item.category === category && item.tags.includes(tag));
      if (matches.length < count)
        throw new Error(`${persona.userId}: only ${matches.length} ${category} items tagged ${tag}`);
      return rng.sample(matches, count).map((item) => item.id);
    });
    return {
      userId: persona.userId,
      displayName: persona.displayName,
      interests: persona.interests,
      preferredCategories: persona.preferredCategories,
      dislikedTags: persona.dislikedTags,
      budget: { max: persona.budget, currency: 'EUR' },
      history,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Self-checks, so a careless edit to a bank fails here rather than in the data tests.

function checkCatalogue(items) {
  const problems = [];
  const ids = new Set(items.map((item) => item.id));
  if (ids.size !== items.length) problems.push('duplicate ids');
  for (const category of new Set(items.map((item) => item.category))) {
    const tags = new Set(items.filter((item) => item.category === category).flatMap((item) => item.tags));
    if (tags.size < 5 || tags.size > 40)
      problems.push(`${category} has ${tags.size} distinct tags (want 5-40)`);
  }
  for (const item of items) {
    if (/\{|\}|undefined|NaN/.test(item.description + item.title))
      problems.push(`${item.id} has an unfilled template: ${item.description}`);
  }
  if (problems.length > 0) throw new Error(`catalogue self-check failed:\n  ${problems.join('\n  ')}`);
}

function repeatedSentenceShare(items) {
  const counts = new Map();
  for (const item of items) {
    for (const sentence of item.description.split(/(?<=\.)\s+/))
      counts.set(sentence, (counts.get(sentence) ?? 0) + 1);
  }
  const repeated = [...counts.values()].filter((n) => n > 1).reduce((sum, n) => sum + n, 0);
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  return repeated / total;
}

const toJsonl = (rows) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';

function main() {
  const outDir = process.argv[2] ?? 'data';
  const items = buildCatalogue();
  checkCatalogue(items);
  const profiles = buildProfiles(items);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'catalogue.jsonl'), toJsonl(items));
  writeFileSync(join(outDir, 'profiles.jsonl'), toJsonl(profiles));
  const categories = new Set(items.map((item) => item.category)).size;
  const repeated = (repeatedSentenceShare(items) * 100).toFixed(1);
  console.log(
    `wrote ${items.length} items in ${categories} categories and ${profiles.length} profiles to ${outDir}/ (${repeated}% of description sentences repeat)`,
  );
}

main();

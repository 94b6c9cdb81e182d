import { CATALOGUE_CATEGORIES, CATEGORY_KEYWORDS } from '../categories';

/**
 * The kinds of things the catalogue sells, as German, French, Spanish and Italian requests name them,
 * each under the English words the catalogue and the keyword table use. Folded spellings (lower case,
 * no accents, "ß" as "ss"), singular and usual plural. A foreign word that is also an English word
 * ("pain", "gift", "mixer") is left out: it would turn an English request into something else.
 * General vocabulary only, never a request's wording.
 */
const FOREIGN_WORDS: Readonly<Record<string, readonly string[]>> = {
  // kitchen
  knife: ['messer', 'couteau', 'couteaux', 'cuchillo', 'cuchillos', 'coltello', 'coltelli'],
  cooking: ['koch', 'kochen', 'cuisiner', 'cocinar', 'cucinare'],
  pot: ['topf', 'topfe', 'kochtopf', 'marmite', 'olla', 'ollas', 'pentola', 'pentole'],
  skillet: ['pfanne', 'bratpfanne', 'poele', 'sarten', 'padella'],
  'dutch oven': ['cocotte', 'schmortopf', 'brater', 'casseruola'],
  'cast iron': ['gusseisen', 'fonte', 'ghisa'],
  kettle: ['wasserkocher', 'bouilloire', 'hervidor', 'bollitore'],
  teapot: ['teekanne', 'theiere', 'tetera', 'teiera'],
  coffee: ['kaffee', 'caffe'],
  grinder: ['muhle', 'kaffeemuhle', 'moulin', 'molinillo', 'macinino'],
  'cutting board': ['schneidebrett', 'brett', 'planche', 'tagliere'],
  bread: ['brot', 'brote'],
  // garden
  gloves: ['handschuhe', 'handschuh', 'gants', 'gant', 'guantes', 'guante', 'guanti', 'guanto'],
  secateurs: ['schere', 'gartenschere', 'astschere', 'secateur', 'tijeras', 'tijera', 'forbici', 'cesoie'],
  'watering can': ['giesskanne', 'kanne', 'arrosoir', 'regadera', 'annaffiatoio'],
  hose: ['schlauch', 'gartenschlauch', 'tuyau', 'manguera', 'tubo'],
  seeds: ['samen', 'saatgut', 'graines', 'graine', 'semillas', 'semilla'],
  trowel: ['kelle', 'pflanzkelle', 'transplantoir', 'desplantador', 'paletta'],
  planter: ['blumentopf', 'pflanzgefass', 'jardiniere', 'maceta', 'macetero', 'fioriera'],
  compost: ['kompost', 'komposter', 'composteur', 'compostera', 'compostiera'],
  'bird feeder': ['vogelhaus', 'futterhaus', 'mangeoire', 'comedero', 'mangiatoia'],
  // outdoor
  tent: ['zelt', 'tente', 'tenda'],
  'sleeping bag': ['schlafsack', 'couchage', 'saco', 'sacco'],
  backpack: ['rucksack', 'mochila', 'zaino'],
  boots: ['stiefel', 'wanderschuhe', 'bottes', 'botas', 'scarponi', 'stivali'],
  shoes: ['schuhe', 'chaussures', 'zapatos', 'zapatillas', 'scarpe'],
  jacket: ['jacke', 'regenjacke', 'veste', 'chaqueta', 'giacca'],
  headlamp: ['stirnlampe', 'frontale'],
  stove: ['kocher', 'campingkocher', 'rechaud', 'hornillo', 'fornello'],
  'water filter': ['wasserfilter'],
  binoculars: ['fernglas', 'jumelles', 'prismaticos', 'binocolo'],
  'trekking poles': ['wanderstocke', 'stocke', 'bastones', 'bastoncini'],
  hiking: ['wandern', 'wanderung', 'randonnee', 'senderismo', 'escursionismo'],
  // electronics
  headphones: ['kopfhorer', 'casque', 'auriculares', 'cuffie'],
  speaker: ['lautsprecher', 'enceinte', 'altavoz', 'altoparlante'],
  camera: ['kamera', 'camara', 'fotocamera'],
  keyboard: ['tastatur', 'clavier', 'teclado', 'tastiera'],
  mouse: ['maus', 'souris', 'raton'],
  monitor: ['bildschirm', 'ecran', 'pantalla', 'schermo'],
  smartwatch: ['uhr', 'montre', 'reloj', 'orologio'],
  charger: ['ladegerat', 'chargeur', 'cargador', 'caricabatterie'],
  microphone: ['mikrofon', 'microfono'],
  turntable: ['plattenspieler', 'platine', 'tocadiscos', 'giradischi'],
  // fitness
  mat: ['matte', 'tapis', 'esterilla', 'tappetino'],
  dumbbells: ['hanteln', 'hantel', 'halteres', 'mancuernas', 'manubri'],
  'jump rope': ['springseil', 'comba'],
  bottle: ['flasche', 'trinkflasche', 'gourde', 'botella', 'borraccia'],
  bag: ['tasche', 'sac', 'bolsa', 'borsa'],
  // travel gear
  suitcase: ['koffer', 'valise', 'maleta', 'valigia'],
  luggage: ['gepack', 'bagages', 'equipaje', 'bagagli'],
  pillow: ['kissen', 'oreiller', 'coussin', 'almohada', 'cuscino'],
  towel: ['handtuch', 'serviette', 'toalla', 'asciugamano'],
  wallet: ['geldborse', 'portemonnaie', 'portefeuille', 'cartera', 'portafoglio'],
  travel: ['reise', 'reisen', 'unterwegs', 'voyage', 'voyager', 'viaje', 'viajar', 'viaggio', 'viaggiare'],
  // home office
  chair: ['stuhl', 'burostuhl', 'chaise', 'silla', 'sedia'],
  desk: ['schreibtisch', 'escritorio', 'scrivania'],
  lamp: ['lampe', 'lampara', 'lampada'],
  notebook: ['notizbuch', 'carnet', 'cuaderno', 'quaderno'],
  pen: ['stift', 'stylo', 'pluma', 'penna'],
  // books, music, films, games
  book: ['buch', 'bucher', 'livre', 'livres', 'libro', 'libros', 'libri'],
  novel: ['romanzo', 'romanzi', 'novela', 'novelas'],
  album: ['schallplatte', 'disque'],
  film: ['pelicula', 'peliculas', 'filme'],
  game: ['spiel', 'spiele', 'jeu', 'jeux', 'juego', 'juegos', 'gioco', 'giochi'],
  gift: ['geschenk', 'cadeau', 'regalo'],
  family: ['familie', 'famille', 'familia', 'famiglia'],
  kids: ['kinder', 'enfants', 'enfant', 'ninos', 'bambini'],
  garden: ['garten', 'jardin', 'giardino'],
  kitchen: ['kuche', 'cuisine', 'cocina', 'cucina'],
};

const ENGLISH = new Map<string, string>();
for (const [english, foreign] of Object.entries(FOREIGN_WORDS))
  for (const word of foreign) ENGLISH.set(word, english);

/** Words a compound may be made of: the glossary's and the keyword table's single words. */
const PARTS = new Set<string>([
  ...ENGLISH.keys(),
  ...CATALOGUE_CATEGORIES.flatMap((category) =>
    CATEGORY_KEYWORDS[category].filter((keyword) => !/[\s-]/.test(keyword)),
  ),
]);

/** The English words of the glossary, for checks against the catalogue's vocabulary. */
export const GLOSSARY_ENGLISH: readonly string[] = Object.keys(FOREIGN_WORDS);

const MIN_COMPOUND_LENGTH = 7;
const MIN_PART_LENGTH = 3;
/** What German puts between the parts of a compound: "Reise|n|kissen", "Geburtstag|s|geschenk". */
const LINKS = ['', 's', 'n', 'en', 'e', 'er'];

/**
 * The known words a compound is glued from ("gartenschere" → "garten", "schere"), head last, as
 * languages that glue nouns build them; empty when the word is known itself or is no such compound.
 */
export function compoundParts(word: string): string[] {
  if (word.length < MIN_COMPOUND_LENGTH || PARTS.has(word)) return [];
  return splitCompound(word) ?? [];
}

function splitCompound(word: string): string[] | undefined {
  // The longest known head first, so "handschuhe" wins over "schuhe".
  for (let cut = MIN_PART_LENGTH; cut <= word.length - MIN_PART_LENGTH; cut += 1) {
    const head = word.slice(cut);
    if (!PARTS.has(head)) continue;
    const modifier = word.slice(0, cut);
    for (const link of LINKS) {
      if (!modifier.endsWith(link)) continue;
      const stem = modifier.slice(0, modifier.length - link.length);
      if (stem.length < MIN_PART_LENGTH) continue;
      if (PARTS.has(stem)) return [stem, head];
      const inner = splitCompound(stem);
      if (inner !== undefined) return [...inner, head];
    }
  }
  return undefined;
}

/**
 * The text with the English words for its foreign words and compounds after it ("eine Gartenschere
 * und Handschuhe" → "eine gartenschere und handschuhe secateurs gloves"), so the keyword table, the
 * tag spellings and the catalogue's English text meet a request written in another language. The
 * text itself is kept as written, so its own phrases ("jeu de societe") still match. Expects folded
 * text; a text with nothing to translate comes back as it is.
 */
export function withEnglish(folded: string): string {
  const english: string[] = [];
  for (const token of folded.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const word = token.replace(/ß/g, 'ss');
    const direct = ENGLISH.get(word);
    if (direct !== undefined) english.push(direct);
    else english.push(...compoundParts(word).map((part) => ENGLISH.get(part) ?? part));
  }
  return english.length === 0 ? folded : `${folded} ${english.join(' ')}`;
}

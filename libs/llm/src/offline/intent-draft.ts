import { type Draft, type PlanIntent } from '@tributary/contracts';
import { type Candidate, type DraftInput, type ReviewCheck } from '../port';
import { eligibleCandidates, relevanceFirst, toRecommendation } from '../shaping';
import { byRank, dedupe, type Ranked, reasonFor } from './ranking';
import { money } from './text';

/** A disliked tag halves an item's score: kept only when nothing else serves. */
const DISLIKED_PENALTY = 0.5;
/** Below this relevance an intent's candidate is a weak match: it fills only after the profile's picks. */
const WEAK_MATCH = 0.25;

/** The plan's intents, or none for a plan written before plans named them. */
export function intentsOf(input: Pick<DraftInput, 'plan'>): PlanIntent[] {
  const intents: PlanIntent[] | undefined = input.plan.intents;
  return intents ?? [];
}

/** Whether the offline drafter can draft this input intent by intent. */
export function draftsByIntent(input: DraftInput): boolean {
  return intentsOf(input).length > 0 && input.candidates.some((candidate) => candidate.intent !== undefined);
}

/**
 * The intent a pick answers as the reviewer counts it: the intent it was found for, when it lies in
 * one of that intent's categories; none for a profile pick or a match found outside them.
 */
function answeredIntent(candidate: Candidate, intents: readonly PlanIntent[]): string | undefined {
  const intent = intents.find((entry) => entry.id === candidate.intent);
  return intent !== undefined && intent.categories.includes(candidate.category) ? intent.id : undefined;
}

/** Over the profile's budget: a preference a strong match to an intent may override, never a profile pick. */
function overBudget(candidate: Candidate, input: DraftInput): boolean {
  const { budgetMax, currency } = input.profile;
  return budgetMax !== null && candidate.currency === currency && candidate.price > budgetMax;
}

/**
 * Candidates the request allows (its constraints are hard; the profile budget is not), best first by
 * relevance before profile fit, one per product, without the ids in `without`.
 */
function rankedPool(input: DraftInput, without: ReadonlySet<string>): Ranked[] {
  const disliked = new Set(input.profile.dislikedTags.map((tag) => tag.toLowerCase()));
  const withoutBudget = { ...input.profile, budgetMax: null };
  const scored = eligibleCandidates(input.candidates, input.request, withoutBudget)
    .filter((candidate) => !without.has(candidate.itemId))
    .map((candidate) => ({
      candidate,
      score:
        relevanceFirst(candidate) *
        (candidate.tags.some((tag) => disliked.has(tag.toLowerCase())) ? DISLIKED_PENALTY : 1),
    }));
  return dedupe(scored.sort(byRank));
}

/** At most this many of one category before filling, unless every intent asks for that one category. */
function categoryCap(input: DraftInput): number {
  const asked = new Set(intentsOf(input).flatMap((intent) => intent.categories));
  const pinned = asked.size === 1 || input.request.constraints.categories.length === 1;
  return pinned ? Infinity : Math.max(1, Math.ceil(input.request.maxResults / 2));
}

/**
 * Relevance first, personalisation second: the best candidate of each intent in the order the
 * request states them, then the intents' next-best in turn, then weaker matches to intents that
 * name a category, then the profile's picks; at most half the list from one category while
 * another can fill it.
 */
function selectByIntent(input: DraftInput, pool: readonly Ranked[], chosen: Ranked[]): Ranked[] {
  const limit = Math.max(0, input.request.maxResults);
  const intents = intentsOf(input);
  const picked = new Set(chosen.map((entry) => entry.candidate.itemId));
  const take = (entry: Ranked | undefined): void => {
    if (entry === undefined || chosen.length >= limit || picked.has(entry.candidate.itemId)) return;
    chosen.push(entry);
    picked.add(entry.candidate.itemId);
  };
  const free = (entry: Ranked): boolean => !picked.has(entry.candidate.itemId);
  const strong = (entry: Ranked): boolean =>
    entry.candidate.intent !== undefined && entry.candidate.relevance >= WEAK_MATCH;
  // The profile budget weighs in every intent's order. It rules out only picks that answer no
  // intent as the reviewer sees it: an item in one of the categories of the intent it was found for.
  const answers = (entry: Ranked): boolean =>
    intents.some(
      (intent) =>
        intent.id === entry.candidate.intent && intent.categories.includes(entry.candidate.category),
    );
  const withinBudget = (entry: Ranked): boolean => !overBudget(entry.candidate, input) || answers(entry);
  const affordable = (entry: Ranked): boolean =>
    withinBudget(entry) && (strong(entry) || !overBudget(entry.candidate, input));
  const served = (id: string): boolean => chosen.some((entry) => entry.candidate.intent === id);
  // Each intent's best match that the reviewer counts as answering it (in its categories) first.
  for (const intent of intents) {
    if (served(intent.id)) continue;
    const found = pool.filter(
      (entry) => free(entry) && entry.candidate.intent === intent.id && withinBudget(entry),
    );
    take(found.find((entry) => answers(entry)) ?? found[0]);
  }
  const cap = categoryCap(input);
  const count = (category: string): number =>
    chosen.filter((entry) => entry.candidate.category === category).length;
  const queues = intents.map((intent) =>
    pool.filter((entry) => entry.candidate.intent === intent.id && strong(entry)),
  );
  const waves: Ranked[] = [];
  for (let rank = 0; queues.some((queue) => rank < queue.length); rank += 1) {
    for (const queue of queues) {
      const entry = queue[rank];
      if (entry !== undefined) waves.push(entry);
    }
  }
  // Weaker matches to an intent that names a category still answer it better than a profile pick.
  const named = new Set(intents.filter((intent) => intent.categories.length > 0).map((intent) => intent.id));
  const weak = (entry: Ranked): boolean => entry.candidate.intent !== undefined && !strong(entry);
  const order = [
    ...waves,
    ...pool.filter((entry) => weak(entry) && named.has(entry.candidate.intent ?? '')),
    ...pool.filter((entry) => entry.candidate.intent === undefined),
    ...pool.filter((entry) => weak(entry) && !named.has(entry.candidate.intent ?? '')),
  ];
  for (const entry of order)
    if (free(entry) && affordable(entry) && count(entry.candidate.category) < cap) take(entry);
  for (const entry of order) if (free(entry) && affordable(entry)) take(entry);
  return chosen;
}

function reasonWithIntent(candidate: Candidate, input: DraftInput): string {
  const over = overBudget(candidate, input);
  const reason = reasonFor(
    candidate,
    input.request,
    over ? { ...input.profile, budgetMax: null } : input.profile,
  );
  const budget = over
    ? ` Above your usual budget of ${money(input.profile.budgetMax ?? 0, input.profile.currency)}: the closest match to what you asked.`
    : '';
  const intent = intentsOf(input).find((entry) => entry.id === candidate.intent);
  return intent === undefined
    ? `Beyond what you asked, for your profile: ${reason}${budget}`
    : `For “${intent.text}”: ${reason}${budget}`;
}

function toDraft(input: DraftInput, chosen: readonly Ranked[], summary: string, provider: string): Draft {
  return {
    summary,
    recommendations: [...chosen]
      .sort(byRank)
      .map(({ candidate, score }) => toRecommendation(candidate, reasonWithIntent(candidate, input), score)),
    provider,
  };
}

/** What the picks cover of what was asked, or null for a plan without intents. */
function coverageNote(input: DraftInput, chosen: readonly Ranked[]): string | null {
  const intents = intentsOf(input);
  if (intents.length === 0) return null;
  const missed = intents.filter((intent) => !chosen.some((entry) => entry.candidate.intent === intent.id));
  const covered = intents.length - missed.length;
  const note = `covers ${covered} of ${intents.length} thing${intents.length === 1 ? '' : 's'} asked for`;
  return missed.length === 0
    ? note
    : `${note} (nothing eligible for ${missed.map((intent) => `“${intent.text}”`).join(', ')})`;
}

/** Round 1: every intent covered before the list is filled with profile favourites. */
export function draftForIntents(input: DraftInput, provider: string): Draft {
  const chosen = selectByIntent(input, rankedPool(input, new Set()), []);
  const query = input.request.query.trim();
  const summary =
    chosen.length === 0
      ? `No candidate fits "${query}" within the constraints.`
      : `${chosen.length} pick${chosen.length === 1 ? '' : 's'} for "${query}": ${coverageNote(input, chosen) ?? 'the request as one'}, ` +
        `each intent's best match first (relevance scaled by ${input.profile.displayName}'s profile), then profile favourites.`;
  return toDraft(input, chosen, summary, provider);
}

const OFFENCES: ReadonlySet<ReviewCheck['kind']> = new Set([
  'constraint-violation',
  'over-budget',
  'disliked-tag',
  'missing-evidence',
]);

/**
 * A later round: the reviewed draft changed as the review's findings say, not drafted again.
 * A broken constraint, an over-budget or disliked item, or one without evidence is dropped and its
 * place goes to the best item of the same intent; a repeat is dropped; a missed intent gets its best
 * item in place of the weakest pick of an intent served twice (or of a profile pick); low diversity
 * swaps the weakest pick of the crowded category for the best item of another requested category;
 * a short list is filled. The summary lists every change, or says that none was possible.
 */
export function reviseDraft(input: DraftInput, previous: Draft, provider: string): Draft {
  const findings = input.findings ?? [];
  const intents = intentsOf(input);
  const byId = new Map(input.candidates.map((candidate) => [candidate.itemId, candidate]));
  const limit = Math.max(0, input.request.maxResults);
  const changes: string[] = [];
  const offenders = new Map<string, string>();
  for (const finding of findings) {
    if (!OFFENCES.has(finding.kind)) continue;
    for (const id of finding.itemIds) offenders.set(id, finding.kind);
  }
  const pool = rankedPool(input, new Set(offenders.keys()));
  const answered = (entry: Ranked): string | undefined => answeredIntent(entry.candidate, intents);
  const scoreOf = new Map(pool.map((entry) => [entry.candidate.itemId, entry.score]));
  const label = (candidate: Pick<Candidate, 'title'>): string => `“${candidate.title}”`;

  let chosen: Ranked[] = [];
  const dropped: Candidate[] = [];
  for (const rec of previous.recommendations) {
    const candidate = byId.get(rec.itemId);
    if (chosen.some((entry) => entry.candidate.itemId === rec.itemId)) {
      changes.push(`dropped the repeat of ${label(rec)}`);
    } else if (offenders.has(rec.itemId)) {
      changes.push(`dropped ${label(rec)} (${offenders.get(rec.itemId) ?? ''})`);
      if (candidate !== undefined) dropped.push(candidate);
    } else if (candidate === undefined || !scoreOf.has(rec.itemId)) {
      changes.push(`dropped ${label(rec)} (not an eligible candidate)`);
    } else {
      chosen.push({ candidate, score: scoreOf.get(rec.itemId) ?? relevanceFirst(candidate) });
    }
  }
  const free = (entry: Ranked): boolean =>
    !chosen.some((picked) => picked.candidate.itemId === entry.candidate.itemId) &&
    !overBudget(entry.candidate, input);

  // Each dropped offender's place goes to the best remaining item serving what it served.
  for (const offender of dropped) {
    const replacement =
      pool.find(
        (entry) =>
          free(entry) &&
          (offender.intent === undefined
            ? entry.candidate.category === offender.category
            : entry.candidate.intent === offender.intent),
      ) ?? undefined;
    if (replacement !== undefined && chosen.length < limit) {
      chosen.push(replacement);
      changes.push(`${label(replacement.candidate)} in its place`);
    }
  }

  /**
   * The pick to give up for another: the weakest of an intent served twice, else the weakest pick that
   * answers no intent (a profile pick, or one found for an intent outside its categories, which the
   * reviewer does not count as answering it).
   */
  const victim = (among: readonly Ranked[]): Ranked | undefined => {
    const counts = new Map<string | undefined, number>();
    for (const entry of chosen) counts.set(answered(entry), (counts.get(answered(entry)) ?? 0) + 1);
    const spare = among.filter(
      (entry) => answered(entry) === undefined || (counts.get(answered(entry)) ?? 0) > 1,
    );
    return [...spare].sort(byRank).at(-1);
  };
  const swap = (out: Ranked | undefined, into: Ranked, why: string): boolean => {
    if (chosen.length >= limit) {
      if (out === undefined) return false;
      chosen = chosen.filter((entry) => entry !== out);
      changes.push(`${label(into.candidate)} ${why} in place of ${label(out.candidate)}`);
    } else {
      changes.push(`added ${label(into.candidate)} ${why}`);
    }
    chosen.push(into);
    return true;
  };

  for (const finding of findings) {
    if (finding.kind !== 'missed-intent') continue;
    const intent = intents.find((entry) => entry.id === finding.intent);
    if (intent === undefined) continue;
    // Like the first draft's pick for an intent, this one may be over the usual budget.
    const unpicked = (entry: Ranked): boolean =>
      !chosen.some((picked) => picked.candidate.itemId === entry.candidate.itemId);
    const best =
      pool.find((entry) => unpicked(entry) && intent.categories.includes(entry.candidate.category)) ??
      pool.find((entry) => unpicked(entry) && entry.candidate.intent === intent.id);
    if (best !== undefined)
      swap(
        victim(chosen),
        { ...best, candidate: { ...best.candidate, intent: intent.id } },
        `for “${intent.text}”`,
      );
  }

  if (findings.some((finding) => finding.kind === 'low-diversity')) {
    const counts = new Map<string, number>();
    for (const entry of chosen)
      counts.set(entry.candidate.category, (counts.get(entry.candidate.category) ?? 0) + 1);
    const crowded = [...counts.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0]?.[0];
    const requested = new Set(intents.flatMap((intent) => intent.categories));
    const others = pool.filter((entry) => free(entry) && entry.candidate.category !== crowded);
    const best = others.find((entry) => requested.has(entry.candidate.category)) ?? others[0];
    const inCrowd = chosen.filter((entry) => entry.candidate.category === crowded);
    if (best !== undefined) {
      const out = victim(inCrowd) ?? [...inCrowd].sort(byRank).at(-1);
      swap(out, best, `from ${best.candidate.category}, for variety`);
    }
  }

  const before = chosen.length;
  chosen = selectByIntent(input, pool, chosen);
  if (chosen.length > before) {
    changes.push(
      `filled ${chosen.length - before} more slot${chosen.length - before === 1 ? '' : 's'}: ${chosen
        .slice(before)
        .map((entry) => label(entry.candidate))
        .join(', ')}`,
    );
  }

  const note = coverageNote(input, chosen);
  const summary =
    changes.length > 0
      ? `Round ${input.round}, revised after review: ${changes.join('; ')}.${note === null ? '' : ` Now ${note}.`}`
      : `Round ${input.round}: no finding of the review could be acted on with the candidates at hand; the draft stands.`;
  return toDraft(input, chosen, summary, provider);
}

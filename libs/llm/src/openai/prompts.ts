import { type Draft, type Plan, type TaskRequest } from '@tributary/contracts';
import { CATALOGUE_CATEGORIES } from '../categories';
import { type Candidate, type ProfileView, type ReviewCheck } from '../port';
import { formatCheck, priceCeiling, rankScore } from '../shaping';

/**
 * Prompts per task. Facts are rendered compactly (one line per candidate) so a prompt of fifty
 * candidates stays well inside small local models' context; the reply shape is spelled out in
 * every prompt because not every server enforces the JSON schema.
 */

export const MAX_PROMPT_CANDIDATES = 50;
const MAX_DESCRIPTION = 160;

export interface Prompt {
  readonly system: string;
  readonly user: string;
}

const JSON_ONLY = 'Reply with one JSON object only: no Markdown, no text before or after it.';

export function planPrompt(request: TaskRequest, profile: ProfileView): Prompt {
  return {
    system: [
      'You plan catalogue searches for a personalised product recommendation service.',
      'First split the request into intents, one per thing it asks for ("wireless headphones and an ergonomic chair" is two; a request for one thing is one),',
      'each with an id ("intent-1", "intent-2", …), the words of the request that ask for it, the catalogue categories it is found in and the tags it implies.',
      "Then write one to four search steps, most important first: at least one step per intent, naming the intent's id,",
      `then at most one step for the user's strongest interests when they fit the request, with intent "".`,
      `Known catalogue categories: ${CATALOGUE_CATEGORIES.join(', ')}. An empty category list means any category.`,
      'A query is a few search keywords in English, not a sentence, whatever language the request is in.',
      'Honour the hard constraints: allowed categories, price limits, excluded tags. What the request rules out ("no horror") is no intent.',
      JSON_ONLY,
      'Shape: {"summary": "one sentence", "intents": [{"id": "intent-1", "text": "words of the request", "categories": ["category"], "tags": ["tag"]}], "steps": [{"query": "keywords", "categories": ["category"], "intent": "intent-1", "rationale": "one sentence"}]}',
    ].join('\n'),
    user: [requestBlock(request, profile), profileBlock(profile)].join('\n\n'),
  };
}

export function draftPrompt(input: {
  request: TaskRequest;
  plan: Plan;
  candidates: readonly Candidate[];
  profile: ProfileView;
  critique: string | null;
  round: number;
}): Prompt {
  const { request, plan, candidates, profile, critique, round } = input;
  const sections = [
    requestBlock(request, profile),
    profileBlock(profile),
    `Plan: ${plan.summary}\n${plan.steps.map((step) => `- ${step.query} [${step.categories.join(', ') || 'any'}]${step.intent === null ? '' : ` for ${step.intent}`}: ${step.rationale}`).join('\n')}`,
  ];
  // A plan read from an event written before plans named intents has none.
  const intents: Plan['intents'] | undefined = plan.intents;
  if (intents !== undefined && intents.length > 0) {
    sections.push(
      `Intents (choose at least one item for each before anything else; a candidate's "for" names the intent it was found for):\n${intents
        .map(
          (intent) =>
            `- ${intent.id}: ${JSON.stringify(intent.text)} [${intent.categories.join(', ') || 'any'}]`,
        )
        .join('\n')}`,
    );
  }
  if (critique !== null && critique.trim() !== '') {
    sections.push(`Reviewer's critique of round ${round - 1} (fix every point):\n${critique.trim()}`);
  }
  sections.push(`Candidates (${candidates.length}):\n${candidates.map(candidateLine).join('\n')}`);
  return {
    system: [
      'You write personalised product recommendations from a list of catalogue candidates.',
      `Choose up to ${request.maxResults} candidates for this user, best first, and write one reason per item:`,
      'one or two sentences, specific to this user and this item (the request terms it matches, the interest it serves, its price against the budget).',
      'No generic praise and no facts that are not in the candidate line.',
      "Use only itemId values from the candidate list, each at most once. Avoid the user's disliked tags.",
      'Prefer items relevant to the request; when the request asks for several things, answer each of them; vary the categories when the request allows it.',
      'If a reviewer critique is given, the new selection must fix every point it makes.',
      JSON_ONLY,
      'Shape: {"summary": "one or two sentences about the selection", "recommendations": [{"itemId": "an id from the list", "reason": "why it suits this user"}]}',
    ].join('\n'),
    user: sections.join('\n\n'),
  };
}

export function reviewPrompt(input: {
  request: TaskRequest;
  profile: ProfileView;
  draft: Draft;
  round: number;
  checks: readonly ReviewCheck[];
  threshold: number;
}): Prompt {
  const { request, profile, draft, round, checks, threshold } = input;
  const recommendations = draft.recommendations
    .map(
      (rec) =>
        `- ${rec.itemId} | ${JSON.stringify(rec.title)} | ${rec.category} | ${rec.price.toFixed(2)} ${rec.currency} | score ${rec.score.toFixed(2)} | evidence: ${rec.evidence.join(', ') || 'none'}\n  reason: ${rec.reason}`,
    )
    .join('\n');
  const findings = checks.length > 0 ? checks.map((check) => `- ${formatCheck(check)}`).join('\n') : 'none';
  return {
    system: [
      'You review a draft of personalised product recommendations before it is sent to the user.',
      'Judge relevance to the request, fit to the profile (interests, dislikes, budget) and whether each reason is specific and supported.',
      'Rule checks were computed by code and are facts. If there is any, the verdict must be "revise" and the critique must ask for each fix.',
      `Score from 0 (useless) to 1 (excellent); ${threshold.toFixed(2)} or more means good enough to send.`,
      'The critique is addressed to the drafter: say concretely what to change and name item ids. List one short entry per problem in issues.',
      JSON_ONLY,
      'Shape: {"verdict": "approved" | "revise", "critique": "text", "issues": ["text"], "score": 0.0}',
    ].join('\n'),
    user: [
      requestBlock(request, profile),
      profileBlock(profile),
      `Draft, round ${round}: ${draft.summary}\n${recommendations || '(no recommendations)'}`,
      `Rule checks:\n${findings}`,
    ].join('\n\n'),
  };
}

export function repairPrompt(problems: readonly string[]): string {
  return [
    'Your reply could not be used:',
    ...problems.map((problem) => `- ${problem}`),
    `Reply again with the corrected JSON object only, same shape as asked.`,
  ].join('\n');
}

export function schemaInstruction(schema: unknown): string {
  return `The JSON object must conform to this JSON Schema:\n${JSON.stringify(schema)}`;
}

/** The candidates shown to the model: the best by retrieval score, in a stable order. */
export function promptCandidates(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates]
    .sort((a, b) => rankScore(b) - rankScore(a) || a.itemId.localeCompare(b.itemId))
    .slice(0, MAX_PROMPT_CANDIDATES);
}

function requestBlock(request: TaskRequest, profile: ProfileView): string {
  const { constraints } = request;
  const ceiling = priceCeiling(request, profile);
  const price =
    constraints.minPrice === null && ceiling === null
      ? 'any'
      : `${constraints.minPrice?.toFixed(2) ?? '0'} to ${ceiling?.toFixed(2) ?? 'any'} ${profile.currency}`;
  return [
    `Request: ${JSON.stringify(request.query.trim())}`,
    `Wanted: up to ${request.maxResults} recommendations`,
    `Allowed categories: ${constraints.categories.join(', ') || 'any'}`,
    `Price: ${price}`,
    `Excluded tags: ${constraints.excludeTags.join(', ') || 'none'}`,
    `Excluded items: ${constraints.excludeItemIds.join(', ') || 'none'}`,
  ].join('\n');
}

function profileBlock(profile: ProfileView): string {
  const interests = Object.entries(profile.interests)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([name, weight]) => `${name} ${weight.toFixed(2)}`)
    .join(', ');
  return [
    `User: ${profile.displayName} (${profile.userId})`,
    `Interests (weight): ${interests || 'unknown'}`,
    `Preferred categories: ${profile.preferredCategories.join(', ') || 'none'}`,
    `Disliked tags: ${profile.dislikedTags.join(', ') || 'none'}`,
    `Budget: ${profile.budgetMax === null ? 'none given' : `${profile.budgetMax.toFixed(2)} ${profile.currency}`}`,
  ].join('\n');
}

function candidateLine(candidate: Candidate): string {
  const description = candidate.description.replace(/\s+/g, ' ').trim();
  const about =
    description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description;
  return [
    `- ${candidate.itemId}`,
    JSON.stringify(candidate.title),
    candidate.category,
    `${candidate.price.toFixed(2)} ${candidate.currency}`,
    `rating ${candidate.rating === null ? 'none' : candidate.rating.toFixed(1)}`,
    `relevance ${candidate.relevance.toFixed(2)}`,
    `affinity ${candidate.affinity.toFixed(2)}`,
    `tags: ${candidate.tags.join(', ') || 'none'}`,
    `matched: ${candidate.matchedTerms.join(', ') || 'none'}`,
    ...(candidate.intent === undefined ? [] : [`for: ${candidate.intent}`]),
    `hint: ${candidate.hint}`,
    `about: ${about}`,
  ].join(' | ');
}

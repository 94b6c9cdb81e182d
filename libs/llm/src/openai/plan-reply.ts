import { type TaskRequest } from '@tributary/contracts';
import { withEnglish } from '../offline/glossary';
import { fold, splitIntents } from '../offline/intents';
import { keywords } from '../offline/text';
import { type RawPlan } from '../shaping';

/**
 * A plan reply as validated: the schema sent asks for intents and a step's intent, but a server
 * that does not enforce it may return the older shape without them.
 */
export interface PlanReply {
  summary: string;
  intents?: { id: string; text: string; categories: string[]; tags: string[] }[];
  steps: { query: string; categories: string[]; rationale: string; intent?: string }[];
}

type RawIntent = NonNullable<RawPlan['intents']>[number];
type RawStep = RawPlan['steps'][number];

/**
 * The model's plan in the fields the offline planner fills: `intents`, and each step's `intent`.
 * A reply that names no intents gets the offline planner's split of the request; a reply whose
 * steps name none (or name ids it never gave) has each step matched to the intent it shares most
 * words and categories with, or to none (a step that personalises). An intent that no step serves
 * gets a search of its own, before the steps that only personalise, so retrieval covers it.
 */
export function planFromReply(reply: PlanReply, request: TaskRequest): RawPlan {
  const fromModel = modelIntents(reply.intents ?? []);
  const intents =
    fromModel.intents.length > 0
      ? fromModel.intents
      : splitIntents(request.query, request.constraints.categories).map(({ id, text, categories, tags }) => ({
          id,
          text,
          categories,
          tags,
        }));
  const named = reply.steps.map((step) => fromModel.ids.get(step.intent?.trim() ?? '') ?? null);
  const matched = named.some((intent) => intent !== null)
    ? named
    : reply.steps.map((step) => closestIntent(step, intents));
  const steps: RawStep[] = reply.steps.map((step, index) => ({
    query: step.query,
    categories: step.categories,
    rationale: step.rationale,
    intent: matched[index] ?? null,
  }));
  const served = new Set(steps.map((step) => step.intent));
  const missing = intents
    .filter((intent) => !served.has(intent.id))
    .map((intent) => searchFor(intent))
    .filter((step) => step.query !== '');
  const firstPersonal = steps.findIndex((step) => step.intent === null);
  const at = firstPersonal === -1 ? steps.length : firstPersonal;
  return {
    summary: reply.summary,
    steps: [...steps.slice(0, at), ...missing, ...steps.slice(at)],
    intents,
  };
}

/** The model's intents with usable ids ("intent-<n>" where it gave none or a repeat), and its ids → them. */
function modelIntents(replied: NonNullable<PlanReply['intents']>): {
  intents: RawIntent[];
  ids: Map<string, string>;
} {
  const ids = new Map<string, string>();
  const intents: RawIntent[] = [];
  for (const intent of replied) {
    const text = intent.text.trim();
    if (text === '') continue;
    const given = intent.id.trim();
    const id = given === '' || [...ids.values()].includes(given) ? `intent-${intents.length + 1}` : given;
    if (given !== '' && !ids.has(given)) ids.set(given, id);
    intents.push({ id, text, categories: intent.categories, tags: intent.tags });
  }
  return { intents, ids };
}

function terms(text: string): string[] {
  return keywords(withEnglish(fold(text)));
}

function closestIntent(step: PlanReply['steps'][number], intents: readonly RawIntent[]): string | null {
  const mine = new Set([...terms(step.query), ...step.categories.map((category) => category.toLowerCase())]);
  let best: { id: string; shared: number } | undefined;
  for (const intent of intents) {
    const theirs = new Set([
      ...terms(intent.text),
      ...intent.tags.map((tag) => tag.toLowerCase()),
      ...intent.categories.map((category) => category.toLowerCase()),
    ]);
    const shared = [...mine].filter((term) => theirs.has(term)).length;
    if (shared > 0 && (best === undefined || shared > best.shared)) best = { id: intent.id, shared };
  }
  return best?.id ?? null;
}

function searchFor(intent: RawIntent): RawStep {
  return {
    query: [...new Set([...terms(intent.text), ...intent.tags])].join(' '),
    categories: intent.categories,
    intent: intent.id,
    rationale: `The request asks for “${intent.text}”, which no other step searches for.`,
  };
}

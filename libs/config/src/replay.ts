import { ConfigError, type EnvReader } from './env';

/** What a namespace may be called: the same rule as a topic namespace (libs/contracts' inNamespace). */
const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * The namespace a process works in (`TRIBUTARY_NAMESPACE`): its topics are `<namespace>.<topic>`, its
 * consumer groups, retry and dead-letter topics and the store collections it writes are its own. Empty
 * (unset) is the live system. Replays run agents in one; the gateway serves the live system only.
 */
export function readNamespace(read: EnvReader, service: string): string {
  const namespace = read.string('TRIBUTARY_NAMESPACE', '');
  if (namespace === '') return '';
  if (!NAMESPACE_PATTERN.test(namespace))
    throw new ConfigError(
      `TRIBUTARY_NAMESPACE must be lower-case letters, digits, ".", "_" and "-" (starting with a letter or digit), got "${namespace}"`,
    );
  if (service === 'gateway')
    throw new ConfigError(
      'TRIBUTARY_NAMESPACE is for agents (a replay runs them in one); the gateway serves the live topics and read model',
    );
  return namespace;
}

/**
 * An agent replaying recorded tasks (`tributary replay run` starts agents with these): every LLM and
 * tool call is answered from the call journal of the recording, and only calls the journal cannot
 * answer may reach a model, when `liveLlm` is on, up to `llmBudget` for the whole replay.
 */
export interface ReplayConfig {
  /** The namespace the recorded tasks ran in, whose call journal answers ('' = the live system). */
  readonly source: string;
  /** Whether a call the journal cannot answer may be made. */
  readonly liveLlm: boolean;
  /** Model and tool calls the replay may make in all (shared by its agents); with `liveLlm` only. */
  readonly llmBudget: number;
}

export function readReplayConfig(read: EnvReader, namespace: string): ReplayConfig | undefined {
  if (!read.bool('TRIBUTARY_REPLAY', false)) return undefined;
  if (namespace === '')
    throw new ConfigError(
      'TRIBUTARY_REPLAY needs TRIBUTARY_NAMESPACE: a replay never runs in the live system',
    );
  const source = read.string('TRIBUTARY_REPLAY_SOURCE', '');
  if (source !== '' && !NAMESPACE_PATTERN.test(source))
    throw new ConfigError(`TRIBUTARY_REPLAY_SOURCE must be a namespace name, got "${source}"`);
  if (source === namespace)
    throw new ConfigError('TRIBUTARY_REPLAY_SOURCE must not be the namespace the replay runs in');
  const liveLlm = read.bool('TRIBUTARY_REPLAY_LIVE_LLM', false);
  return {
    source,
    liveLlm,
    llmBudget: liveLlm ? read.int('TRIBUTARY_REPLAY_LLM_BUDGET', 0, { min: 0, max: 10_000_000 }) : 0,
  };
}

/** The agents a replay runs, by the short name `--set` uses. */
export const REPLAY_AGENTS = {
  planner: 'planner-agent',
  research: 'research-agent',
  reviewer: 'reviewer-agent',
} as const;

export type ReplayAgent = keyof typeof REPLAY_AGENTS;

interface AgentSetting {
  readonly agents: readonly ReplayAgent[];
  /** The variable that carries it, for an agent (`TRIBUTARY_<AGENT>_…` where the setting is per service). */
  readonly variable: (agent: ReplayAgent) => string;
  readonly summary: string;
}

const perAgent = (name: string) => (agent: ReplayAgent) => `TRIBUTARY_${agent.toUpperCase()}_${name}`;
const ALL: readonly ReplayAgent[] = ['planner', 'research', 'reviewer'];

/**
 * What a replay may change per agent (`--set reviewer.approveThreshold=0.9`), and the variable of
 * the agent's configuration each one sets: the agent reads it once at start-up, like any other.
 */
export const AGENT_SETTINGS: Readonly<Record<string, AgentSetting>> = {
  approveThreshold: {
    agents: ['reviewer'],
    variable: () => 'TRIBUTARY_REVIEW_APPROVE_THRESHOLD',
    summary: 'score a draft needs to be approved, 0 to 1',
  },
  maxRounds: {
    agents: ['reviewer'],
    variable: () => 'TRIBUTARY_REVIEW_MAX_ROUNDS',
    summary: 'review rounds before the best draft is approved as best effort',
  },
  'llm.model': { agents: ALL, variable: perAgent('LLM_MODEL'), summary: 'the model asked' },
  'llm.baseUrl': {
    agents: ALL,
    variable: perAgent('LLM_BASE_URL'),
    summary: 'the OpenAI-compatible endpoint',
  },
  'llm.timeoutMs': { agents: ALL, variable: perAgent('LLM_TIMEOUT_MS'), summary: 'time box of one call' },
  'embeddings.rrfK': {
    agents: ['research'],
    variable: () => 'TRIBUTARY_EMBEDDINGS_RRF_K',
    summary: 'k of the reciprocal-rank fusion of BM25 and dense retrieval',
  },
  'embeddings.queryModel': {
    agents: ['research'],
    variable: () => 'TRIBUTARY_EMBEDDINGS_QUERY_MODEL',
    summary: 'the model that embeds search queries',
  },
};

/** `reviewer.approveThreshold=0.9` as the agent and the variable it sets; a ConfigError names what is wrong. */
export function agentSetting(spec: string): {
  readonly agent: ReplayAgent;
  readonly variable: string;
  readonly value: string;
} {
  const match = /^([a-z]+)\.([A-Za-z.]+)=(.*)$/.exec(spec.trim());
  const known = Object.entries(AGENT_SETTINGS)
    .flatMap(([key, setting]) => setting.agents.map((agent) => `${agent}.${key}`))
    .join(', ');
  if (match === null)
    throw new ConfigError(`--set takes <agent>.<setting>=<value>, got "${spec}"; known: ${known}`);
  const [, agent = '', key = '', value = ''] = match;
  const setting = AGENT_SETTINGS[key];
  if (!(agent in REPLAY_AGENTS) || setting === undefined || !setting.agents.includes(agent as ReplayAgent))
    throw new ConfigError(`--set ${agent}.${key}: no such setting; known: ${known}`);
  return { agent: agent as ReplayAgent, variable: setting.variable(agent as ReplayAgent), value };
}

/**
 * The environment of an agent a replay starts: this process's own (the same connection and LLM
 * settings as the recording, so that its journal answers) with the replay's variables over it.
 */
export function agentEnvironment(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

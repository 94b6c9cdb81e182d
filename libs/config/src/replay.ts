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

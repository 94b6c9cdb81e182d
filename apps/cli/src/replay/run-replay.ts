import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import {
  agentEnvironment,
  agentSetting,
  loadConfig,
  REPLAY_AGENTS,
  type ReplayAgent,
} from '@tributary/config';
import { ALL_TOPICS, inNamespace, TOPICS, type TopicDefinition } from '@tributary/contracts';
import { EventProducer, KafkaAdmin } from '@tributary/kafka';
import { EXIT, type ExitCode, NO_PROGRESS, NotFoundError, UsageError } from '@tributary/terminal';
import { type CommandContext } from '../context';
import { table } from '../output';
import { AgentProcesses } from './agent-processes';
import { diffOutcomes, type ReplayReport, type TaskDiff } from './diff';
import { resolveEvaluationSet } from './evaluation-set';
import { readOutcomes, type TaskOutcome } from './outcomes';
import { selectTasks } from './select-tasks';

export interface RunOptions {
  namespace?: string;
  source: string;
  task?: string[];
  tenant?: string[];
  user?: string[];
  status?: string[];
  since?: Date;
  until?: Date;
  set?: string[];
  liveLlm: boolean;
  llmBudget?: number;
  timeout: number;
  k: number;
  evalSet?: string | false;
  out?: string;
  logs?: string;
}

const STATUSES = ['completed', 'failed', 'cancelled', 'open'] as const;

/** What a replay run came to: its diff against the originals, and what it could not finish. */
export interface ReplayRun extends ReplayReport {
  readonly namespace: string;
  readonly source: string;
  readonly selected: number;
  /** Replayed tasks with no terminal event in the namespace when the timeout came. */
  readonly unfinished: readonly string[];
  readonly settings: readonly string[];
  readonly liveLlm: boolean;
  readonly llmBudget: number | null;
  readonly durationMs: number;
  readonly logs: Readonly<Record<string, string>>;
}

function defaultNamespace(now = new Date()): string {
  return `replay-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase()}`;
}

/** `--set` values as the variables of each agent, checked against each agent's configuration before anything starts. */
function agentEnvironments(
  settings: readonly string[],
  common: Readonly<Record<string, string>>,
): Record<ReplayAgent, Record<string, string>> {
  const env: Record<ReplayAgent, Record<string, string>> = { planner: {}, research: {}, reviewer: {} };
  for (const spec of settings) {
    const { agent, variable, value } = agentSetting(spec);
    env[agent][variable] = value;
  }
  // A bad value stops here (exit 2), naming the variable, rather than in an agent's log.
  for (const agent of Object.keys(env) as ReplayAgent[])
    loadConfig(REPLAY_AGENTS[agent], agentEnvironment({ ...common, ...env[agent] }));
  return env;
}

/**
 * `tributary replay run`: the selected recorded tasks, re-published (same task ids) into a namespace
 * of their own, run through the current agents started for it (answered from the recording's call
 * journal), awaited to their end, then compared with the originals.
 */
export async function runReplay(ctx: CommandContext, options: RunOptions): Promise<ExitCode> {
  const started = Date.now();
  const namespace = options.namespace ?? defaultNamespace();
  const source = options.source;
  if (namespace === source) throw new UsageError('--namespace must differ from --source');
  try {
    inNamespace(TOPICS.taskRequested, namespace);
  } catch (error) {
    throw new UsageError(`--namespace: ${(error as Error).message}`);
  }
  if (options.llmBudget !== undefined && !options.liveLlm)
    throw new UsageError('--llm-budget goes with --live-llm (without it, no call is made live)');
  if (options.liveLlm && options.llmBudget === undefined)
    throw new UsageError('--live-llm needs --llm-budget <n>: the most live calls the replay may make');
  const statuses = options.status ? new Set(options.status) : undefined;
  for (const status of statuses ?? [])
    if (!(STATUSES as readonly string[]).includes(status))
      throw new UsageError(`--status takes ${STATUSES.join(', ')}; got "${status}"`);
  const common: Record<string, string> = {
    TRIBUTARY_NAMESPACE: namespace,
    TRIBUTARY_REPLAY: 'true',
    TRIBUTARY_REPLAY_SOURCE: source,
    TRIBUTARY_REPLAY_LIVE_LLM: String(options.liveLlm),
    TRIBUTARY_REPLAY_LLM_BUDGET: String(options.llmBudget ?? 0),
  };
  const perAgent = agentEnvironments(options.set ?? [], common);
  const evaluation = await resolveEvaluationSet(ctx, options.evalSet);

  // 1. The tasks, and their original outcomes (the baseline of the diff).
  const { tasks: requests } = await selectTasks({
    kafka: ctx.kafka,
    serializer: ctx.serializer,
    namespace: source,
    filter: {
      ...(options.task ? { tasks: new Set(options.task) } : {}),
      ...(options.tenant ? { tenants: new Set(options.tenant) } : {}),
      ...(options.user ? { users: new Set(options.user) } : {}),
      ...(options.since ? { since: options.since } : {}),
      ...(options.until ? { until: options.until } : {}),
    },
    progress: ctx.progress(),
  });
  let baseline = await readOutcomes({
    kafka: ctx.kafka,
    serializer: ctx.serializer,
    namespace: source,
    tasks: new Set(requests.keys()),
    ...(options.since ? { fromTime: options.since } : {}),
    progress: ctx.progress(),
  });
  if (statuses) baseline = new Map([...baseline].filter(([, outcome]) => statuses.has(outcome.status)));
  const selected = [...requests.values()].filter((r) => baseline.has(r.value.taskId));
  if (selected.length === 0)
    throw new NotFoundError(`no recorded task matches in ${source || 'the live topics'}`);
  ctx.logger.log(
    `replaying ${selected.length} task(s) from ${source || 'the live topics'} in namespace ${namespace}`,
  );

  // 2. The namespace's topics and schemas, and the requests again, as they were recorded.
  const topics = (ALL_TOPICS as readonly TopicDefinition[]).map((topic) => inNamespace(topic, namespace));
  const admin = new KafkaAdmin(ctx.kafka, ctx.config.kafka);
  try {
    await admin.ensureTopics(
      topics.map((topic) => ({ name: topic.name, partitions: ctx.config.kafka.partitions })),
    );
  } finally {
    await admin.disconnect();
  }
  await ctx.serializer.register(topics);
  const producer = new EventProducer(ctx.kafka, ctx.serializer, { service: 'tributary-replay', namespace });
  try {
    for (const { value, envelope } of selected)
      await producer.emit(
        TOPICS.taskRequested,
        // Nothing of a replay reaches a client: no webhook is named (and no gateway reads the namespace).
        { ...value, callbackUrl: null },
        envelope ? { priority: envelope.priority } : {},
      );
  } finally {
    await producer.disconnect();
  }

  // 3. The current agents, in the namespace, until every task ended or the time is up.
  const agents = new AgentProcesses(ctx.host, options.logs ?? join(tmpdir(), `tributary-${namespace}`));
  const ids = new Set(selected.map((r) => r.value.taskId));
  let candidate = new Map<string, TaskOutcome>();
  try {
    await agents.start(common, perAgent, ctx.signal);
    const crashed = agents.whenOneExits();
    crashed.catch(() => undefined);
    const progress = ctx.progress();
    progress.start('replaying', ids.size);
    let ended = 0;
    const deadline = Date.now() + options.timeout * 1000;
    for (;;) {
      candidate = await Promise.race([
        readOutcomes({
          kafka: ctx.kafka,
          serializer: ctx.serializer,
          namespace,
          tasks: ids,
          progress: NO_PROGRESS,
        }),
        crashed,
      ]);
      const now = [...candidate.values()].filter((o) => o.status !== 'open').length;
      progress.advance(now - ended);
      ended = now;
      if (ended >= ids.size || Date.now() > deadline || ctx.signal.aborted) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    progress.stop();
  } finally {
    await agents.stop();
  }
  if (ctx.signal.aborted) return EXIT.interrupted;

  // 4. The diff against the originals.
  const report = diffOutcomes(baseline, candidate, options.k, evaluation);
  const unfinished = [...ids].filter((id) => (candidate.get(id)?.status ?? 'open') === 'open').sort();
  const run: ReplayRun = {
    namespace,
    source,
    selected: ids.size,
    unfinished,
    settings: options.set ?? [],
    liveLlm: options.liveLlm,
    llmBudget: options.llmBudget ?? null,
    durationMs: Date.now() - started,
    logs: agents.logs(),
    ...report,
  };
  if (options.out) await writeFile(options.out, `${JSON.stringify(run, null, 2)}\n`);
  if (ctx.globals.json) ctx.printJson(run);
  else ctx.print(renderRun(run, options.k));
  if (unfinished.length > 0) return EXIT.unfinished;
  return report.different > 0 ? EXIT.incomplete : EXIT.ok;
}

function renderRun(run: ReplayRun, k: number): string {
  const lines = [
    `replayed ${run.selected} task(s) from ${run.source || 'the live topics'} in namespace ${run.namespace} ` +
      `in ${(run.durationMs / 1000).toFixed(1)} s` +
      (run.settings.length > 0 ? ` with ${run.settings.join(' ')}` : '') +
      (run.liveLlm ? `, live calls allowed up to ${run.llmBudget}` : ', no live calls'),
  ];
  if (run.unfinished.length > 0)
    lines.push(`${run.unfinished.length} task(s) did not end in time: ${run.unfinished.join(' ')}`);
  lines.push(renderReport(run, run.source || 'live topics', run.namespace, k));
  return lines.join('\n');
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function statusCell(status: string, code: string | null): string {
  return code === null ? status : `${status} (${code})`;
}

/** Intents covered on each side, and the ones lost (−) and gained (+); '-' for a task that is no case. */
function intentsCell(t: TaskDiff): string {
  if (t.intents === null) return '-';
  const { covered, intents, lost, gained } = t.intents;
  const count = (side: readonly boolean[]) => `${side.filter(Boolean).length}/${intents.length}`;
  return [
    `${count(covered.baseline)} → ${count(covered.candidate)}`,
    ...lost.map((label) => `−${label}`),
    ...gained.map((label) => `+${label}`),
  ].join(' ');
}

/** The diff as people read it: the totals, then a row per task that differs. */
export function renderReport(report: ReplayReport, baseline: string, candidate: string, k: number): string {
  const failures = Object.entries(report.candidateFailures)
    .map(([code, n]) => `${n} ${code}`)
    .join(', ');
  const lines = [
    `${report.compared} task(s) compared (${baseline} → ${candidate}): ` +
      `${report.identical} identical, ${report.different} different` +
      (report.missing.length > 0 ? `; ${report.missing.length} not in the replay` : ''),
    `approval rate ${percent(report.approvalRate.baseline)} → ${percent(report.approvalRate.candidate)}, ` +
      `best effort ${percent(report.bestEffortRate.baseline)} → ${percent(report.bestEffortRate.candidate)}` +
      (report.meanOverlapAtK === null ? '' : `, mean overlap@${k} ${report.meanOverlapAtK.toFixed(2)}`),
    `calls the replay's steps listed: ${report.candidateCalls.called} made, ${report.candidateCalls.journal} from the journal, ${report.candidateCalls.shared} shared` +
      (failures === '' ? '' : `; failed in the replay: ${failures}`),
  ];
  const intents = report.intentCoverage;
  if (intents !== null)
    lines.push(
      intents.coverage === null
        ? `intent coverage: no compared task is a case of the evaluation set (${intents.cases} cases in ${intents.evalSet})`
        : `intent coverage on ${intents.matched} of ${report.compared} task(s) that are cases of the evaluation set ` +
            `(${intents.evalSet}): ${percent(intents.coverage.baseline)} → ${percent(intents.coverage.candidate)}, ` +
            `tasks with every intent covered ${intents.allCovered.baseline} → ${intents.allCovered.candidate}; ` +
            `${intents.lost.length} task(s) lost an intent, ${intents.gained.length} gained one`,
    );
  const different = report.tasks.filter((t) => !t.identical);
  if (different.length > 0)
    lines.push(
      '',
      table(
        ['task', 'status', `overlap@${k}`, 'added', 'removed', 'verdicts', 'rounds', 'intents'],
        different.map((t) => [
          t.taskId,
          t.status.baseline === t.status.candidate && t.failureCode.baseline === t.failureCode.candidate
            ? statusCell(t.status.baseline, t.failureCode.baseline)
            : `${statusCell(t.status.baseline, t.failureCode.baseline)} → ${statusCell(t.status.candidate, t.failureCode.candidate)}`,
          t.overlapAtK === null ? '-' : t.overlapAtK.toFixed(2),
          t.added.join(' ') || '-',
          t.removed.join(' ') || '-',
          `${t.verdicts.baseline.join(',') || '-'} → ${t.verdicts.candidate.join(',') || '-'}`,
          `${t.rounds.baseline} → ${t.rounds.candidate}`,
          intentsCell(t),
        ]),
      ),
    );
  return lines.join('\n');
}

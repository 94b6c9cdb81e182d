/**
 * End-to-end load through the public API: each task is submitted with POST /v1/tasks at its
 * open-loop instant, then followed on its Server-Sent Events stream until the event that carries a
 * terminal status arrives (the projection has written it, so it is readable through the API).
 * Afterwards each task's view gives the per-stage breakdown from its timeline.
 */
import { type Consumer, type Kafka } from 'kafkajs';
import { epochMs, mapLimit, openLoop, sleep, summarize, type Summary } from './stats';

export const USERS = ['u-alice', 'u-bruno', 'u-chen', 'u-dara', 'u-emeka', 'u-freya', 'u-gabriel', 'u-hana'];
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * The i-th task of a run. `tag` makes every request text unique: the agents journal each LLM and
 * tool call by a hash of its inputs and answer a repeated prompt from the journal, so repeated
 * requests would measure the cache, not the work (and never reach a slow LLM).
 */
export function taskBody(i: number, tag?: string): Record<string, unknown> {
  const userId = USERS[i % USERS.length] as string;
  const unique = (text: string) => (tag === undefined ? text : `${text} (ref ${tag}-${i})`);
  switch (i % 4) {
    case 0:
      return { userId, request: unique('a thoughtful gift for a rainy weekend'), maxResults: 3 };
    case 1:
      return {
        userId,
        request: unique('books to read on holiday'),
        constraints: { categories: ['books'], maxPrice: 25 },
      };
    case 2:
      return {
        userId,
        request: unique('gear for hiking and camping'),
        constraints: { maxPrice: 60, excludeTags: ['premium'] },
      };
    default:
      return {
        userId,
        request: unique('something for the kitchen'),
        constraints: { categories: ['kitchen'], minPrice: 10 },
      };
  }
}

export interface TaskSample {
  readonly index: number;
  readonly intendedAt: number;
  taskId?: string;
  acceptedAt?: number;
  terminalAt?: number;
  status?: string;
  error?: string;
  /** Every event the task's stream delivered (type and the instant its producer minted), in order. */
  events?: { type: string; at: string }[];
}

/** POSTs a task, then reads its event stream until a terminal status (or the timeout). */
export async function submitAndFollow(
  baseUrl: string,
  sample: TaskSample,
  body: Record<string, unknown>,
  timeoutMs: number,
): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no terminal event within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const res = await fetch(`${baseUrl}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${text.slice(0, 200)}`);
    sample.acceptedAt = epochMs();
    const taskId = (JSON.parse(text) as { taskId: string }).taskId;
    sample.taskId = taskId;
    const stream = await fetch(`${baseUrl}/v1/tasks/${taskId}/events`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (stream.status !== 200 || !stream.body) throw new Error(`event stream answered ${stream.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of block.split('\n')) {
          if (!line.startsWith('data: ')) continue;
          const event = JSON.parse(line.slice(6)) as { status?: string; type?: string; at?: string };
          if (event.type !== undefined && event.at !== undefined) {
            (sample.events ??= []).push({ type: event.type, at: event.at });
          }
          if (event.status !== undefined && TERMINAL.has(event.status) && sample.terminalAt === undefined) {
            sample.terminalAt = epochMs();
            sample.status = event.status;
          }
        }
      }
      if (sample.terminalAt !== undefined) break;
    }
    if (sample.terminalAt === undefined) throw new Error('the event stream ended without a terminal event');
  } catch (error) {
    sample.error = error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

export interface LoadRun {
  readonly samples: TaskSample[];
  readonly rate: number;
  readonly firstIntendedAt: number;
}

/** `count` tasks at `rate` per second, open loop. */
export async function taskLoad(
  baseUrl: string,
  rate: number,
  count: number,
  timeoutMs: number,
  firstIndex: number,
  tag: string,
): Promise<LoadRun> {
  const samples: TaskSample[] = [];
  const result = await openLoop(rate, count, async (i, intendedAt) => {
    const sample: TaskSample = { index: firstIndex + i, intendedAt };
    samples.push(sample);
    await submitAndFollow(baseUrl, sample, taskBody(firstIndex + i, tag), timeoutMs);
    if (sample.error !== undefined) throw new Error(sample.error);
    return sample.terminalAt as number;
  });
  return { samples, rate, firstIntendedAt: result.firstIntendedAt };
}

export interface LoadFigures {
  readonly offered: number;
  readonly submitted: number;
  readonly completed: number;
  readonly failedTasks: number;
  readonly errors: number;
  readonly firstErrors: string[];
  /** Completions per second from the first intended submit to the last completion. */
  readonly perSecond: number;
  /** Completions per second inside [from, to] (epoch ms), for a steady-state window. */
  readonly latency: Summary;
  readonly accept: Summary;
}

export function loadFigures(run: LoadRun): LoadFigures {
  const ok = run.samples.filter((s) => s.terminalAt !== undefined && s.status === 'completed');
  const ended = run.samples.filter((s) => s.terminalAt !== undefined);
  const lastDone = Math.max(...ended.map((s) => s.terminalAt as number));
  const span = (lastDone - run.firstIntendedAt) / 1000;
  const errors = run.samples.filter((s) => s.error !== undefined);
  return {
    offered: run.rate,
    submitted: run.samples.length,
    completed: ok.length,
    failedTasks: ended.length - ok.length,
    errors: errors.length,
    firstErrors: [...new Set(errors.map((s) => s.error as string))].slice(0, 3),
    perSecond: ended.length > 0 && span > 0 ? ended.length / span : 0,
    latency: summarize(ok.map((s) => (s.terminalAt as number) - s.intendedAt)),
    accept: summarize(
      run.samples
        .filter((s) => s.acceptedAt !== undefined)
        .map((s) => (s.acceptedAt as number) - s.intendedAt),
    ),
  };
}

/** Completions per second inside a window of the run (steady state, away from ramp-up and drain). */
export function windowRate(run: LoadRun, from: number, to: number): number {
  const inside = run.samples.filter(
    (s) =>
      s.status === 'completed' && s.terminalAt !== undefined && s.terminalAt >= from && s.terminalAt <= to,
  ).length;
  return to > from ? inside / ((to - from) / 1000) : 0;
}

interface TimelineEntry {
  seq: number;
  type: string;
  at: string;
}

interface TaskViewLite {
  status: string;
  timeline: TimelineEntry[];
  durations: {
    planningMs: number | null;
    researchingMs: number | null;
    reviewingMs: number | null;
    totalMs: number | null;
  };
}

export const STAGES = [
  ['accept', 'HTTP submit answered (202), from the intended instant'],
  ['toPlanner', 'task.requested published → planner reports its first progress'],
  ['planner', 'planner: first progress → task.planned'],
  ['toResearch', 'task.planned → research agent reports its first progress'],
  ['research', 'research: first progress → research.completed'],
  ['toReviewer', 'research.completed → reviewer reports its first progress'],
  ['reviewer', 'reviewer: first progress → review.completed'],
  ['ready', 'review.completed → recommendation.ready'],
  ['projection', 'recommendation.ready → terminal event received on the SSE stream'],
  ['total', 'intended submit → terminal event received'],
] as const;
export type Stage = (typeof STAGES)[number][0];

/**
 * Per-stage times of completed tasks, from the events each task's stream delivered (instants as
 * minted by the producing service; the stored timeline, which keeps milestones only, when the sample
 * has none) and the client's own instants. Same machine, so the clocks agree.
 */
export async function stageBreakdown(
  baseUrl: string,
  samples: readonly TaskSample[],
): Promise<{ stages: Record<Stage, Summary>; api: Record<string, Summary> }> {
  const done = samples.filter((s) => s.status === 'completed' && s.taskId !== undefined);
  const views = await mapLimit(done, 4, async (s) => {
    const res = await fetch(`${baseUrl}/v1/tasks/${s.taskId as string}`);
    return res.ok ? ((await res.json()) as TaskViewLite) : undefined;
  });
  const values = new Map<Stage, number[]>(STAGES.map(([name]) => [name, []]));
  const api = new Map<string, number[]>([
    ['planningMs', []],
    ['researchingMs', []],
    ['reviewingMs', []],
    ['totalMs', []],
  ]);
  const push = (stage: Stage, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) values.get(stage)?.push(value);
  };
  for (const [i, view] of views.entries()) {
    const s = done[i] as TaskSample;
    if (!view) continue;
    for (const key of api.keys()) {
      const v = view.durations[key as keyof TaskViewLite['durations']];
      if (typeof v === 'number') api.get(key)?.push(v);
    }
    // The stream has every event, progress included; the stored timeline only the milestones.
    const timeline: readonly Pick<TimelineEntry, 'type' | 'at'>[] = s.events ?? view.timeline;
    const at = (e: Pick<TimelineEntry, 'at'> | undefined) => (e ? Date.parse(e.at) : undefined);
    const first = (type: string, after?: number) =>
      at(timeline.find((e) => e.type === type && (after === undefined || Date.parse(e.at) >= after)));
    const requested = first('task.requested');
    const planned = first('task.planned');
    const drafted = first('research.completed');
    const reviewed = first('review.completed');
    const ready = first('recommendation.ready');
    const planStart = requested === undefined ? undefined : first('task.progress', requested);
    const researchStart = planned === undefined ? undefined : first('task.progress', planned);
    const reviewStart = drafted === undefined ? undefined : first('task.progress', drafted);
    const diff = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? undefined : b - a;
    push('accept', diff(s.intendedAt, s.acceptedAt));
    push('toPlanner', diff(requested, planStart));
    push('planner', diff(planStart, planned));
    push('toResearch', diff(planned, researchStart));
    push('research', diff(researchStart, drafted));
    push('toReviewer', diff(drafted, reviewStart));
    push('reviewer', diff(reviewStart, reviewed));
    push('ready', diff(reviewed, ready));
    push('projection', diff(ready, s.terminalAt));
    push('total', diff(s.intendedAt, s.terminalAt));
  }
  return {
    stages: Object.fromEntries([...values].map(([k, v]) => [k, summarize(v)])) as Record<Stage, Summary>,
    api: Object.fromEntries([...api].map(([k, v]) => [k, summarize(v)])),
  };
}

export interface TaskEnd {
  readonly at: number;
  /** Ended on task.failed rather than on the first topic (recommendation.ready). */
  readonly failed: boolean;
}

/**
 * Completion instants taken off Kafka: a consumer of its own (a throwaway group from the topics'
 * end) on recommendation.ready (first topic) and task.failed, keyed by task id. Lighter than an event stream per
 * task when hundreds of tasks are in flight; it measures the agents, not the projection.
 */
export class EndWatcher {
  private readonly ended = new Map<string, TaskEnd>();
  private readonly waiters = new Map<string, (end: TaskEnd) => void>();

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<EndWatcher> {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    const watcher = new EndWatcher(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    const fetched = new Promise<void>((resolve) => consumer.on(consumer.events.FETCH, () => resolve()));
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const end: TaskEnd = { at: epochMs(), failed: batch.topic !== topics[0] };
        for (const message of batch.messages) {
          const taskId = message.key?.toString();
          if (taskId === undefined || watcher.ended.has(taskId)) continue;
          watcher.ended.set(taskId, end);
          watcher.waiters.get(taskId)?.(end);
          watcher.waiters.delete(taskId);
        }
        return Promise.resolve();
      },
    });
    await fetched;
    return watcher;
  }

  /** Resolves when the task's end event arrives (or has arrived). */
  wait(taskId: string, timeoutMs: number): Promise<TaskEnd> {
    const end = this.ended.get(taskId);
    if (end !== undefined) return Promise.resolve(end);
    return new Promise<TaskEnd>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(taskId);
        reject(new Error(`task ${taskId} did not end within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(taskId, (ended) => {
        clearTimeout(timer);
        resolve(ended);
      });
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export interface ClosedLoopResult {
  readonly samples: TaskSample[];
  /** Completed tasks per second inside the measuring window. */
  readonly perSecond: number;
  readonly windowCompleted: number;
  readonly latency: Summary;
  readonly errors: number;
  readonly firstErrors: string[];
}

/**
 * Closed loop: `inFlight` workers each submit a task, wait for it to end, and submit the next,
 * until `warmupMs + measureMs` have passed; the throughput counts completions inside the
 * measuring window. The system always has `inFlight` tasks to work on, so this finds its
 * sustained maximum in bounded time, whatever it is; tasks still running at the end are abandoned.
 */
export async function closedLoop(
  inFlight: number,
  warmupMs: number,
  measureMs: number,
  run: (sample: TaskSample, deadline: number) => Promise<void>,
  firstIndex: number,
): Promise<ClosedLoopResult> {
  const start = epochMs();
  const from = start + warmupMs;
  const to = from + measureMs;
  const samples: TaskSample[] = [];
  let next = firstIndex;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (epochMs() < to) {
        const sample: TaskSample = { index: next, intendedAt: epochMs() };
        next += 1;
        samples.push(sample);
        await run(sample, to + 1_000);
        // A failure that comes back at once must not turn this into a busy loop.
        if (sample.error !== undefined) await sleep(50);
      }
    }),
  );
  const done = samples.filter((s) => s.status === 'completed' && s.terminalAt !== undefined);
  const inside = done.filter((s) => (s.terminalAt as number) >= from && (s.terminalAt as number) <= to);
  const errors = samples.filter((s) => s.error !== undefined && !/within|aborted/i.test(s.error));
  return {
    samples,
    perSecond: inside.length / (measureMs / 1000),
    windowCompleted: inside.length,
    latency: summarize(inside.map((s) => (s.terminalAt as number) - s.intendedAt)),
    errors: errors.length,
    firstErrors: [...new Set(errors.map((s) => s.error as string))].slice(0, 3),
  };
}

/** One task for closedLoop, followed on its event stream (readable through the API). */
export function followedTask(baseUrl: string, tag: string) {
  return async (sample: TaskSample, deadline: number): Promise<void> => {
    await submitAndFollow(baseUrl, sample, taskBody(sample.index, tag), Math.max(1, deadline - epochMs()));
  };
}

/** One task for closedLoop, its end taken off Kafka by the watcher. */
export function watchedTask(baseUrl: string, watcher: EndWatcher, tag: string) {
  return async (sample: TaskSample, deadline: number): Promise<void> => {
    try {
      const res = await fetch(`${baseUrl}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(taskBody(sample.index, tag)),
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(deadline - epochMs()))),
      });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${text.slice(0, 200)}`);
      sample.acceptedAt = epochMs();
      sample.taskId = (JSON.parse(text) as { taskId: string }).taskId;
      const end = await watcher.wait(sample.taskId, Math.max(1, deadline - epochMs()));
      sample.terminalAt = end.at;
      sample.status = end.failed ? 'failed' : 'completed';
    } catch (error) {
      sample.error = error instanceof Error ? error.message : String(error);
    }
  };
}

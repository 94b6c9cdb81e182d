/**
 * 10: lists (opt-in). The list and user-recommendation pages with 1,000 tasks stored and with N
 * (100,000; 10,000 with --quick), each against itself at 1,000, in one run.
 *
 * The tasks are seeded into the read model directly, not through Kafka (the whole pipeline stores
 * about 25 tasks/s, so 100,000 would take over an hour): each finished task's state is the
 * projection's own fold of synthetic, schema-valid events (task requested, then recommendation
 * ready) for the eight users, its document is written with the projection's snapshot write
 * (TaskRepository.writeSnapshots) and its list entries with the projection's list writer
 * (TaskListRepository.enlist, in bulk), into the database the running gateway serves. The event
 * rows (`task_events`) are not seeded: no list reads them. Seeding ends with GET /v1/tasks listing
 * the last task seeded first.
 *
 * The pages are timed through the gateway (warm after the first request: a gateway keeps the final
 * entries it has read); beside them, cold first pages read in process by a new reader each time.
 */
import 'reflect-metadata';
import { type EventValue, readSample, TOPICS } from '@tributary/contracts';
import { connectMongo } from '@tributary/platform';
import { foldEvents } from '../../apps/gateway/src/task/fold';
import { type TaskState } from '../../apps/gateway/src/task/task-state';
import { tenantId } from '../../apps/gateway/src/task/tenant';
import { toProjected } from '../../apps/gateway/src/task/to-projected';
import {
  type ListFilter,
  memberships,
  ownerScopes,
  scopeOf,
  statusScopes,
} from '../../apps/gateway/src/read-model/task-list';
import { TaskListReader } from '../../apps/gateway/src/read-model/task-list.reader';
import { TaskListRepository } from '../../apps/gateway/src/read-model/task-list.repository';
import { taskModel } from '../../apps/gateway/src/read-model/task.entity';
import { TaskRepository } from '../../apps/gateway/src/read-model/task.repository';
import { USERS } from '../lib/e2e';
import { type FigureName, LIST_PAGES, type ListPage } from '../lib/figures';
import { PAGES, type PageTiming, timePage, waitListed } from '../lib/pages';
import { fmt, ms } from '../lib/report';
import { TaskIds } from '../lib/seed';
import { epochMs, ratio, summarize, type Summary } from '../lib/stats';
import { type ServiceScenario } from './scenario';

/**
 * Cold pages: the first page of these lists read by a reader that has read nothing before (a new
 * gateway instance, or one restarted), in the bench process, without HTTP: what a page costs before
 * the gateway keeps its final entries in memory.
 */
const COLD_PAGES: readonly { readonly label: string; readonly filter: ListFilter }[] = [
  { label: 'every task', filter: {} },
  { label: 'status=completed', filter: { status: 'completed' } },
  { label: `userId=${USERS[0]!}&status=completed`, filter: { userId: USERS[0]!, status: 'completed' } },
];
const COLD_READS = 20;

/** Tasks written per round (their documents in one bulk write, then their list entries). */
const CHUNK = 1_000;
const TENANT = tenantId('default');

type Requested = EventValue<typeof TOPICS.taskRequested>;
type Ready = EventValue<typeof TOPICS.recommendationReady>;

/** The state of the i-th seeded task, finished, as the projection folds its two events. */
function finishedTask(taskId: string, i: number): TaskState {
  const userId = USERS[i % USERS.length] as string;
  const requestedAt = Date.now();
  const request = readSample(TOPICS.taskRequested) as Requested;
  const ready = readSample(TOPICS.recommendationReady) as Ready;
  const query = `${request.request.query} (seeded ${i})`;
  const envelope = (n: number, at: number) => ({
    eventId: `${taskId}-seed-${n}`,
    occurredAt: new Date(at).toISOString(),
  });
  const { state } = foldEvents(null, [
    toProjected('taskRequested', envelope(1, requestedAt), {
      ...request,
      taskId,
      tenantId: TENANT,
      request: { ...request.request, userId, query },
      callbackUrl: null,
      requestedAt,
    }),
    toProjected('recommendationReady', envelope(2, requestedAt + 1_000), {
      ...ready,
      taskId,
      tenantId: TENANT,
      userId,
      query,
      completedAt: requestedAt + 1_000,
    }),
  ]);
  if (state === null) throw new Error(`seeding: the fold of task ${taskId} gave no state`);
  return state;
}

export const lists: ServiceScenario = {
  name: 'lists',
  measures:
    'list and user-recommendation pages with 1,000 and with N tasks stored (seeded into the read model directly)',
  needsServices: true,
  optIn: true,
  async run(bench, stage) {
    const { params, report, figures, log } = bench;
    const { gatewayUrl } = stage;
    const connection = await connectMongo(bench.mongoUri);
    const listRepository = new TaskListRepository(connection.collection('task_lists'));
    const taskRepository = new TaskRepository(taskModel(connection, 'tasks'));
    const ids = new TaskIds();
    const seedStarted = epochMs();
    let seeded = 0;
    let seedingMs = 0;
    let newest: string | undefined;

    /** Seeds up to `target` stored tasks, chunk by chunk, while the seeding budget allows. */
    const seedTo = async (target: number): Promise<void> => {
      while (seeded < target) {
        const chunk = Math.min(CHUNK, target - seeded);
        const rate = seeded / Math.max(1, seedingMs / 1000);
        const spent = (epochMs() - seedStarted) / 1000;
        if (seeded > 0 && spent + chunk / rate > params.listSeedBudgetS) {
          log(
            `lists: stopping at ${seeded} tasks: ${chunk} more at ${fmt(rate, 0)} tasks/s would pass the ${params.listSeedBudgetS} s seeding budget`,
          );
          return;
        }
        const started = epochMs();
        const states = Array.from({ length: chunk }, (_, k) => finishedTask(ids.next(), seeded + k));
        const lost = await taskRepository.writeSnapshots(states);
        if (lost.length > 0) throw new Error(`seeding: ${lost.length} task documents were not written`);
        await listRepository.enlist(
          states.flatMap((state) =>
            memberships(state, [...ownerScopes(state.userId), ...statusScopes(state.userId, state.status)]),
          ),
          { fresh: true },
        );
        seeded += chunk;
        seedingMs += epochMs() - started;
        newest = states.at(-1)?.taskId;
        if (seeded % 10_000 === 0 || seeded === target) {
          log(
            `lists: ${seeded} tasks seeded into the read model, ${fmt(seeded / (seedingMs / 1000), 0)} tasks/s`,
          );
        }
      }
    };

    const measured = new Map<number, Map<ListPage, PageTiming>>();
    const cold = new Map<number, Summary[]>();
    /** COLD_READS first pages of each list, each by a new reader (nothing in memory), 20 items. */
    const timeCold = async (): Promise<Summary[]> => {
      const summaries: Summary[] = [];
      for (const { filter } of COLD_PAGES) {
        const samples: number[] = [];
        for (let i = 0; i < COLD_READS; i += 1) {
          const fresh = new TaskListRepository(connection.collection('task_lists'));
          const reader = new TaskListReader(fresh, new TaskRepository(taskModel(connection, 'tasks'), fresh));
          const started = epochMs();
          await reader.page(TENANT, { scope: scopeOf(filter), limit: 20 });
          samples.push(epochMs() - started);
        }
        summaries.push(summarize(samples));
      }
      return summaries;
    };
    try {
      const points = [...new Set([params.listSmall, params.listTasks])].sort((a, b) => a - b);
      for (const point of points) {
        log(`lists: seeding ${point - seeded} tasks into the read model (${point} in all)`);
        await seedTo(point);
        if (newest === undefined) break;
        await waitListed(gatewayUrl, newest, params.listTimeoutS * 3_000);
        const pages = new Map<ListPage, PageTiming>();
        for (const page of LIST_PAGES) {
          const timing = await timePage(gatewayUrl, page, {
            reads: params.listReads,
            budgetMs: params.listBudgetS * 1000,
            timeoutMs: params.listTimeoutS * 1000,
          });
          pages.set(page, timing);
          log(
            `lists, ${seeded} tasks: ${PAGES[page].label} p50 ${ms(timing.latency.p50)}, p99 ${ms(timing.latency.p99)} (${timing.latency.n} requests${timing.stopped ? `; stopped: ${timing.stopped}` : ''})`,
          );
        }
        measured.set(seeded, pages);
        cold.set(seeded, await timeCold());
        log(
          `lists, ${seeded} tasks, cold first pages (in process): ${COLD_PAGES.map((c, i) => `${c.label} p50 ${ms(cold.get(seeded)![i]!.p50)}`).join(', ')}`,
        );
        if (seeded < point) break;
      }
    } finally {
      await connection.close();
    }

    const seedRate = seeded / Math.max(0.001, seedingMs / 1000);
    report.rows.push({
      scenario: '10 lists',
      what: `seeding: ${seeded} finished tasks written into the read model directly (the projection's fold, snapshot write and list writer; not through Kafka)`,
      throughput: seedRate,
      unit: 'tasks/s',
      note: `${fmt(seedingMs / 1000, 0)} s${seeded < params.listTasks ? `; stopped short of ${params.listTasks}: seeding budget ${params.listSeedBudgetS} s` : ''}`,
    });
    const [small, large] = [...measured.keys()];
    for (const [point, pages] of measured) {
      const which = point === small ? 'small' : 'large';
      for (const [page, timing] of pages) {
        const base = point === small || small === undefined ? undefined : measured.get(small)?.get(page);
        if (timing.latency.n > 0) {
          figures[`lists.${page}.${which}.p50` as FigureName] = timing.latency.p50;
          figures[`lists.${page}.${which}.p99` as FigureName] = timing.latency.p99;
        }
        report.rows.push({
          scenario: '10 lists',
          what: `${PAGES[page].label}, ${point} tasks stored (${timing.items} items per page)`,
          latency: timing.latency,
          baseline: base === undefined ? undefined : `the same page at ${small} tasks`,
          ratio: base === undefined ? undefined : ratio(timing.latency.p50, base.latency.p50),
          ratioOf: base === undefined ? undefined : 'p50',
          note: [
            base === undefined
              ? ''
              : `p99 ${fmt(ratio(timing.latency.p99, base.latency.p99))}× the same page's`,
            timing.stopped === undefined ? '' : `stopped after ${timing.latency.n}: ${timing.stopped}`,
          ]
            .filter(Boolean)
            .join('; '),
        });
      }
    }
    for (const [point, summaries] of cold) {
      for (const [i, latency] of summaries.entries()) {
        const base = point === small ? undefined : cold.get(small!)?.[i];
        report.rows.push({
          scenario: '10 lists',
          what: `cold first page (${COLD_PAGES[i]!.label}, 20 items), ${point} tasks stored: a new reader each time, in the bench process, no HTTP`,
          latency,
          baseline: base === undefined ? undefined : `the same at ${small} tasks`,
          ratio: base === undefined ? undefined : ratio(latency.p50, base.p50),
          ratioOf: base === undefined ? undefined : 'p50',
        });
      }
    }
    report.details.lists = {
      seeded,
      seedingMs,
      seedRate,
      points: Object.fromEntries([...measured].map(([point, pages]) => [point, Object.fromEntries(pages)])),
    };
    if (large === undefined && params.listTasks !== params.listSmall) {
      report.skipped.push(
        `lists at ${params.listTasks} tasks: seeding stopped at ${seeded} (${fmt(seedRate, 0)} tasks/s into the read model)`,
      );
    }
  },
};

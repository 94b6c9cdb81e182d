/**
 * 10: lists (opt-in). The list and user-recommendation pages with 1,000 tasks stored and with N
 * (100,000; 10,000 with --quick), each against itself at 1,000. The tasks are seeded through the
 * public path, so the figures hold whatever the store's layout: synthetic, schema-valid events
 * (task requested, then recommendation ready) for tasks of the eight users, produced to Kafka with
 * the runtime's EventProducer and stored by the gateway's projection; seeding waits until the
 * projection has caught up and GET /v1/tasks lists the last task seeded first. The agents are
 * stopped meanwhile (they would work on the seeded requests) and their groups skip what was seeded.
 */
import { CONSUMER_GROUPS } from '@tributary/contracts';
import { EventProducer, RegistrySerializer } from '@tributary/kafka';
import { type FigureName, LIST_PAGES, type ListPage } from '../lib/figures';
import { AGENT_GROUPS, resetGroups, waitCaughtUp } from '../lib/groups';
import { PAGES, type PageTiming, timePage, waitListed } from '../lib/pages';
import { fmt, ms } from '../lib/report';
import { produceFinishedTasks, TaskIds } from '../lib/seed';
import { AGENTS } from '../lib/services';
import { epochMs, ratio } from '../lib/stats';
import { type ServiceScenario } from './scenario';

/** Tasks produced before waiting for the projection to store them. */
const CHUNK = 5_000;
/** Tasks per produce request (their task.requested events, then their recommendation.ready events). */
const BATCH = 250;

export const lists: ServiceScenario = {
  name: 'lists',
  measures:
    'list and user-recommendation pages with 1,000 and with N tasks stored (seeded through the projection)',
  needsServices: true,
  optIn: true,
  async run({ params, config, kafka, cleanup, report, figures, log }, stage) {
    const { services, gatewayUrl } = stage;
    const running = AGENTS.filter((name) => services.names().includes(name));
    await services.stop([...AGENTS]);
    const serializer = new RegistrySerializer({ registryUrl: config.registryUrl, clientId: 'bench-seed' });
    const producer = new EventProducer(kafka, serializer, { service: 'bench' });
    const closeProducer = cleanup.add('seeding producer', () => producer.disconnect());
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
        const chunkIds = await produceFinishedTasks(producer, ids, {
          first: seeded,
          count: chunk,
          batch: BATCH,
          tenantId: 'default',
        });
        const left = Math.max(60, params.listSeedBudgetS - spent) * 1000;
        if (!(await waitCaughtUp(kafka, CONSUMER_GROUPS.projection, left))) {
          throw new Error(
            `the projection did not store ${chunk} seeded tasks within ${fmt(left / 1000, 0)} s`,
          );
        }
        seeded += chunk;
        seedingMs += epochMs() - started;
        newest = chunkIds.at(-1);
        log(
          `lists: ${seeded} tasks seeded and stored, ${fmt(seeded / (seedingMs / 1000), 0)} tasks/s (${fmt((2 * seeded) / (seedingMs / 1000), 0)} events/s) through the projection`,
        );
      }
    };

    const measured = new Map<number, Map<ListPage, PageTiming>>();
    try {
      const points = [...new Set([params.listSmall, params.listTasks])].sort((a, b) => a - b);
      for (const point of points) {
        log(`lists: seeding ${point - seeded} tasks through the projection (${point} in all)`);
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
        if (seeded < point) break;
      }
    } finally {
      await closeProducer();
      // The seeded task.requested events are no work for the agents.
      await resetGroups(
        kafka,
        AGENTS.map((name) => AGENT_GROUPS[name]),
      );
      for (const name of running) await services.start([name], stage.tracedUri(name));
    }

    const seedRate = seeded / Math.max(0.001, seedingMs / 1000);
    report.rows.push({
      scenario: '10 lists',
      what: `seeding: ${seeded} finished tasks (task requested, recommendation ready) produced to Kafka and stored by the projection`,
      throughput: seedRate,
      unit: 'tasks/s',
      note: `${fmt(2 * seedRate, 0)} events/s; ${fmt(seedingMs / 1000, 0)} s${seeded < params.listTasks ? `; stopped short of ${params.listTasks}: seeding budget ${params.listSeedBudgetS} s` : ''}`,
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
    report.details.lists = {
      seeded,
      seedingMs,
      seedRate,
      points: Object.fromEntries([...measured].map(([point, pages]) => [point, Object.fromEntries(pages)])),
    };
    if (large === undefined && params.listTasks !== params.listSmall) {
      report.skipped.push(
        `lists at ${params.listTasks} tasks: seeding stopped at ${seeded} (${fmt(seedRate, 0)} tasks/s through the projection)`,
      );
    }
  },
};

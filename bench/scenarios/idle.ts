/**
 * 9: idle. With nothing submitted and nothing in flight (after the end-to-end run, once the topics
 * have been quiet for a while), the CPU each service, the store, Kafka and the registry use over a
 * quiet period, in % of one core: what the system costs when it does nothing.
 */
import { STACK_SERVERS, waitQuiet } from '../lib/cost';
import { fmt, markdownTable } from '../lib/report';
import { SERVICE_NAMES } from '../lib/services';
import { sleep } from '../lib/stats';
import { type ServiceScenario } from './scenario';

export const idle: ServiceScenario = {
  name: 'idle',
  measures: 'CPU of each service and of the store with nothing submitted, in % of one core',
  needsServices: true,
  async run({ params, kafka, report, figures, log }, stage) {
    const quiet = await waitQuiet(kafka, 5_000, 60_000);
    log(
      `idle: ${params.idleSeconds} s with nothing submitted${quiet ? '' : ' (the topics were still being written)'}`,
    );
    const meter = await stage.cost();
    await sleep(params.idleSeconds * 1000);
    const spent = await meter.end();
    stage.recordCpu(`idle, ${params.idleSeconds} s, nothing submitted`, spent.cpu);
    const percent = (name: string) => ((spent.cpu.cpuSeconds[name] ?? NaN) / spent.cpu.wallSeconds) * 100;
    for (const name of [...SERVICE_NAMES, 'ferretdb'] as const) figures[`idle.cpu.${name}`] = percent(name);
    const names = [...SERVICE_NAMES, ...STACK_SERVERS];
    report.rows.push({
      scenario: '9 idle',
      what: `nothing submitted for ${params.idleSeconds} s: % of one core, ${names.map((n) => `${n} ${fmt(percent(n), 2)}`).join(', ')}`,
      note: `${spent.records} records written meanwhile${spent.others.length > 0 ? `; other clients on the stack: ${spent.others.join(', ')}` : ''}`,
    });
    report.sections.push({
      title: `Idle: CPU over ${params.idleSeconds} s with nothing submitted (% of one core)`,
      lines: [
        ...markdownTable(names, [names.map((n) => fmt(percent(n), 2))]),
        '',
        `${spent.records} records were written to the services' topics meanwhile${quiet ? '' : '; the topics had not been quiet for 5 s within a minute before it started'}.${spent.others.length > 0 ? ` Other clients used the stack meanwhile (live consumer groups ${spent.others.join(', ')}): Kafka's and the store's figures include their work, and the services' too if they wrote the task topics.` : ''}`,
      ],
    });
    report.details.idle = {
      cpu: spent.cpu,
      records: spent.records,
      perTopic: spent.perTopic,
      others: spent.others,
    };
    log(`idle: ${names.map((n) => `${n} ${fmt(percent(n), 2)} %`).join(', ')}`);
  },
};

/**
 * 5: the accept path. POST /v1/tasks under autocannon, against a bare Node HTTP server that only
 * parses the body and does the same Kafka produce; the agents are stopped so they do not compete
 * for the CPU.
 */
import { TOPICS } from '@tributary/contracts';
import { hammer, startBareServer } from '../lib/accept';
import { fmt, markdownTable, ms } from '../lib/report';
import { AGENTS, CpuMeter } from '../lib/services';
import { ratio } from '../lib/stats';
import { type ServiceScenario } from './scenario';

export const accept: ServiceScenario = {
  name: 'accept',
  measures: 'the gateway’s accept path against a bare HTTP server doing the same produce',
  needsServices: true,
  async run({ params, root, runId, kafka, cleanup, stack, report, figures, log }, stage) {
    const { services, traces } = stage;
    await services.stop([...AGENTS]);
    log(`accept path: autocannon, ${params.connections} connections, ${params.acceptSeconds} s each`);
    const options = {
      connections: params.connections,
      durationS: params.acceptSeconds,
      warmupS: params.acceptWarmup,
    };
    traces.get('gateway')?.reset();
    traces.get('gateway')?.record(true);
    const acceptCpu = stage.cpu();
    const gateway = await hammer(`${stage.gatewayUrl}/v1/tasks`, options);
    stage.recordCpu('accept path, gateway under autocannon', acceptCpu.end());
    traces.get('gateway')?.record(false);
    const acceptTrace = traces.get('gateway')?.figures();
    if (acceptTrace) {
      report.sections.push({
        title: 'The gateway’s MongoDB commands during the accept run (--mongo-trace)',
        lines: markdownTable(
          ['command collection', 'count', 'per 2xx', 'total ms', 'p50', 'p99'],
          acceptTrace.map((c) => [
            c.command,
            String(c.count),
            fmt(c.count / Math.max(1, gateway.perSecond * params.acceptSeconds), 2),
            fmt(c.totalMs, 0),
            ms(c.latency.p50),
            ms(c.latency.p99),
          ]),
        ),
      });
    }
    const admin = kafka.admin();
    await admin.connect();
    const partitions = (await admin.fetchTopicOffsets(TOPICS.taskRequested.name)).length;
    await admin.disconnect();
    const bareTopic = `bench.accept.${runId}`;
    cleanup.topic(bareTopic);
    cleanup.subject(`${bareTopic}-value`);
    const bareServer = await startBareServer(root, {
      BENCH_TOPIC: bareTopic,
      BENCH_PARTITIONS: String(partitions),
      TRIBUTARY_LOG_LEVEL: 'error',
    });
    const stopBare = cleanup.add('bare server', () => bareServer.stop());
    const bareCpu = new CpuMeter(() => ({
      'bare server': bareServer.pid,
      kafka: stack.readPidFile('kafka')?.pid,
      bench: process.pid,
    })).begin();
    const bare = await hammer(`${bareServer.url}/v1/tasks`, options);
    stage.recordCpu('accept path, bare server under autocannon', bareCpu.end());
    await stopBare();
    figures['accept.gateway'] = gateway.perSecond;
    figures['accept.bare'] = bare.perSecond;
    figures['accept.gateway.p99'] = gateway.p99;
    figures['accept.bare.p99'] = bare.p99;
    report.rows.push(
      {
        scenario: '5 accept path',
        what: `bare Node HTTP server + the same Kafka produce, ${params.connections} connections`,
        latency: { n: bare.requests, p50: bare.p50, p99: bare.p99, p999: bare.p999, mean: NaN, max: NaN },
        throughput: bare.perSecond,
        unit: 'req/s',
      },
      {
        scenario: '5 accept path',
        what: `gateway POST /v1/tasks, ${params.connections} connections`,
        latency: {
          n: gateway.requests,
          p50: gateway.p50,
          p99: gateway.p99,
          p999: gateway.p999,
          mean: NaN,
          max: NaN,
        },
        throughput: gateway.perSecond,
        unit: 'req/s',
        baseline: 'bare server',
        ratio: ratio(gateway.perSecond, bare.perSecond),
        ratioOf: 'throughput',
        note:
          gateway.non2xx > 0
            ? `${gateway.non2xx} non-2xx: ${JSON.stringify(gateway.statusCodes)}`
            : undefined,
      },
    );
    report.details.accept = { gateway, bare };
    log(`accept: gateway ${fmt(gateway.perSecond, 1)} req/s, bare ${fmt(bare.perSecond, 1)} req/s`);
  },
};

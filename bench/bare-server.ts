/**
 * The accept path's baseline: a bare Node HTTP server whose POST /v1/tasks parses the JSON body and
 * does only the Kafka produce the gateway does (EventProducer.emit of a task.requested value:
 * schema check, Avro through the registry, envelope headers, idempotent producer, acks from all
 * replicas), then answers 202. No validation, no MongoDB, no framework.
 *
 * Started by bench/run.ts with BENCH_TOPIC (a topic of the run, with task.requested's schema and
 * partition count) and BENCH_PARTITIONS; prints "listening on <url>".
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@tributary/config';
import { type TopicDefinition, TOPICS } from '@tributary/contracts';
import { createKafkaClient, createRegistrySerializer, EventProducer, KafkaAdmin } from '@tributary/kafka';
import { logLevel } from 'kafkajs';

async function main(): Promise<void> {
  const config = loadConfig('gateway', process.env);
  const name = process.env.BENCH_TOPIC;
  if (!name) throw new Error('BENCH_TOPIC is required');
  const partitions = Number(process.env.BENCH_PARTITIONS ?? config.kafka.partitions);
  const topic: TopicDefinition<typeof TOPICS.taskRequested.schema> = { ...TOPICS.taskRequested, name };
  const kafka = createKafkaClient(config, {
    clientId: 'bench-bare-server',
    logLevel: logLevel.ERROR,
    logger: new Logger('bare-server'),
  });
  const admin = new KafkaAdmin(kafka, config.kafka);
  await admin.ensureTopics([{ name, partitions }]);
  await admin.disconnect();
  const serializer = createRegistrySerializer(config, { clientId: 'bench' });
  await serializer.register([topic]);
  const producer = new EventProducer(kafka, serializer, { service: 'bench-bare-server' });
  await producer.connect();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            userId: string;
            request: string;
            maxResults?: number;
          };
          const taskId = `tsk_${randomUUID()}`;
          await producer.emit(topic, {
            taskId,
            tenantId: 'default',
            request: {
              userId: body.userId,
              query: body.request,
              constraints: {
                categories: [],
                minPrice: null,
                maxPrice: null,
                excludeItemIds: [],
                excludeTags: [],
              },
              maxResults: body.maxResults ?? 5,
              priority: 'normal',
              deadlineAt: null,
            },
            callbackUrl: null,
            requestedAt: Date.now(),
          });
          res
            .writeHead(202, { 'content-type': 'application/json', location: `/v1/tasks/${taskId}` })
            .end(JSON.stringify({ taskId, status: 'accepted' }));
        } catch (error) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
        }
      })();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void producer.disconnect().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bare-server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

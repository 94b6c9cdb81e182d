import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { FAILURE_HEADERS, headerString } from '@tributary/contracts';
import {
  type Delivery,
  EventProducer,
  KafkaModule,
  KafkaRuntime,
  type KafkaTransport,
  OnEvent,
  type ParallelConsumer,
  pending,
  PermanentError,
} from '@tributary/kafka';
import {
  RecordingLogger,
  RuntimeHarness,
  testConfig,
  testTopic,
  type TestTopic,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { describe, expect, it } from 'vitest';

describe('KafkaTransport in a Nest application', () => {
  it('runs @OnEvent handlers with typed deliveries, and a thrown PermanentError reaches the dead-letter topic intact', async () => {
    const config = testConfig('planner-agent', { TRIBUTARY_KAFKA_PARTITIONS: '1' });
    const requests = testTopic();
    const answers = testTopic();
    const group = uniqueName('nest');
    const handled: string[] = [];

    @Controller()
    class Handlers {
      constructor(@Inject(EventProducer) private readonly producer: EventProducer) {}

      @OnEvent(requests)
      async onRequest(delivery: Delivery<TestTopic>): Promise<void> {
        const { value, envelope } = delivery;
        if (value.note === 'refuse') throw new PermanentError('refused by the handler');
        handled.push(value.taskId);
        await this.producer.emit(
          answers,
          { ...value, note: `answer to ${value.seq}` },
          { causedBy: envelope },
        );
      }
    }

    @Module({
      imports: [
        KafkaModule.forRoot({
          config,
          topics: [requests, answers],
          groups: [group],
          logger: new RecordingLogger(),
        }),
      ],
      controllers: [Handlers],
    })
    class AppModule {}

    const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
    const transport: KafkaTransport = app.get(KafkaRuntime).transport({ group, topics: [requests] });
    app.connectMicroservice({ strategy: transport });
    await app.init();
    await app.startAllMicroservices();

    const harness = new RuntimeHarness(config);
    try {
      const sent = await harness.producer.emitMany(
        ['one', 'refuse', 'two'].map((note, seq) =>
          pending(requests, { taskId: `task-${seq}`, tenantId: 'tenant-a', seq, note }),
        ),
      );
      const consumer = transport.unwrap<ParallelConsumer>();
      await waitFor(() => consumer.metrics().handled === 2 && consumer.metrics().deadLettered === 1, {
        description: 'two handled, one dead-lettered',
      });
      expect(handled.sort()).toEqual(['task-0', 'task-2']);

      const [dead] = await harness.readMessages(consumer.deadLetterTopic, 1);
      expect(headerString(dead?.headers, FAILURE_HEADERS.errorClass)).toBe('PermanentError');
      expect(headerString(dead?.headers, FAILURE_HEADERS.errorMessage)).toBe('refused by the handler');
      expect(headerString(dead?.headers, FAILURE_HEADERS.attempts)).toBe('1');

      const answered = await harness.readMessages(answers.name, 2);
      const causes = answered.map((m) => headerString(m.headers, 'causationId')).sort();
      expect(causes).toEqual([sent[0]?.eventId, sent[2]?.eventId].sort());
      expect(answered.every((m) => headerString(m.headers, 'producer') === 'planner-agent')).toBe(true);
    } finally {
      await harness.close();
      await app.close();
    }
  });
});

/**
 * The queue peer: the same chain as BullMQ jobs on Redis. Stage i is a Worker on queue i that adds
 * the job's data to queue i+1; the last stage marks the arrival. Same payload, same concurrency per
 * stage as the runtime's default, jobs removed on completion.
 */
import { Queue, Worker } from 'bullmq';
import { Arrivals, type Chain, hopValue } from './chains';
import { type Cleanup } from './cleanup';

export async function bullmqChain(
  cleanup: Cleanup,
  options: { port: number; stages: number; concurrency: number; label: string; prefix: string },
): Promise<Chain> {
  const connection = { host: '127.0.0.1', port: options.port, maxRetriesPerRequest: null };
  const names = Array.from({ length: options.stages }, (_, i) => `${options.prefix}-${i}`);
  const queues = names.map(
    (name) =>
      new Queue(name, {
        connection,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
      }),
  );
  const arrivals = new Arrivals();
  const workers = names.map((name, i) => {
    const next = queues[i + 1];
    return new Worker(
      name,
      async (job) => {
        const data = job.data as ReturnType<typeof hopValue>;
        if (next !== undefined) await next.add('step', data);
        else arrivals.arrived(data.seq);
      },
      { connection, concurrency: options.concurrency },
    );
  });
  await Promise.all([...queues.map((q) => q.waitUntilReady()), ...workers.map((w) => w.waitUntilReady())]);
  const close = cleanup.add(options.label, async () => {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(queues.map((q) => q.close()));
  });
  return {
    label: options.label,
    arrival: (seq, timeoutMs = 30_000) => arrivals.wait(seq, timeoutMs),
    send: async (seq) => {
      await (queues[0] as Queue).add('step', hopValue(seq));
    },
    close,
  };
}

/**
 * Stored tasks for the list scenario, seeded through the public path: synthetic but schema-valid
 * events (task requested, then recommendation ready) produced straight to Kafka with the runtime's
 * EventProducer, for the gateway's projection to store as it stores any task. Nothing here knows
 * how the store lays out its documents.
 */
import { randomBytes } from 'node:crypto';
import { type EventValue, readSample, TOPICS } from '@tributary/contracts';
import { type EventProducer, pending } from '@tributary/kafka';
import { USERS } from './e2e';

type Requested = EventValue<typeof TOPICS.taskRequested>;
type Ready = EventValue<typeof TOPICS.recommendationReady>;

/** Crockford's base32, as task ids use it. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(value: number, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i += 1) {
    out = (ALPHABET[rest % 32] as string) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/**
 * Task ids as the gateway mints them (`tsk_` and a ULID: 10 characters of millisecond time, 16 of
 * randomness), increasing in the order they are minted: the time, then a counter, then random
 * characters, so the last task seeded is the newest and lists newest first put it on top.
 */
export class TaskIds {
  private lastTime = 0;
  private counter = 0;
  private readonly salt = Array.from(randomBytes(6), (b) => ALPHABET[b % 32]).join('');

  next(): string {
    const now = Math.max(Date.now(), this.lastTime);
    this.counter = now === this.lastTime ? this.counter + 1 : 0;
    this.lastTime = now;
    return `tsk_${base32(now, 10)}${base32(this.counter, 10)}${this.salt}`;
  }
}

/** The events of one finished task of user USERS[i % 8], from the topics' stored samples. */
function taskEvents(taskId: string, i: number, tenantId: string): { requested: Requested; ready: Ready } {
  const userId = USERS[i % USERS.length] as string;
  const requestedAt = Date.now();
  const request = readSample(TOPICS.taskRequested) as Requested;
  const ready = readSample(TOPICS.recommendationReady) as Ready;
  return {
    requested: {
      ...request,
      taskId,
      tenantId,
      request: { ...request.request, userId, query: `${request.request.query} (seeded ${i})` },
      callbackUrl: null,
      requestedAt,
    },
    ready: {
      ...ready,
      taskId,
      tenantId,
      userId,
      query: `${request.request.query} (seeded ${i})`,
      completedAt: requestedAt + 1_000,
    },
  };
}

/**
 * Produces the events of `count` finished tasks (numbered from `first`), `batch` tasks per
 * request: first their task.requested events, then their recommendation.ready events caused by
 * them. Resolves with the ids, oldest first.
 */
export async function produceFinishedTasks(
  producer: EventProducer,
  ids: TaskIds,
  options: { first: number; count: number; batch: number; tenantId: string },
): Promise<string[]> {
  const seeded: string[] = [];
  for (let offset = 0; offset < options.count; offset += options.batch) {
    const tasks = Array.from({ length: Math.min(options.batch, options.count - offset) }, (_, k) => {
      const taskId = ids.next();
      seeded.push(taskId);
      return taskEvents(taskId, options.first + offset + k, options.tenantId);
    });
    const causes = await producer.emitMany(tasks.map((t) => pending(TOPICS.taskRequested, t.requested)));
    await producer.emitMany(
      tasks.map((t, k) => pending(TOPICS.recommendationReady, t.ready, { causedBy: causes[k] })),
    );
  }
  return seeded;
}

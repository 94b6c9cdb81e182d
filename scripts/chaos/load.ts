/**
 * The chaos run's clients: tasks submitted at a fixed rate through the public API, each with an
 * Idempotency-Key, retried as a well-behaved client retries (after `Retry-After` on 5xx, 429 and
 * `idempotency-key-in-progress`, after a second when the gateway cannot be reached), never given up
 * while the run lasts. Every HTTP answer is counted by status, so a 5xx anywhere shows in the figures.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

const USERS = ['u-alice', 'u-bruno', 'u-chen', 'u-dara', 'u-emeka', 'u-freya', 'u-gabriel', 'u-hana'];
const REQUESTS = [
  'a thoughtful gift for a rainy weekend',
  'books to read on holiday and a board game for four',
  'gear for weekend hikes under 60',
  'something for the kitchen',
  'a co-op video game and a fantasy novel',
];

export interface SubmittedTask {
  readonly index: number;
  readonly idempotencyKey: string;
  taskId?: string;
  /** Final status read back through the API. */
  status?: string;
  reason?: string;
  /** Why the task was never accepted (a 4xx other than 429). */
  rejected?: string;
}

export class ChaosClient {
  readonly tasks: SubmittedTask[] = [];
  /** HTTP answers by `<method> <route> <status>`; `… unreachable` when no answer came. */
  readonly answers = new Map<string, number>();
  private stopped = false;

  constructor(private readonly gatewayUrl: () => string) {}

  /** Submits `rate` tasks per second until `stop()`; resolves when every submission was answered. */
  async run(rate: number, tag: string): Promise<void> {
    const pending: Promise<void>[] = [];
    const start = Date.now();
    for (let i = 0; !this.stopped; i += 1) {
      const due = start + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.stopped) break;
      const task: SubmittedTask = { index: i, idempotencyKey: randomUUID() };
      this.tasks.push(task);
      pending.push(this.submit(task, tag));
    }
    await Promise.all(pending);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Reads a task's status until it is terminal or `deadline` (epoch ms) passes. */
  async settle(task: SubmittedTask, deadline: number): Promise<void> {
    if (task.taskId === undefined) return;
    while (Date.now() < deadline) {
      const answer = await this.call('GET /v1/tasks/{id}', `/v1/tasks/${task.taskId}`, { method: 'GET' });
      if (answer?.status === 200) {
        const view = (await answer.json()) as { status: string; failure?: { reason?: string } | null };
        task.status = view.status;
        task.reason = view.failure?.reason;
        if (['completed', 'failed', 'cancelled'].includes(view.status)) return;
      } else {
        await answer?.body?.cancel();
      }
      await sleep(1_000);
    }
  }

  private async submit(task: SubmittedTask, tag: string): Promise<void> {
    const body = JSON.stringify({
      userId: USERS[task.index % USERS.length],
      request: `${REQUESTS[task.index % REQUESTS.length]} (chaos ${tag}-${task.index})`,
      maxResults: 3,
    });
    for (;;) {
      const answer = await this.call('POST /v1/tasks', '/v1/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': task.idempotencyKey },
        body,
      });
      if (answer === undefined) {
        await sleep(1_000);
        continue;
      }
      const text = await answer.text();
      if (answer.status === 202 || answer.status === 200) {
        task.taskId = (JSON.parse(text) as { taskId: string }).taskId;
        return;
      }
      const inProgress = answer.status === 409 && text.includes('idempotency-key-in-progress');
      if (answer.status === 429 || answer.status >= 500 || inProgress) {
        const after = Number(answer.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 5) * 1000 : 1_000);
        continue;
      }
      task.rejected = `${answer.status}: ${text.slice(0, 200)}`;
      return;
    }
  }

  private async call(route: string, path: string, init: RequestInit): Promise<Response | undefined> {
    try {
      const answer = await fetch(`${this.gatewayUrl()}${path}`, {
        ...init,
        signal: AbortSignal.timeout(30_000),
      });
      // A 503 with Retry-After is the answer while a dependency is down; one without it is a fault.
      const bare = answer.status === 503 && answer.headers.get('retry-after') === null;
      this.count(`${route} ${answer.status}${bare ? ' without Retry-After' : ''}`);
      return answer;
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      this.count(`${route} ${timedOut ? 'no answer within 30 s' : 'unreachable'}`);
      return undefined;
    }
  }

  private count(key: string): void {
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { type TributaryConfig } from '@tributary/config';
import { RetriableError } from '@tributary/kafka';
import { scrapeMetrics } from '@tributary/metrics';
import { Scrape } from '@tributary/testing/metrics';
import { watchListeners } from '@tributary/testing/gateway/watch-listeners';
import { TaskNotifier } from '../read-model/task-notifier';
import { type TaskReader } from '../read-model/task-reader';
import { AcceptedHere } from '../read-model/accepted-here';
import { type TaskEventRow } from '../task/log';
import { type TaskState } from '../task/task-state';
import { tenantId } from '../task/tenant';
import { TenantShares } from './tenant-shares';
import { DeliverWebhookUseCase, type TerminalEvent } from './deliver-webhook.usecase';
import { type TenantWebhookRepository } from './tenant-webhook.repository';
import { type WebhookDeliveryRepository } from './webhook-delivery.repository';
import { type WebhookTransport } from './webhook-sender';

type WebhookOutcomeOf = Awaited<ReturnType<WebhookTransport['send']>>;

const MAX_AGE_MS = 60_000;
const tenant = tenantId('default');

/**
 * The use case over a read model that answers `states` in turn (the last one from then on), for a
 * tenant with no endpoint of its own (a task has none either unless `states` gives it one); it fails
 * with 'must not get this far' once it would claim a delivery.
 */
function useCaseOver(states: readonly (Partial<TaskState> | null)[], acceptedHere = new AcceptedHere()) {
  let reads = 0;
  const log = {
    current: () => {
      const state = states[Math.min(reads, states.length - 1)] ?? null;
      reads += 1;
      return Promise.resolve(
        state === null ? null : ({ taskId: 'tsk_1', callbackUrl: null, ...state } as TaskState),
      );
    },
  } as unknown as TaskReader;
  const notifier = watchListeners(new TaskNotifier());
  const unexpected = () => Promise.reject(new Error('must not get this far'));
  const useCase = new DeliverWebhookUseCase(
    { gateway: { webhooks: { maxAgeMs: MAX_AGE_MS } } } as unknown as TributaryConfig,
    log,
    notifier,
    { claim: unexpected } as unknown as WebhookDeliveryRepository,
    { findRecent: () => Promise.resolve(null) } as unknown as TenantWebhookRepository,
    { send: unexpected },
    new TenantShares(1),
    acceptedHere,
  );
  return { useCase, notifier, reads: () => reads };
}

function terminal(ageMs: number): TerminalEvent {
  return {
    tenant,
    taskId: 'tsk_1',
    eventId: 'evt_1',
    endsAs: 'task.completed',
    occurredAt: new Date(Date.now() - ageMs),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('webhook handler waiting for the read model', () => {
  it('does not wait for a task with no callback URL whose tenant has no endpoint', async () => {
    const { useCase, reads } = useCaseOver([{ status: 'reviewing', terminal: false, tenantId: tenant }]);
    await expect(useCase.execute(terminal(0))).resolves.toBeUndefined();
    expect(reads()).toBe(1);
  });

  it.each([
    {
      what: 'reads nothing of a task this process accepted without a callback URL',
      owner: tenant,
      url: null,
      reads: 0,
    },
    {
      what: 'reads a task it accepted with a callback URL',
      owner: tenant,
      url: 'https://hooks.example/in',
      reads: 1,
    },
    { what: 'reads a task another tenant submitted', owner: tenantId('other'), url: null, reads: 1 },
  ])('$what, when its tenant has no endpoint', async ({ owner, url, reads: expected }) => {
    const acceptedHere = new AcceptedHere();
    acceptedHere.remember('tsk_1', {
      tenantId: owner,
      acceptedAt: new Date(),
      callbackUrl: url,
      ticket: false,
    });
    const { useCase, reads } = useCaseOver(
      [{ status: 'reviewing', terminal: false, tenantId: tenant }],
      acceptedHere,
    );
    await expect(useCase.execute(terminal(0))).resolves.toBeUndefined();
    expect(reads()).toBe(expected);
  });

  it('asks to be retried later at once for a task the read model does not have, without polling meanwhile', async () => {
    const { useCase, reads } = useCaseOver([null]);
    await expect(useCase.execute(terminal(1_000))).rejects.toBeInstanceOf(RetriableError);
    expect(reads()).toBe(1);
  });

  it('gives up once the event is older than the retry window', async () => {
    const { useCase, reads } = useCaseOver([null]);
    await expect(useCase.execute(terminal(MAX_AGE_MS + 1_000))).resolves.toBeUndefined();
    expect(reads()).toBe(1);
  });

  it('reads again when the projection applies a terminal event of the task, not on its other events', async () => {
    // Fake timers: the fallback poll never fires, so only the notifier can wake the handler.
    vi.useFakeTimers();
    const { useCase, notifier, reads } = useCaseOver([
      { status: 'reviewing', terminal: false, tenantId: tenant, callbackUrl: 'https://example.com/hook' },
      { status: 'completed', terminal: true, tenantId: tenant, callbackUrl: 'https://example.com/hook' },
    ]);
    let settled = false;
    const done = useCase.execute(terminal(0)).catch((error: unknown) => {
      settled = true;
      return error;
    });
    await vi.waitFor(() => expect(notifier.watchedTasks).toBe(1));
    expect(reads()).toBe(1);
    notifier.notify('tsk_1', [{ seq: 7, status: 'reviewing' } as TaskEventRow]);
    // Enough turns of the microtask queue for a wrongly woken handler to have read again.
    for (let i = 0; i < 20; i += 1) await Promise.resolve();
    expect(reads()).toBe(1);
    notifier.notify('tsk_1', [{ seq: 8, status: 'completed' } as TaskEventRow]);
    // Woken and past the wait: it went on to claim the delivery.
    expect(await done).toMatchObject({ message: 'must not get this far' });
    expect(settled).toBe(true);
    expect(reads()).toBe(2);
    expect(notifier.watchedTasks).toBe(0);
  });
});

describe('webhook attempt metrics', () => {
  function deliveringUseCase(outcome: WebhookOutcomeOf) {
    const task = {
      taskId: 'tsk_metrics',
      tenantId: tenant,
      status: 'completed',
      terminal: true,
      callbackUrl: 'https://hooks.example/in',
      userId: 'u-1',
      endedAt: new Date(),
      updatedAt: new Date(),
      result: null,
      failure: null,
      cancellation: null,
    } as unknown as TaskState;
    const recorded: string[] = [];
    const useCase = new DeliverWebhookUseCase(
      { gateway: { webhooks: { maxAgeMs: MAX_AGE_MS } } } as unknown as TributaryConfig,
      { current: () => Promise.resolve(task) } as unknown as TaskReader,
      new TaskNotifier(),
      {
        claim: () =>
          Promise.resolve({
            eventId: 'evt_1',
            state: 'pending',
            attempts: [],
            createdAt: new Date(),
            url: task.callbackUrl,
            webhookId: 'msg_metrics',
          }),
        recordAttempt: (_taskId: string, _attempt: unknown, state: string) => {
          recorded.push(state);
          return Promise.resolve();
        },
      } as unknown as WebhookDeliveryRepository,
      {
        findRecent: () => Promise.resolve({ url: null, secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=' }),
        ensure: () => Promise.resolve({ url: null, secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=' }),
      } as unknown as TenantWebhookRepository,
      { send: () => Promise.resolve(outcome) },
      new TenantShares(1),
      new AcceptedHere(),
    );
    return { useCase, recorded };
  }

  async function attempts(): Promise<Scrape> {
    return Scrape.parse(await scrapeMetrics());
  }

  it('counts each attempt by outcome (delivered, failed and retried later, refused), with its duration', async () => {
    const before = await attempts();
    const counted = (s: Scrape, outcome: string) =>
      s.value('tributary_webhook_attempts_total', { outcome }) -
      before.value('tributary_webhook_attempts_total', { outcome });
    await deliveringUseCase({ kind: 'delivered', status: 204, durationMs: 40 }).useCase.execute(terminal(0));
    await expect(
      deliveringUseCase({ kind: 'failed', status: 503, error: 'HTTP 503', durationMs: 80 }).useCase.execute(
        terminal(0),
      ),
    ).rejects.toBeInstanceOf(RetriableError);
    await deliveringUseCase({ kind: 'refused', error: 'a private address', durationMs: 1 }).useCase.execute(
      terminal(0),
    );
    const after = await attempts();
    expect(['delivered', 'failed', 'refused'].map((outcome) => counted(after, outcome))).toEqual([1, 1, 1]);
    const timed = (s: Scrape) => s.count('tributary_webhook_attempt_duration_seconds', { outcome: 'failed' });
    expect(timed(after) - timed(before)).toBe(1);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { type TributaryConfig } from '@tributary/config';
import { RetriableError } from '@tributary/kafka';
import { watchListeners } from '@tributary/testing/gateway/watch-listeners';
import { TaskNotifier } from '../read-model/task-notifier';
import { type TaskReader } from '../read-model/task-reader';
import { type TaskEventRow } from '../task/log';
import { type TaskState } from '../task/task-state';
import { tenantId } from '../task/tenant';
import { TenantShares } from './tenant-shares';
import { DeliverWebhookUseCase, type TerminalEvent } from './deliver-webhook.usecase';
import { type TenantWebhookRepository } from './tenant-webhook.repository';
import { type WebhookDeliveryRepository } from './webhook-delivery.repository';

const MAX_AGE_MS = 60_000;
const tenant = tenantId('default');

/**
 * The use case over a read model that answers `states` in turn (the last one from then on), for a
 * tenant with no endpoint of its own (a task has none either unless `states` gives it one); it fails
 * with 'must not get this far' once it would claim a delivery.
 */
function useCaseOver(states: readonly (Partial<TaskState> | null)[]) {
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
    { find: () => Promise.resolve(null) } as unknown as TenantWebhookRepository,
    { send: unexpected },
    new TenantShares(1),
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

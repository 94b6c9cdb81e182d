import { type TributaryConfig } from '@tributary/config';
import { RetriableError } from '@tributary/kafka';
import { describe, expect, it } from 'vitest';
import { tenantId } from '../common/tenant';
import { type TenantWebhookRepository } from '../persistence/tenant-webhook.repository';
import { type WebhookDeliveryRepository } from '../persistence/webhook-delivery.repository';
import { type TaskLog } from '../projection/task-log';
import { DeliverWebhookUseCase, type TerminalEvent } from './deliver-webhook.usecase';

const MAX_AGE_MS = 60_000;

/** The use case over a read model that has never seen the task; fails the test if it gets further. */
function withoutTask() {
  let reads = 0;
  const log = {
    current: () => {
      reads += 1;
      return Promise.resolve(null);
    },
  } as unknown as TaskLog;
  const unexpected = () => Promise.reject(new Error('must not get this far'));
  const useCase = new DeliverWebhookUseCase(
    { gateway: { webhooks: { maxAgeMs: MAX_AGE_MS } } } as unknown as TributaryConfig,
    log,
    { claim: unexpected } as unknown as WebhookDeliveryRepository,
    { find: unexpected } as unknown as TenantWebhookRepository,
    { send: unexpected },
  );
  return { useCase, reads: () => reads };
}

function terminal(ageMs: number): TerminalEvent {
  return {
    tenant: tenantId('default'),
    taskId: 'tsk_gone',
    eventId: 'evt_1',
    endsAs: 'task.completed',
    occurredAt: new Date(Date.now() - ageMs),
  };
}

describe('webhook for a task the read model does not have', () => {
  it('asks to be retried later at once, without polling the store meanwhile', async () => {
    const { useCase, reads } = withoutTask();
    await expect(useCase.execute(terminal(1_000))).rejects.toBeInstanceOf(RetriableError);
    expect(reads()).toBe(1);
  });

  it('gives up once the event is older than the retry window', async () => {
    const { useCase, reads } = withoutTask();
    await expect(useCase.execute(terminal(MAX_AGE_MS + 1_000))).resolves.toBeUndefined();
    expect(reads()).toBe(1);
  });
});

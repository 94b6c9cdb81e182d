import { Module } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { type FailurePolicySettings, KafkaRuntime } from '@tributary/kafka';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { ReadModelModule } from '../read-model/read-model.module';
import { DeliverWebhookUseCase, WEBHOOK_TENANT_SHARES, WEBHOOK_TRANSPORT } from './deliver-webhook.usecase';
import { TenantShares } from './tenant-shares';
import { TargetPolicy } from './target-policy';
import { HttpWebhookSender } from './webhook-sender';
import { WebhookConsumer } from './webhook.consumer';
import { WebhooksModule } from './webhooks.module';

/**
 * Webhook retries go through the runtime's retry topic. Its backoff is exponential with full
 * jitter; drawing the jitter from [0.5, 1] instead of [0, 1] ("equal jitter") keeps each wait at
 * least half its ceiling, so the attempts spread over the 24 h window instead of bunching early.
 * The attempt count is a backstop only: delivery stops by age (`maxAgeMs`). A store outage is not a
 * failed attempt: it holds the partition and retries in place until the store answers, so no webhook
 * is dropped for it.
 */
function webhookFailurePolicy(config: TributaryConfig): FailurePolicySettings {
  const webhooks = config.gateway.webhooks;
  return {
    maxAttempts: 100,
    retryBaseDelayMs: webhooks.retryBaseDelayMs,
    retryMaxDelayMs: webhooks.retryMaxDelayMs,
    onTransient: 'hold-partition',
  };
}

const equalJitter = (): number => 0.5 + Math.random() / 2;

/**
 * The webhooks consumer group (`gateway-webhooks`): sends a task's webhook when it ends, retried
 * with the policy above. A new group starts at the topics' ends (options): a new deployment must not
 * send webhooks for every task that ever ended.
 */
@Module({
  imports: [ReadModelModule, WebhooksModule],
  providers: [
    {
      provide: WEBHOOK_TRANSPORT,
      useFactory: (config: TributaryConfig) =>
        new HttpWebhookSender(
          new TargetPolicy(config.gateway.webhooks.allow),
          config.gateway.webhooks.timeoutMs,
        ),
      inject: [TRIBUTARY_CONFIG],
    },
    {
      provide: WEBHOOK_TENANT_SHARES,
      useFactory: (config: TributaryConfig) => new TenantShares(config.gateway.webhooks.tenantConcurrency),
      inject: [TRIBUTARY_CONFIG],
    },
    DeliverWebhookUseCase,
    {
      provide: WebhookConsumer,
      useFactory: (
        runtime: KafkaRuntime,
        deliver: DeliverWebhookUseCase,
        config: TributaryConfig,
        options: GatewayOptions,
      ) => {
        const { group, fromBeginning } = options.webhooks;
        const consumer = runtime.consumer({
          group,
          fromBeginning,
          runtime: { ...config.runtime, concurrency: config.gateway.webhooks.concurrency },
          failurePolicy: webhookFailurePolicy(config),
          random: equalJitter,
        });
        return new WebhookConsumer(consumer, deliver);
      },
      inject: [KafkaRuntime, DeliverWebhookUseCase, TRIBUTARY_CONFIG, GATEWAY_OPTIONS],
    },
  ],
})
export class WebhookDeliveryModule {}

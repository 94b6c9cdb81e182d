import { Module } from '@nestjs/common';
import { collectionProvider } from '../config/gateway-config.module';
import { ReadModelModule } from '../read-model/read-model.module';
import {
  TENANT_WEBHOOK_COLLECTION,
  WEBHOOK_COLLECTION_NAMES,
  WEBHOOK_DELIVERY_COLLECTION,
} from './collections';
import { ListDeliveriesUseCase } from './list-deliveries.usecase';
import { TenantWebhookRepository } from './tenant-webhook.repository';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhooksController } from './webhooks.controller';

/**
 * The webhooks' API: a tenant's endpoint and signing secret, and the attempts made for a task. The
 * deliveries themselves are sent by a consumer group of their own (WebhookDeliveryModule).
 */
@Module({
  imports: [ReadModelModule],
  controllers: [WebhooksController],
  providers: [
    collectionProvider(WEBHOOK_DELIVERY_COLLECTION, WEBHOOK_COLLECTION_NAMES.webhookDeliveries),
    collectionProvider(TENANT_WEBHOOK_COLLECTION, WEBHOOK_COLLECTION_NAMES.tenantWebhooks),
    WebhookDeliveryRepository,
    TenantWebhookRepository,
    ListDeliveriesUseCase,
  ],
  exports: [WebhookDeliveryRepository, TenantWebhookRepository],
})
export class WebhooksModule {}

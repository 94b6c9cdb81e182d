import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type Connection } from 'mongoose';
import { type TributaryConfig } from '@tributary/config';
import { MONGO_CONNECTION } from '@tributary/platform';
import { stopTracing } from '@tributary/tracing';
import { TRIBUTARY_CONFIG } from './config/tokens';
import { SseHub } from './streams/sse-hub';

/**
 * The order of start-up and shutdown, around what the modules do themselves.
 *
 * Start: each feature module creates its indexes and the Kafka runtime its topics, schemas and
 * producer (module init); then the consumer groups and the streams' live tail start (bootstrap);
 * HTTP listens after all of it.
 * Stop: end open event streams first (Nest's HTTP close waits for open connections); the Kafka
 * runtime stops the consumer groups (they drain and commit) and the live tail leaves its group;
 * Nest closes HTTP (requests in flight finish); the runtime disconnects the producer; MongoDB
 * closes; the spans still queued are exported last.
 */
@Injectable()
export class GatewayLifecycle implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Gateway');

  constructor(
    @Inject(TRIBUTARY_CONFIG) private readonly config: TributaryConfig,
    @Inject(SseHub) private readonly hub: SseHub,
    @Inject(MONGO_CONNECTION) private readonly mongo: Connection,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.gateway.auth.mode === 'disabled') {
      this.logger.warn({
        msg: 'authentication is disabled: every caller is tenant "default" with every scope (TRIBUTARY_AUTH=required to turn it on)',
      });
    }
  }

  /** The first hook of a shutdown, before the Kafka runtime's. */
  onModuleDestroy(): void {
    this.logger.log({ msg: 'shutting down: closing event streams', streams: this.hub.open });
    this.hub.closeAll();
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.mongo.close();
    } catch (error) {
      this.logger.error({
        msg: 'could not close mongodb',
        err: error instanceof Error ? error.message : String(error),
      });
    }
    await stopTracing();
    this.logger.log('shutdown complete');
  }
}

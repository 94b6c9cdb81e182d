import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { MONGO_CONNECTION } from '@tributary/platform';
import { type Connection } from 'mongoose';
import { TRIBUTARY_CONFIG } from './config/tokens';
import { SseHub } from './streams/sse-hub';

/**
 * The order of start-up and shutdown, over what the modules do themselves.
 *
 * Start: each feature module creates its indexes and the Kafka runtime its topics, schemas and
 * producer (module init); then the consumer groups start (bootstrap); HTTP listens after all of it.
 * Stop: end open event streams and let the Kafka runtime stop the consumer groups (they drain and
 * commit) before Nest closes the HTTP server, which waits for open connections; once HTTP is closed
 * the runtime disconnects the producer (requests in flight have finished), and MongoDB closes last.
 */
@Injectable()
export class GatewayLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
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

  beforeApplicationShutdown(): void {
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
    this.logger.log('shutdown complete');
  }
}

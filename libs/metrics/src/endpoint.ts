import {
  Controller,
  type DynamicModule,
  Get,
  Header,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type MetricsConfig } from '@tributary/config';
import { createServer, type Server } from 'node:http';
import { configureLabelBounds } from './labels';
import { collectProcessMetrics, metricsRegistry } from './registry';

/** The Prometheus text exposition of every metric of this process. */
export function scrapeMetrics(): Promise<string> {
  return metricsRegistry.metrics();
}

export const METRICS_CONTENT_TYPE = metricsRegistry.contentType;

@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('content-type', METRICS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  metrics(): Promise<string> {
    return scrapeMetrics();
  }
}

/**
 * A listener of its own that answers `GET /metrics` and nothing else: for a service whose HTTP port
 * is public (a gateway with authentication on) while Prometheus scrapes from inside the network.
 */
export async function serveMetrics(host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    scrapeMetrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        new Logger('Metrics').error(
          `scrape failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

const METRICS_CONFIG = Symbol('METRICS_CONFIG');

@Injectable()
class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;
  private readonly logger = new Logger('Metrics');

  constructor(@Inject(METRICS_CONFIG) private readonly config: MetricsConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const { endpoint } = this.config;
    if (endpoint.kind === 'own-port') {
      this.server = await serveMetrics(endpoint.host, endpoint.port);
      this.logger.log(`metrics on http://${endpoint.host}:${endpoint.port}/metrics`);
    } else if (endpoint.kind === 'off') {
      this.logger.log(
        'metrics are recorded but not served (set TRIBUTARY_METRICS_PORT, or TRIBUTARY_<SERVICE>_METRICS_PORT, to serve /metrics)',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * `/metrics` as the configuration says: a route of the service's HTTP server, a listener of its own,
 * or none. Also bounds the tenant label and adds Node's process metrics.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: MetricsConfig): DynamicModule {
    configureLabelBounds(config);
    if (config.endpoint.kind !== 'off') collectProcessMetrics();
    return {
      module: MetricsModule,
      controllers: config.endpoint.kind === 'http-port' ? [MetricsController] : [],
      providers: [{ provide: METRICS_CONFIG, useValue: config }, MetricsListener],
    };
  }
}

import 'reflect-metadata';
import { ConfigError, loadConfigFromProcess } from '@tributary/config';
import { JsonLogger } from '@tributary/platform';
import { startTracing } from '@tributary/tracing';
import { createGatewayApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigFromProcess('gateway');
  const logger = new JsonLogger('gateway', config.logLevel);
  // Before the application is built: every span it starts goes to the configured OTLP endpoint.
  startTracing(config, logger);
  try {
    const app = await createGatewayApp(config, { logger });
    // SIGTERM/SIGINT run the shutdown in GatewayLifecycle: streams, HTTP, consumer, producer, MongoDB.
    app.enableShutdownHooks();
    await app.listen({ host: config.http.host, port: config.http.port });
    logger.log({
      msg: 'gateway listening',
      url: `http://${config.http.host}:${config.http.port}`,
      docs: '/docs',
    });
  } catch (error) {
    logger.fatal(error instanceof Error ? error : new Error(String(error)), 'main');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  // A configuration the gateway refuses (ConfigError names the variable): one line, no stack.
  console.error('gateway refused to start:', error instanceof ConfigError ? error.message : error);
  process.exit(1);
});

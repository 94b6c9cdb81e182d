/**
 * A gateway with its own consumer groups, for fuzzing and experiments next to a running system:
 *
 *   TRIBUTARY_MONGO_URI=mongodb://127.0.0.1:27017/tributary_fuzz TRIBUTARY_GATEWAY_PORT=3990 \
 *     node scripts/run-ts.mjs apps/gateway/src/cli/serve-isolated.ts --groups fuzz
 *
 * The configuration comes from the environment as for `main.ts` (use a database of its own);
 * `--groups <prefix>` names its projection group `<prefix>-gateway-projection`, started at the
 * topics' ends, so it neither takes partitions from the real gateway nor replays their history.
 * The in-flight consumer runs in `<prefix>-gateway-in-flight`; webhooks are off.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfigFromProcess } from '@tributary/config';
import { JsonLogger } from '@tributary/platform';
import { createGatewayApp } from '../bootstrap';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { groups: { type: 'string', default: 'isolated' } } });
  const config = loadConfigFromProcess('gateway');
  const logger = new JsonLogger('gateway', config.logLevel);
  const app = await createGatewayApp(config, {
    logger,
    overrides: {
      projection: { group: `${values.groups}-gateway-projection`, fromBeginning: false },
      inFlight: { group: `${values.groups}-gateway-in-flight` },
      deadlines: { group: `${values.groups}-gateway-deadlines` },
      webhooks: { enabled: false },
    },
  });
  app.enableShutdownHooks();
  await app.listen({ host: config.http.host, port: config.http.port });
  logger.log({ msg: 'isolated gateway listening', url: `http://${config.http.host}:${config.http.port}` });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

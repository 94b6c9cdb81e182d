/**
 * API keys and webhook settings of a tenant:
 *
 *   node scripts/run-ts.mjs apps/gateway/src/cli/api-keys.ts create --tenant acme --scopes submit,read,cancel [--name ci]
 *   node scripts/run-ts.mjs apps/gateway/src/cli/api-keys.ts list --tenant acme
 *   node scripts/run-ts.mjs apps/gateway/src/cli/api-keys.ts revoke --tenant acme --key <key id>
 *   node scripts/run-ts.mjs apps/gateway/src/cli/api-keys.ts webhook --tenant acme [--url https://…|--no-url] [--rotate-secret]
 *
 * `create` prints the key once: only the SHA-256 of its secret is stored. `webhook` shows the
 * tenant's signing secret (created on first use) and sets or clears its default endpoint.
 */
import { parseArgs } from 'node:util';
import { loadConfigFromProcess } from '@tributary/config';
import { connectMongo } from '@tributary/platform';
import { mintApiKey } from '../auth/api-key';
import { ApiKeyRepository, type ApiKeyDocument } from '../auth/api-key.repository';
import { AUTH_COLLECTION_NAMES } from '../auth/collections';
import { parseScopes, SCOPES } from '../auth/scopes';
import { isTenantName } from '../auth/tenant-name';
import { tenantId } from '../task/tenant';
import { WEBHOOK_COLLECTION_NAMES } from '../webhooks/collections';
import { TenantWebhookRepository, type TenantWebhookDocument } from '../webhooks/tenant-webhook.repository';

const USAGE = `usage:
  api-keys create  --tenant <tenant> --scopes submit,read,cancel,priority,admin [--name <label>]
  api-keys list    --tenant <tenant>
  api-keys revoke  --tenant <tenant> --key <key id>
  api-keys webhook --tenant <tenant> [--url <https url> | --no-url] [--rotate-secret]`;

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      tenant: { type: 'string' },
      scopes: { type: 'string' },
      name: { type: 'string' },
      key: { type: 'string' },
      url: { type: 'string' },
      'no-url': { type: 'boolean', default: false },
      'rotate-secret': { type: 'boolean', default: false },
    },
  });
  if (!command || !['create', 'list', 'revoke', 'webhook'].includes(command) || !values.tenant) {
    console.error(USAGE);
    return 2;
  }
  if (!isTenantName(values.tenant)) {
    console.error(`--tenant must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    return 2;
  }
  const tenant = tenantId(values.tenant);
  const config = loadConfigFromProcess('gateway');
  const mongo = await connectMongo(config.mongoUri, config.mongoTimeouts);
  try {
    const keys = new ApiKeyRepository(mongo.collection<ApiKeyDocument>(AUTH_COLLECTION_NAMES.apiKeys));
    const webhooks = new TenantWebhookRepository(
      mongo.collection<TenantWebhookDocument>(WEBHOOK_COLLECTION_NAMES.tenantWebhooks),
    );
    switch (command) {
      case 'create': {
        const scopes = parseScopes(values.scopes ?? '');
        if (scopes.length === 0) throw new Error(`--scopes must name at least one of ${SCOPES.join(', ')}`);
        await keys.ensureIndexes();
        const minted = mintApiKey();
        await keys.insert({
          _id: minted.keyId,
          tenantId: tenant,
          scopes,
          name: values.name ?? '',
          secretHash: minted.secretHash,
          createdAt: new Date(),
          revokedAt: null,
        });
        console.log(`created key ${minted.keyId} for tenant ${tenant} with scopes ${scopes.join(',')}`);
        console.log('the key (shown once; only its hash is stored):');
        console.log(minted.key);
        return 0;
      }
      case 'list': {
        const list = await keys.list(tenant);
        if (list.length === 0) console.log(`tenant ${tenant} has no keys`);
        for (const key of list) {
          const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
          console.log(
            `${key.keyId}  ${key.scopes.join(',').padEnd(24)}  ${state.padEnd(32)}  created ${key.createdAt.toISOString()}  ${key.name}`,
          );
        }
        return 0;
      }
      case 'revoke': {
        if (!values.key) throw new Error('--key <key id> is required');
        const done = await keys.revoke(tenant, values.key, new Date());
        if (!done) {
          console.error(`tenant ${tenant} has no key ${values.key}`);
          return 1;
        }
        console.log(`revoked key ${values.key} (gateways stop accepting it within 5 s)`);
        return 0;
      }
      case 'webhook': {
        let settings = await webhooks.ensure(tenant);
        if (values.url !== undefined) {
          const url = new URL(values.url);
          if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('--url must be http(s)');
          settings = await webhooks.setUrl(tenant, url.toString());
        } else if (values['no-url']) settings = await webhooks.setUrl(tenant, null);
        if (values['rotate-secret']) settings = await webhooks.rotateSecret(tenant);
        console.log(`tenant ${tenant}`);
        console.log(`  endpoint: ${settings.url ?? '(none: only tasks with a callbackUrl get webhooks)'}`);
        console.log(`  secret:   ${settings.secret}`);
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await mongo.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

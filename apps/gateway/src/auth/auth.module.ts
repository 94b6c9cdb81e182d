import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { collectionProvider } from '../config/gateway-config.module';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { ApiKeyRepository } from './api-key.repository';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { API_KEY_COLLECTION, AUTH_COLLECTION_NAMES } from './collections';
import { RateLimiter } from './rate-limiter';

/**
 * Who is calling: API keys (and JWTs, if configured), scopes and rate limits. Global, because every
 * feature's routes are guarded by AuthGuard (`@RequireScope`), which Nest builds in the module of
 * the controller it guards.
 */
@Global()
@Module({
  providers: [
    collectionProvider(API_KEY_COLLECTION, AUTH_COLLECTION_NAMES.apiKeys),
    ApiKeyRepository,
    Authenticator,
    {
      provide: RateLimiter,
      useFactory: (config: TributaryConfig) => new RateLimiter(config.gateway.limits),
      inject: [TRIBUTARY_CONFIG],
    },
    AuthGuard,
  ],
  exports: [ApiKeyRepository, Authenticator, RateLimiter, AuthGuard],
})
export class AuthModule implements OnModuleInit {
  constructor(@Inject(ApiKeyRepository) private readonly keys: ApiKeyRepository) {}

  async onModuleInit(): Promise<void> {
    await this.keys.ensureIndexes();
  }
}

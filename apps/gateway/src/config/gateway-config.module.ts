import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { type Connection } from 'mongoose';
import { type TributaryConfig } from '@tributary/config';
import { boundedStoreCollection, connectMongo, MONGO_CONNECTION } from '@tributary/platform';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { TRIBUTARY_CONFIG } from './tokens';

/**
 * What every feature of the gateway takes: the deployment configuration, the gateway's own options
 * and the MongoDB connection. Global, so a feature module injects them without importing this one.
 */
@Global()
@Module({})
export class GatewayConfigModule {
  static forRoot(config: TributaryConfig, options: GatewayOptions): DynamicModule {
    return {
      module: GatewayConfigModule,
      providers: [
        { provide: TRIBUTARY_CONFIG, useValue: config },
        { provide: GATEWAY_OPTIONS, useValue: options },
        { provide: MONGO_CONNECTION, useFactory: () => connectMongo(config.mongoUri, config.mongoTimeouts) },
      ],
      exports: [TRIBUTARY_CONFIG, GATEWAY_OPTIONS, MONGO_CONNECTION],
    };
  }
}

/**
 * Provides the driver's collection `name` under `token`, for a repository to inject; inside an HTTP
 * request its operations are bounded by the request's store deadline (see bootstrap).
 */
export function collectionProvider(token: symbol, name: string): Provider {
  return {
    provide: token,
    useFactory: (connection: Connection) => boundedStoreCollection(connection.collection(name)),
    inject: [MONGO_CONNECTION],
  };
}

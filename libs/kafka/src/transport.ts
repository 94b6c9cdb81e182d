import {
  type ArgumentsHost,
  applyDecorators,
  Catch,
  type RpcExceptionFilter,
  UseFilters,
} from '@nestjs/common';
import {
  BaseRpcContext,
  type CustomTransportStrategy,
  EventPattern,
  type MessageHandler,
  Server,
} from '@nestjs/microservices';
import { topicByName, type TopicDefinition } from '@tributary/contracts';
import { isObservable, lastValueFrom, type Observable, throwError } from 'rxjs';
import { ParallelConsumer, type ParallelConsumerOptions } from './consumer';
import { type Delivery, type UntypedDelivery } from './delivery';
import { errorMessage, RetriableError } from './errors';

/** The second handler argument (`@Ctx()`): the delivery again, for handlers that take the payload apart. */
export class KafkaDeliveryContext extends BaseRpcContext<[UntypedDelivery]> {
  getDelivery(): UntypedDelivery {
    return this.args[0];
  }
}

/**
 * Nest's default RPC exception filter turns any error into `{ status: 'error', message: 'Internal
 * server error' }`, which would lose the class the retry/dead-letter decision depends on. This
 * filter (applied by @OnEvent) hands the original error back to the transport untouched.
 */
@Catch()
export class PassErrorsToTransport implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

type HandlerMethod<T extends TopicDefinition> = (delivery: Delivery<T>, ...rest: never[]) => unknown;

/**
 * `@EventPattern` for one catalogue topic, typed: the decorated method's first parameter must be
 * `Delivery<typeof topic>` (a handler for another topic's payload does not compile), and errors
 * reach the transport with their class intact (RetriableError → retry, PermanentError → dead letter).
 */
export function OnEvent<T extends TopicDefinition>(topic: T) {
  const decorate = applyDecorators(EventPattern(topic.name), UseFilters(new PassErrorsToTransport()));
  return <M extends HandlerMethod<T>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    decorate(target, key, descriptor);
  };
}

export type KafkaTransportOptions = Omit<ParallelConsumerOptions, 'logger'> & {
  /** Definitions for patterns that are not catalogue topics (tests, experiments). */
  readonly topics?: readonly TopicDefinition[];
  readonly logger?: ParallelConsumerOptions['logger'];
};

export type KafkaTransportEvents = {
  /** The kafkajs consumer crashed; `restart` says whether kafkajs restarts it. */
  crash: (error: Error, restart: boolean) => void;
};

export type KafkaTransportStatus = 'connecting' | 'connected' | 'disconnected';

/**
 * A Nest custom transport: agents keep writing `@EventPattern` (better: `@OnEvent`) handlers and
 * the transport runs them on a ParallelConsumer (key-parallel, retry topic, dead-letter topic).
 * A handler that throws or errors its observable fails the delivery; nothing is swallowed.
 * Several handlers for one topic run one after the other and must all succeed.
 */
export class KafkaTransport
  extends Server<KafkaTransportEvents, KafkaTransportStatus>
  implements CustomTransportStrategy
{
  private consumer: ParallelConsumer | undefined;
  private readonly listeners: { [K in keyof KafkaTransportEvents]: KafkaTransportEvents[K][] } = {
    crash: [],
  };

  constructor(private readonly options: KafkaTransportOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this._status$.next('disconnected');
  }

  on<EventKey extends keyof KafkaTransportEvents = keyof KafkaTransportEvents>(
    event: EventKey,
    callback: KafkaTransportEvents[EventKey],
  ): void {
    this.listeners[event].push(callback);
  }

  /** The ParallelConsumer behind the transport (for metrics, or its kafkajs consumer's events). */
  unwrap<T = ParallelConsumer>(): T {
    if (!this.consumer)
      throw new Error('the Kafka transport is not listening yet: call unwrap() after listen()');
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    this._status$.next('connecting');
    const consumer = new ParallelConsumer(this.options);
    this.consumer = consumer;
    for (const pattern of this.messageHandlers.keys()) {
      const definition = this.options.topics?.find((t) => t.name === pattern) ?? topicByName(pattern);
      if (!definition) throw new Error(`@EventPattern('${pattern}') names no topic of the catalogue`);
      consumer.handleUntyped(definition, (delivery) => this.dispatch(pattern, delivery));
    }
    consumer.kafkaConsumer.on(consumer.kafkaConsumer.events.CRASH, (event) => {
      for (const listener of this.listeners.crash) listener(event.payload.error, event.payload.restart);
    });
    await consumer.start();
    this._status$.next('connected');
  }

  private async dispatch(pattern: string, delivery: UntypedDelivery): Promise<void> {
    const context = new KafkaDeliveryContext([delivery]);
    let handler: MessageHandler | undefined = this.getHandlerByPattern(pattern) ?? undefined;
    while (handler) {
      await this.invoke(handler, delivery, context);
      handler = handler.next as MessageHandler | undefined;
    }
  }

  private async invoke(
    handler: MessageHandler,
    delivery: UntypedDelivery,
    context: KafkaDeliveryContext,
  ): Promise<void> {
    try {
      const result: unknown = await handler(delivery, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    } catch (error) {
      // Nest's default filter replaces errors by plain objects; those count as unknown, hence retriable.
      throw error instanceof Error ? error : new RetriableError(errorMessage(error), { cause: error });
    }
  }
}

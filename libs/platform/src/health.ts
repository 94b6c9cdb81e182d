import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Module,
  type DynamicModule,
  type Provider,
  Res,
} from '@nestjs/common';
import { type FastifyReply } from 'fastify';

/** A readiness check: resolves when the dependency answers, rejects with the reason otherwise. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

const CHECK_TIMEOUT_MS = 2_000;

async function timed(
  check: ReadinessCheck,
): Promise<{ name: string; ok: boolean; error?: string; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name: check.name, ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { name: check.name, ok: false, error: message, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every dependency this service needs answers: Kafka, the schema registry, MongoDB as applicable. */
  @Get('ready')
  async ready(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ status: 'ok' | 'unavailable'; checks: unknown[] }> {
    const results = await Promise.all(this.checks.map(timed));
    const ok = results.every((r) => r.ok);
    void reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'unavailable', checks: results };
  }
}

@Module({})
export class HealthModule {
  /** `checks` is a provider (factory) so checks can inject the clients they probe. */
  static register(checks: Provider): DynamicModule {
    return { module: HealthModule, controllers: [HealthController], providers: [checks], exports: [] };
  }
}

import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Logger,
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

/** What `/health/ready` says of one dependency: never its error text, which stays in the log. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** `timeout` when it did not answer within the check's time, `unavailable` when it failed. */
  readonly error?: 'timeout' | 'unavailable';
  readonly ms: number;
}

const logger = new Logger('Health');

class CheckTimeout extends Error {}

async function timed(check: ReadinessCheck): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CheckTimeout(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name: check.name, ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    // The answer is public (health is open to anyone who reaches the port): a driver's message names
    // hosts, ports and sometimes user names, so it goes to the log and the answer says only the kind.
    const message = error instanceof Error ? error.message : String(error);
    logger.warn(`readiness check ${check.name} failed: ${message}`);
    return {
      name: check.name,
      ok: false,
      error: error instanceof CheckTimeout ? 'timeout' : 'unavailable',
      ms: Math.round(performance.now() - started),
    };
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
  ): Promise<{ status: 'ok' | 'unavailable'; checks: CheckResult[] }> {
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

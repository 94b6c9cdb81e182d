import { loadConfigFromProcess, type TributaryConfig } from '@tributary/config';
import { createKafkaClient, createRegistrySerializer, type RegistrySerializer } from '@tributary/kafka';
import { type Progress, progressBar, StderrLogger } from '@tributary/terminal';
import { type Kafka } from 'kafkajs';
import { type CliHost } from './host';

/** Options every command takes. */
export interface GlobalOptions {
  /** Machine-readable output on stdout; no progress bars. */
  readonly json: boolean;
  /** `--no-progress` turns it off. */
  readonly progress: boolean;
}

/**
 * What a command needs, made on first use: the configuration (read once, from the same TRIBUTARY_*
 * variables the services read), a Kafka client and a registry client, progress bars, output.
 * `--help` and argument errors need none of it, so they work without a reachable stack.
 */
export class CommandContext {
  private loaded: TributaryConfig | undefined;
  private kafkaClient: Kafka | undefined;
  private registry: RegistrySerializer | undefined;
  readonly logger: StderrLogger;

  constructor(
    readonly host: CliHost,
    readonly globals: GlobalOptions,
    /** Aborted on SIGINT or SIGTERM: long commands stop reading, close what they opened and exit 130. */
    readonly signal: AbortSignal,
    readonly command: string,
  ) {
    this.logger = new StderrLogger(`tributary ${command}`);
  }

  get config(): TributaryConfig {
    this.loaded ??= loadConfigFromProcess('gateway');
    return this.loaded;
  }

  get kafka(): Kafka {
    this.kafkaClient ??= createKafkaClient(this.config, {
      clientId: `tributary-cli`,
      logger: this.logger,
    });
    return this.kafkaClient;
  }

  get serializer(): RegistrySerializer {
    this.registry ??= createRegistrySerializer(this.config, { clientId: 'tributary-cli' });
    return this.registry;
  }

  /** A progress bar on stderr when it is a terminal and neither `--json` nor `--no-progress` was given. */
  progress(): Progress {
    return progressBar({
      stream: this.host.stderr,
      enabled: this.globals.progress && !this.globals.json,
    });
  }

  /** A line (or lines) for people on stdout. */
  print(text: string): void {
    this.host.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** One JSON document on stdout, one line. */
  printJson(value: unknown): void {
    this.host.stdout.write(`${JSON.stringify(value)}\n`);
  }
}

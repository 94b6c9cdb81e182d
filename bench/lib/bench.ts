/** What every scenario is given: the run's settings, its clients, its report and its figures. */
import { type LoggerService } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { type Kafka } from 'kafkajs';
import { type Cleanup } from './cleanup';
import { type Figures } from './figures';
import { type Params } from './params';
import { type StackModule } from './project';
import { type Report } from './report';

export interface Bench {
  readonly params: Params;
  /** The repository the bench runs from (its data, its results folder, the bare server). */
  readonly root: string;
  /** The checkout the services and the rebuild command are built from (root unless --services-root). */
  readonly appRoot: string;
  /** Unique per run: names the run's topics, groups and task texts. */
  readonly runId: string;
  readonly startedAt: Date;
  readonly resultsDir: string;
  readonly logDir: string;
  readonly profileDir: string;
  /** The run's own MongoDB database, and its URI. */
  readonly database: string;
  readonly mongoUri: string;
  readonly config: TributaryConfig;
  readonly kafka: Kafka;
  readonly logger: LoggerService;
  readonly stack: StackModule;
  /** Everything started or created is registered here and undone at the end, also on Ctrl-C. */
  readonly cleanup: Cleanup;
  readonly report: Report;
  readonly figures: Figures;
  readonly log: (line: string) => void;
}

/** A scenario: one thing the bench measures, next to a baseline measured in the same run. */
import { type Bench } from '../lib/bench';
import { type ServiceStage } from '../lib/service-stage';

interface About {
  /** What --only calls it. */
  readonly name: string;
  /** What it measures, and against what (for --help). */
  readonly measures: string;
  /** Runs only when named with --only (it takes long, or leaves much data behind). */
  readonly optIn?: boolean;
}

/** Runs in the bench process against the stack alone. */
export interface StackScenario extends About {
  readonly needsServices: false;
  run(bench: Bench): Promise<void>;
}

/** Goes through the four built services (started once for every such scenario of the run). */
export interface ServiceScenario extends About {
  readonly needsServices: true;
  run(bench: Bench, stage: ServiceStage): Promise<void>;
}

export type Scenario = StackScenario | ServiceScenario;

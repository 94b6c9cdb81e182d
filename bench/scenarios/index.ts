/**
 * Every scenario, in the order a run takes them: those in the bench process first, then those
 * through the services. The rebuild follows the end-to-end run (its tasks are what is rebuilt);
 * the accept path and the slow-LLM run restart the agents, so they come last.
 */
import { accept } from './accept';
import { e2e } from './e2e';
import { floor } from './floor';
import { queue } from './queue';
import { rebuild } from './rebuild';
import { type Scenario } from './scenario';
import { slow } from './slow';

export const SCENARIOS: readonly Scenario[] = [floor, queue, e2e, rebuild, accept, slow];

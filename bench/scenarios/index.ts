/**
 * Every scenario, in the order a run takes them: those in the bench process first, then those
 * through the services. The idle period follows the end-to-end run (the system has worked and has
 * nothing left to do), then the rebuild (the end-to-end tasks are what is rebuilt);
 * the tracing run restarts every service for each mode and leaves them as they were; the accept path
 * and the slow-LLM run restart the agents, so they come last, before the list
 * scenario, which runs only when asked for (it seeds up to 100,000 tasks into the run's database).
 */
import { accept } from './accept';
import { e2e } from './e2e';
import { floor } from './floor';
import { idle } from './idle';
import { lists } from './lists';
import { queue } from './queue';
import { rebuild } from './rebuild';
import { type Scenario } from './scenario';
import { slow } from './slow';
import { tracing } from './tracing';

export const SCENARIOS: readonly Scenario[] = [
  floor,
  queue,
  e2e,
  idle,
  rebuild,
  tracing,
  accept,
  slow,
  lists,
];

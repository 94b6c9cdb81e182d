import 'reflect-metadata';
import { runAgent } from '@tributary/agent';
import { CONSUMER_GROUPS } from '@tributary/contracts';
import { PlannerModule } from './planner.module';

runAgent({
  service: 'planner-agent',
  group: CONSUMER_GROUPS.planner,
  stage: 'planning',
  feature: () => PlannerModule,
}).catch((error: unknown) => {
  console.error('planner-agent failed to start:', error);
  process.exit(1);
});

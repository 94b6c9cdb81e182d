import 'reflect-metadata';
import { runAgent } from '@tributary/agent';
import { CONSUMER_GROUPS } from '@tributary/contracts';
import { ResearchModule } from './research.module';

runAgent({
  service: 'research-agent',
  group: CONSUMER_GROUPS.research,
  stage: 'researching',
  feature: () => ResearchModule,
}).catch((error: unknown) => {
  console.error('research-agent failed to start:', error);
  process.exit(1);
});

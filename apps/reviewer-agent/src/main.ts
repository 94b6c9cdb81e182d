import 'reflect-metadata';
import { runAgent } from '@tributary/agent';
import { CONSUMER_GROUPS } from '@tributary/contracts';
import { ReviewerModule } from './reviewer.module';

runAgent({
  service: 'reviewer-agent',
  group: CONSUMER_GROUPS.reviewer,
  stage: 'reviewing',
  feature: () => ReviewerModule,
}).catch((error: unknown) => {
  console.error('reviewer-agent failed to start:', error);
  process.exit(1);
});

import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { type Connection } from 'mongoose';
import { boundedStoreCollection, MONGO_CONNECTION } from '@tributary/platform';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import {
  COLLECTION_NAMES,
  type CollectionNames,
  collectionNames,
  TASK_EVENT_MODEL,
  TASK_LIST_COLLECTION,
  TASK_MODEL,
  USER_PROFILE_COLLECTION,
} from './collections';
import { GetTaskUseCase } from './get-task.usecase';
import { GetUserRecommendationsUseCase } from './get-user-recommendations.usecase';
import { ListTasksUseCase } from './list-tasks.usecase';
import { taskEventModel } from './task-event.entity';
import { TaskEventRepository } from './task-event.repository';
import { TaskListReader } from './task-list.reader';
import { TaskListRepository } from './task-list.repository';
import { AcceptedHere } from './accepted-here';
import { EndedHere } from './ended-here';
import { TaskNotifier } from './task-notifier';
import { TaskReader } from './task-reader';
import { taskModel } from './task.entity';
import { TaskRepository } from './task.repository';
import { TasksController } from './tasks.controller';
import { UserProfileRepository } from './user-profile.repository';
import { UsersController } from './users.controller';

/**
 * The read model: the `tasks` snapshots, the `task_events` log, the `task_lists` pages, how a task's current state is
 * read from them (TaskReader), the in-process signal that a task has new events (TaskNotifier),
 * and the read API. The projection that writes it is a consumer group of its own (ProjectionModule).
 */
@Module({
  controllers: [TasksController, UsersController],
  providers: [
    {
      provide: COLLECTION_NAMES,
      useFactory: (options: GatewayOptions) => collectionNames(options.collectionSuffix),
      inject: [GATEWAY_OPTIONS],
    },
    {
      provide: TASK_MODEL,
      useFactory: (c: Connection, names: CollectionNames) => taskModel(c, names.tasks),
      inject: [MONGO_CONNECTION, COLLECTION_NAMES],
    },
    {
      provide: TASK_EVENT_MODEL,
      useFactory: (c: Connection, names: CollectionNames) => taskEventModel(c, names.taskEvents),
      inject: [MONGO_CONNECTION, COLLECTION_NAMES],
    },
    {
      provide: TASK_LIST_COLLECTION,
      useFactory: (c: Connection, names: CollectionNames) =>
        boundedStoreCollection(c.collection(names.taskLists)),
      inject: [MONGO_CONNECTION, COLLECTION_NAMES],
    },
    {
      provide: USER_PROFILE_COLLECTION,
      useFactory: (c: Connection, names: CollectionNames) =>
        boundedStoreCollection(c.collection(names.userProfiles)),
      inject: [MONGO_CONNECTION, COLLECTION_NAMES],
    },
    TaskRepository,
    TaskEventRepository,
    TaskListRepository,
    TaskListReader,
    UserProfileRepository,
    TaskReader,
    TaskNotifier,
    { provide: AcceptedHere, useFactory: () => new AcceptedHere() },
    { provide: EndedHere, useFactory: () => new EndedHere() },
    GetTaskUseCase,
    ListTasksUseCase,
    GetUserRecommendationsUseCase,
  ],
  exports: [
    TaskRepository,
    TaskEventRepository,
    TaskListRepository,
    UserProfileRepository,
    TaskReader,
    TaskNotifier,
    AcceptedHere,
    EndedHere,
  ],
})
export class ReadModelModule implements OnModuleInit {
  constructor(
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TaskEventRepository) private readonly events: TaskEventRepository,
    @Inject(TaskListRepository) private readonly lists: TaskListRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await Promise.all([
      this.tasks.ensureIndexes(),
      this.events.ensureIndexes(),
      this.lists.ensureCollection(),
    ]);
  }
}

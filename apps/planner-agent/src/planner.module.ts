import { Module } from '@nestjs/common';
import { PlannerHandler } from './planner.handler';
import { PlanTaskUseCase } from './plan-task/plan-task.usecase';

@Module({ controllers: [PlannerHandler], providers: [PlanTaskUseCase] })
export class PlannerModule {}

import { type TaskRequested } from '@tributary/contracts';
import { describe, expect, it } from 'vitest';
import { ApiProblem, PROBLEM_TYPES } from '../http/problem';
import { type TaskRepository } from '../read-model/task.repository';
import { type UserProfileRepository } from '../read-model/user-profile.repository';
import { AcceptedHere } from '../read-model/accepted-here';
import { type TaskState } from '../task/task-state';
import { DEFAULT_TENANT } from '../task/tenant';
import { type IdempotentSubmission } from './idempotent-submission';
import { type InFlightRepository } from './in-flight.repository';
import { SubmissionWithdrawn } from './submission-problems';
import { SUBMISSION_ROOT_KEY, SubmitTaskUseCase } from './submit-task.usecase';
import {
  PublishNotSentError,
  PublishOutcomeUnknownError,
  type TaskEventPublisher,
} from './task-event-publisher';

function setup(publish: (topic: unknown, value: unknown, options?: unknown) => Promise<void>) {
  const stored = new Map<string, TaskState>();
  const tasks = {
    insertAccepted: (state: TaskState) => {
      stored.set(state.taskId, state);
      return Promise.resolve();
    },
    deleteUnconfirmed: (_tenant: unknown, taskId: string) => Promise.resolve(stored.delete(taskId)),
  } as unknown as TaskRepository;
  const profiles = {
    exists: (_t: unknown, userId: string) => Promise.resolve(userId === 'u-alice'),
  } as unknown as UserProfileRepository;
  const publisher: TaskEventPublisher = { publish };
  const inFlight = {} as InFlightRepository;
  const idempotency = {} as IdempotentSubmission;
  const acceptedHere = new AcceptedHere();
  return {
    stored,
    acceptedHere,
    useCase: new SubmitTaskUseCase(
      profiles,
      tasks,
      publisher,
      inFlight,
      idempotency,
      {
        maxInFlightTasks: 0,
        deadlines: { defaultMs: 600_000, minMs: 5_000, maxMs: 3_600_000 },
      },
      acceptedHere,
    ),
  };
}

const body = { userId: 'u-alice', request: 'a sci-fi novel', maxResults: 5, priority: 'normal' as const };

describe('submitting a task', () => {
  it('stores the task before publishing it, and answers with its links', async () => {
    let storedWhenPublished = 0;
    const { stored, useCase } = setup(() => {
      storedWhenPublished = stored.size;
      return Promise.resolve();
    });
    const accepted = await useCase.execute({ tenant: DEFAULT_TENANT, body });
    expect(storedWhenPublished).toBe(1);
    expect(stored.get(accepted.taskId)).toMatchObject({
      status: 'accepted',
      version: 0,
      tenantId: 'default',
      userId: 'u-alice',
    });
    expect(accepted.links.events).toBe(`/v1/tasks/${accepted.taskId}/events`);
  });

  it('remembers, before publishing, that it accepted the task, with its callback URL and no in-flight ticket', async () => {
    let rememberedWhenPublished: unknown;
    const { acceptedHere, stored, useCase } = setup((_topic, value) => {
      rememberedWhenPublished = acceptedHere.of('default', (value as TaskRequested).taskId);
      return Promise.resolve();
    });
    const accepted = await useCase.execute({
      tenant: DEFAULT_TENANT,
      body: { ...body, callbackUrl: 'https://hooks.example/in' },
    });
    expect(rememberedWhenPublished).toMatchObject({
      tenantId: 'default',
      callbackUrl: 'https://hooks.example/in',
      ticket: false,
    });
    expect(acceptedHere.of('default', accepted.taskId)).toEqual(rememberedWhenPublished);
    expect(acceptedHere.of('default', accepted.taskId)?.acceptedAt).toEqual(
      stored.get(accepted.taskId)?.createdAt,
    );
  });

  it('withdraws the task and answers 503 unavailable with Retry-After when the event was certainly not sent', async () => {
    let published = '';
    const { stored, acceptedHere, useCase } = setup((_topic, value) => {
      published = (value as TaskRequested).taskId;
      return Promise.reject(new PublishNotSentError('registry down'));
    });
    const failure = await useCase.execute({ tenant: DEFAULT_TENANT, body }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SubmissionWithdrawn);
    expect(acceptedHere.of('default', published)).toBeUndefined();
    expect((failure as ApiProblem).status).toBe(503);
    expect((failure as ApiProblem).type).toBe(PROBLEM_TYPES.unavailable);
    expect((failure as ApiProblem).headers['retry-after']).toBe('5');
    expect(stored.size).toBe(0);
    expect((failure as ApiProblem).message).toMatch(/nothing was submitted/);
  });

  it('keeps the task and answers 503 outcome-unknown with its id when Kafka did not confirm the event', async () => {
    const { stored, useCase } = setup(() => Promise.reject(new PublishOutcomeUnknownError('no ack in time')));
    const failure = await useCase.execute({ tenant: DEFAULT_TENANT, body }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiProblem);
    const problem = failure as ApiProblem;
    expect([problem.status, problem.type]).toEqual([503, PROBLEM_TYPES.outcomeUnknown]);
    expect(problem.headers['retry-after']).toBe('5');
    expect(stored.has(problem.taskId!)).toBe(true);
    expect(problem.toDocument('/v1/tasks')).toMatchObject({ taskId: problem.taskId });
  });

  it('publishes task.requested with the request priority in the emit options', async () => {
    const seen: unknown[] = [];
    const { useCase } = setup((_topic, _value, options) => {
      seen.push(options);
      return Promise.resolve();
    });
    await useCase.execute({ tenant: DEFAULT_TENANT, body: { ...body, priority: 'high' } });
    expect(seen).toEqual([{ priority: 'high', rootKey: SUBMISSION_ROOT_KEY }]);
  });

  it("gives the task a deadline: the configured default, or the request's own in seconds", async () => {
    const published: TaskRequested[] = [];
    const { useCase } = setup((_topic, value) => {
      published.push(value as TaskRequested);
      return Promise.resolve();
    });
    await useCase.execute({ tenant: DEFAULT_TENANT, body });
    await useCase.execute({ tenant: DEFAULT_TENANT, body: { ...body, deadline: 90 } });
    const [byDefault, own] = published;
    expect((byDefault?.request.deadlineAt ?? 0) - (byDefault?.requestedAt ?? 0)).toBe(600_000);
    expect((own?.request.deadlineAt ?? 0) - (own?.requestedAt ?? 0)).toBe(90_000);
  });

  it('refuses a deadline outside the configured range with 400 naming the field, before storing anything', async () => {
    const { stored, useCase } = setup(() => Promise.resolve());
    for (const deadline of [4, 3_601]) {
      const failure = await useCase
        .execute({ tenant: DEFAULT_TENANT, body: { ...body, deadline } })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApiProblem);
      expect((failure as ApiProblem).status).toBe(400);
      expect((failure as ApiProblem).errors).toEqual([
        { path: 'deadline', message: 'must be between 5 and 3600 seconds' },
      ]);
    }
    expect(stored.size).toBe(0);
  });

  it('refuses an unknown user with 422 before storing anything', async () => {
    const { stored, useCase } = setup(() => Promise.resolve());
    const failure = await useCase
      .execute({ tenant: DEFAULT_TENANT, body: { ...body, userId: 'u-nobody' } })
      .catch((error: unknown) => error);
    expect((failure as ApiProblem).status).toBe(422);
    expect(stored.size).toBe(0);
  });
});

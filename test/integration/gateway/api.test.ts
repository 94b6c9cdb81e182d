import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, getTask, postJson, startGateway, waitForTask } from './harness';

let gateway: Gateway;
let userId: string;

beforeAll(async () => {
  gateway = await startGateway();
  userId = await gateway.newUser();
});

afterAll(async () => {
  await gateway?.close();
});

async function expectProblem(
  response: Response,
  status: number,
  type?: string,
): Promise<{
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { path: string; message: string }[];
}> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as {
    type: string;
    title: string;
    status: number;
    detail: string;
    instance: string;
  };
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body.instance).toMatch(/^\//);
  if (type) expect(body.type).toBe(type);
  return body;
}

describe('gateway API', () => {
  it('accepts a task with 202 and a Location, and a GET right after finds it; the projection then records task.requested', async () => {
    const response = await postJson(gateway, '/v1/tasks', {
      userId,
      request: 'a sci-fi novel for the weekend',
      maxResults: 3,
      constraints: { maxPrice: 40 },
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as {
      taskId: string;
      status: string;
      links: { self: string; events: string; cancel: string };
    };
    expect(body.status).toBe('accepted');
    expect(body.taskId).toMatch(/^tsk_[0-9A-Z]{26}$/);
    expect(response.headers.get('location')).toBe(`/v1/tasks/${body.taskId}`);
    expect(body.links).toEqual({
      self: `/v1/tasks/${body.taskId}`,
      events: `/v1/tasks/${body.taskId}/events`,
      cancel: `/v1/tasks/${body.taskId}/cancel`,
    });

    const task = await getTask(gateway, body.taskId);
    expect(task.status).toBe('accepted');
    expect(task).toMatchObject({
      userId,
      request: {
        request: 'a sci-fi novel for the weekend',
        maxResults: 3,
        priority: 'normal',
        constraints: { maxPrice: 40, minPrice: null },
      },
    });

    const projected = await waitForTask(
      gateway,
      body.taskId,
      (t) => t.version >= 1,
      'the projection to apply task.requested',
    );
    expect(projected.timeline[0]).toMatchObject({ seq: 1, type: 'task.requested', status: 'accepted' });
  });

  describe('bad input gets a 4xx problem, never a 5xx', () => {
    it('invalid JSON → 400 naming the parse problem', async () => {
      const response = await gateway.fetch('/v1/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"userId": "x",',
      });
      const problem = await expectProblem(response, 400, 'urn:tributary:problem:invalid-json');
      expect(problem.detail).toMatch(/not valid JSON: .+/);
    });

    it('missing and wrong fields → 400 listing each field', async () => {
      const problem = await expectProblem(
        await postJson(gateway, '/v1/tasks', { maxResults: 50 }),
        400,
        'urn:tributary:problem:validation',
      );
      expect(problem.errors?.map((e) => e.path).sort()).toEqual(['maxResults', 'request', 'userId']);
    });

    it('an empty body → 400', async () => {
      const response = await gateway.fetch('/v1/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      const problem = await expectProblem(response, 400);
      expect(problem.errors).toEqual([{ path: 'body', message: 'a JSON object is required' }]);
    });

    it('a callbackUrl with a user name or password → 400, and the credentials are not echoed', async () => {
      for (const callbackUrl of ['https://hook:s3cr3t@example.com/cb', 'https://token@example.com/cb']) {
        const response = await postJson(gateway, '/v1/tasks', { userId, request: 'a book', callbackUrl });
        const text = await response.clone().text();
        const problem = await expectProblem(response, 400, 'urn:tributary:problem:validation');
        expect(problem.errors?.map((e) => e.path)).toEqual(['callbackUrl']);
        expect(text).not.toMatch(/s3cr3t|token@/);
      }
    });

    it('an unknown user → 422', async () => {
      const problem = await expectProblem(
        await postJson(gateway, '/v1/tasks', { userId: 'u-nobody-here', request: 'anything at all' }),
        422,
        'urn:tributary:problem:unknown-user',
      );
      expect(problem.errors).toEqual([{ path: 'userId', message: 'no user profile "u-nobody-here"' }]);
    });

    it('an oversize body → 413', async () => {
      const response = await postJson(gateway, '/v1/tasks', { userId, request: 'x'.repeat(70 * 1024) });
      await expectProblem(response, 413, 'urn:tributary:problem:payload-too-large');
    });

    it('a wrong content type → 415', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        const response = await gateway.fetch('/v1/tasks', {
          method: 'POST',
          headers: { 'content-type': type },
          body: `userId=${userId}`,
        });
        await expectProblem(response, 415, 'urn:tributary:problem:unsupported-media-type');
      }
    });

    it('a bad task id → 400, an unknown one → 404', async () => {
      for (const path of [
        '/v1/tasks/nope',
        '/v1/tasks/tsk_123/events',
        '/v1/tasks/TSK_01JD0Q7ZK3M4N5P6Q7R8S9T0VW',
      ]) {
        const problem = await expectProblem(
          await gateway.fetch(path),
          400,
          'urn:tributary:problem:validation',
        );
        expect(problem.errors?.[0]?.path).toBe('params.id');
      }
      const cancel = await gateway.fetch('/v1/tasks/bad-id/cancel', { method: 'POST' });
      await expectProblem(cancel, 400);
      await expectProblem(
        await gateway.fetch('/v1/tasks/tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VW'),
        404,
        'urn:tributary:problem:not-found',
      );
      await expectProblem(await gateway.fetch('/v1/tasks/tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VW/events'), 404);
    });

    it('bad query parameters and unknown routes → 4xx problems', async () => {
      const limit = await expectProblem(await gateway.fetch('/v1/tasks?limit=0'), 400);
      expect(limit.errors?.[0]?.path).toBe('query.limit');
      const cursor = await expectProblem(await gateway.fetch('/v1/tasks?cursor=garbage'), 400);
      expect(cursor.errors?.[0]?.path).toBe('query.cursor');
      await expectProblem(await gateway.fetch('/v1/nothing-here'), 404);
      await expectProblem(await gateway.fetch('/v1/users/u-nobody-here/recommendations'), 404);
    });
  });

  it('lists tasks newest first with an opaque cursor, filtered by user and status', async () => {
    const lister = await gateway.newUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await postJson(gateway, '/v1/tasks', {
        userId: lister,
        request: `request number ${i}`,
      });
      ids.push(((await response.json()) as { taskId: string }).taskId);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/tasks?userId=${lister}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await gateway.fetch(query)).json()) as {
        items: { taskId: string; userId: string }[];
        nextCursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.taskId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());

    const none = (await (await gateway.fetch(`/v1/tasks?userId=${lister}&status=completed`)).json()) as {
      items: unknown[];
      nextCursor: null;
    };
    expect(none).toEqual({ items: [], nextCursor: null });
  });

  it('serves the OpenAPI document generated from the code, and Swagger UI', async () => {
    const document = (await (await gateway.fetch('/docs/json')).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>
      >;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths).sort()).toEqual(
      expect.arrayContaining([
        '/v1/tasks',
        '/v1/tasks/{id}',
        '/v1/tasks/{id}/events',
        '/v1/tasks/{id}/cancel',
        '/v1/users/{userId}/recommendations',
        '/health/live',
        '/health/ready',
      ]),
    );
    expect(document.paths['/v1/tasks']?.post?.requestBody?.content['application/json']?.schema.$ref).toBe(
      '#/components/schemas/SubmitTask',
    );
    expect(document.components.schemas.SubmitTask?.required?.sort()).toEqual(['request', 'userId']);
    expect(document.components.schemas.Problem).toBeDefined();

    const ui = await gateway.fetch('/docs');
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect(await ui.text()).toContain('/docs/json');
    const bundle = await gateway.fetch('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect((await gateway.fetch('/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });

  it('reports liveness and readiness of Kafka, the registry and MongoDB', async () => {
    expect((await gateway.fetch('/health/live')).status).toBe(200);
    const ready = await gateway.fetch('/health/ready');
    const body = (await ready.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(body.checks.map((c) => c.name).sort()).toEqual(['kafka', 'mongodb', 'schema-registry']);
  });
});

import { type FastifyReply } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { HealthController, type ReadinessCheck } from './health';

function reply(): FastifyReply & { statusCode: number } {
  const fake = { statusCode: 0, status: vi.fn() };
  fake.status.mockImplementation((code: number) => {
    fake.statusCode = code;
    return fake;
  });
  return fake as unknown as FastifyReply & { statusCode: number };
}

describe('HealthController', () => {
  it('answers readiness without a failed dependency’s error text (it goes to the log)', async () => {
    const secret = 'connect ECONNREFUSED 10.1.2.3:27017 as user admin:hunter2';
    const checks: ReadinessCheck[] = [
      { name: 'kafka', check: () => Promise.resolve() },
      { name: 'mongodb', check: () => Promise.reject(new Error(secret)) },
    ];
    const answer = reply();

    const body = await new HealthController(checks).ready(answer);

    expect(answer.statusCode).toBe(503);
    expect(body.status).toBe('unavailable');
    expect(body.checks).toEqual([
      { name: 'kafka', ok: true, ms: expect.any(Number) as number },
      { name: 'mongodb', ok: false, error: 'unavailable', ms: expect.any(Number) as number },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|hunter2/);
  });

  it('answers 200 when every dependency answers', async () => {
    const answer = reply();
    const body = await new HealthController([{ name: 'kafka', check: () => Promise.resolve() }]).ready(
      answer,
    );
    expect(answer.statusCode).toBe(200);
    expect(body.status).toBe('ok');
  });
});

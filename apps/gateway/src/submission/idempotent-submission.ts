import { Inject, Injectable } from '@nestjs/common';
import { isStoreConnectivityError, stableHash } from '@tributary/platform';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { taskLinks } from '../http/links';
import { ApiProblem } from '../http/problem';
import { type TenantId } from '../task/tenant';
import { IdempotencyRepository } from './idempotency.repository';
import { idempotencyInProgress, idempotencyMismatch, SubmissionWithdrawn } from './submission-problems';
import { type TaskAccepted } from './submission.schemas';

/** The fingerprint of a validated request body (defaults applied, so `maxResults: 5` equals leaving it out). */
export function requestFingerprint(body: unknown): string {
  return stableHash(body);
}

const POLL_MS = 50;

/**
 * One attempt at the submission. `resumed`: an earlier request with the key got this task id and may
 * have got further. `releaseKey` frees the key (for a submission that takes itself back entirely).
 */
export type Submit = (
  taskId: string,
  resumed: boolean,
  releaseKey: () => Promise<void>,
) => Promise<TaskAccepted>;

/**
 * `Idempotency-Key` on submit. The first request claims `<tenantId>:<key>` by insert together with
 * the task id it will create; any number of concurrent or later requests with the key find the
 * claim and answer with that task, never creating another:
 *
 * - same body, first request done: the same 202 (same task id);
 * - same body, first request still running: wait for it (up to the publish time limit) and answer
 *   as it did; if it failed (and released the key) take over; if it is still running, 409 with
 *   `Retry-After`;
 * - same body, first request answered 503 `outcome-unknown` (Kafka did not confirm in time) or
 *   503 after the store stopped answering mid-way, or its gateway died mid-way (a claim older than
 *   twice the publish limit): resume it with the claimed task id (its event is published again
 *   under the same event id, so consumers drop a second copy);
 * - a different body: 409.
 *
 * A request refused before anything was created (unknown user, in-flight cap), or withdrawn because
 * its event was certainly not published, releases the key, so the client can retry with the same key.
 */
@Injectable()
export class IdempotentSubmission {
  private readonly waitMs: number;
  private readonly staleMs: number;

  constructor(
    @Inject(IdempotencyRepository) private readonly claims: IdempotencyRepository,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.waitMs = options.publishTimeoutMs + 2_000;
    this.staleMs = options.publishTimeoutMs * 2 + 10_000;
  }

  async run(
    tenant: TenantId,
    key: string,
    body: unknown,
    taskId: string,
    submit: Submit,
  ): Promise<TaskAccepted> {
    const fingerprint = requestFingerprint(body);
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const { won, claim } = await this.claims.claim(tenant, key, fingerprint, taskId);
      if (claim.fingerprint !== fingerprint) throw idempotencyMismatch(key);
      if (won) return this.owned(tenant, key, claim.taskId, false, submit);
      if (claim.state === 'done') return accepted(claim.taskId);
      if (claim.state === 'unconfirmed' || Date.now() - new Date(claim.claimedAt).getTime() > this.staleMs) {
        return this.owned(tenant, key, claim.taskId, true, submit);
      }
      if (Date.now() >= deadline) throw idempotencyInProgress(key, 1);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private async owned(
    tenant: TenantId,
    key: string,
    taskId: string,
    resumed: boolean,
    submit: Submit,
  ): Promise<TaskAccepted> {
    let result: TaskAccepted;
    try {
      result = await submit(taskId, resumed, () => this.claims.release(tenant, key));
    } catch (error) {
      const settled = this.afterFailure(tenant, key, error);
      // A store that stopped answering would hold the answer as long again: settle in the background.
      if (!isStoreConnectivityError(error)) await settled;
      throw error;
    }
    // The task is accepted whatever becomes of this write: a later retry resumes the claim and finds it.
    await this.claims.complete(tenant, key).catch(() => undefined);
    return result;
  }

  /**
   * A request refused before anything was created (a 4xx: unknown user, in-flight cap) frees its
   * key, so a retry is a new request (a withdrawn one has freed it already). After anything else (an
   * unknown publish outcome, a store that stopped answering mid-way, a bug) part of the task may exist
   * or its event may still land: the key keeps its task id, so a retry resumes that task instead of
   * creating another.
   */
  private async afterFailure(tenant: TenantId, key: string, error: unknown): Promise<void> {
    // Withdrawn: the submission freed the key itself (another request may have claimed it since).
    if (error instanceof SubmissionWithdrawn) return;
    const refused = error instanceof ApiProblem && error.status < 500;
    await (refused ? this.claims.release(tenant, key) : this.claims.markUnconfirmed(tenant, key)).catch(
      () => undefined,
    );
  }
}

function accepted(taskId: string): TaskAccepted {
  return { taskId, status: 'accepted', links: taskLinks(taskId) };
}

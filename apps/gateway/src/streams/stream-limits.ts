import { Inject, Injectable } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { type Principal } from '../auth/principal';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { ApiProblem, PROBLEM_TYPES } from '../http/problem';

/** How long a refused client waits before opening a stream again: streams end as tasks do. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Open event streams per credential and per tenant on this gateway: a stream holds a socket, timers
 * and a place in the live tail's fan-out for as long as it is open, so one key (or one tenant)
 * cannot open them without bound. A local gateway with authentication disabled is not limited.
 */
@Injectable()
export class StreamLimits {
  private readonly perCredential = new Map<string, number>();
  private readonly perTenant = new Map<string, number>();

  constructor(@Inject(TRIBUTARY_CONFIG) private readonly config: TributaryConfig) {}

  /** Counts a stream against the principal's limits and returns its release; a 429 problem when over. */
  admit(principal: Principal): () => void {
    if (principal.via === 'disabled') return () => undefined;
    const { maxPerCredential, maxPerTenant } = this.config.gateway.streams;
    const byCredential = this.perCredential.get(principal.id) ?? 0;
    const byTenant = this.perTenant.get(principal.tenant) ?? 0;
    if (byCredential >= maxPerCredential) {
      throw tooManyStreams(`This credential already has ${byCredential} event streams open, its limit.`);
    }
    if (byTenant >= maxPerTenant) {
      throw tooManyStreams(`This tenant already has ${byTenant} event streams open, its limit.`);
    }
    this.perCredential.set(principal.id, byCredential + 1);
    this.perTenant.set(principal.tenant, byTenant + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.perCredential, principal.id);
      decrement(this.perTenant, principal.tenant);
    };
  }

  /** Streams open now for a credential (`Principal.id`). */
  openFor(credential: string): number {
    return this.perCredential.get(credential) ?? 0;
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}

function tooManyStreams(detail: string): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.tooManyStreams,
    status: 429,
    title: 'Too many event streams',
    detail: `${detail} Close one, or retry after ${RETRY_AFTER_SECONDS} s.`,
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
  });
}

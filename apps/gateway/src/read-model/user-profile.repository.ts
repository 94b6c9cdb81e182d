import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { storedId } from '@tributary/catalogue';
import { type TenantId } from '../task/tenant';
import { USER_PROFILE_COLLECTION } from './collections';

/** How long a profile seen to exist is trusted without asking the store again. */
const PROFILE_CACHE_MS = 60_000;
const PROFILE_CACHE_SIZE = 10_000;

/**
 * The `user_profiles` collection, written by the data loader (one document per profile in
 * data/profiles.jsonl, plus its `tenantId`, keyed `<tenantId>:<userId>` by the catalogue's
 * `storedId`). The gateway only asks whether a user exists, with one read by `_id`: the only filter
 * the local store (FerretDB) answers from its primary key instead of scanning the collection.
 */
@Injectable()
export class UserProfileRepository {
  /**
   * Profiles seen to exist, with when that was seen: every submission checks its user, and profiles
   * are added far more often than removed, so a hit is trusted for PROFILE_CACHE_MS (a profile removed
   * meanwhile is still accepted for that long; the research agent then fails the task). Misses are
   * never cached, so a newly loaded profile is usable at once.
   */
  private readonly seen = new Map<string, number>();

  constructor(@Inject(USER_PROFILE_COLLECTION) private readonly profiles: Collection) {}

  async exists(tenant: TenantId, userId: string): Promise<boolean> {
    const id = storedId(tenant, userId);
    const seenAt = this.seen.get(id);
    if (seenAt !== undefined && performance.now() - seenAt < PROFILE_CACHE_MS) return true;
    const found = await this.profiles.findOne({ _id: id } as Record<string, unknown>, {
      projection: { _id: 1 },
    });
    if (found === null) {
      this.seen.delete(id);
      return false;
    }
    this.seen.delete(id); // re-inserted at the end: the map's order is oldest first
    this.seen.set(id, performance.now());
    if (this.seen.size > PROFILE_CACHE_SIZE) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }
}

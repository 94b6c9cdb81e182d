import { Inject, Injectable } from '@nestjs/common';
import { storedId } from '@tributary/catalogue';
import { type Collection } from 'mongoose';
import { type TenantId } from '../common/tenant';
import { USER_PROFILE_COLLECTION } from './tokens';

/**
 * The `user_profiles` collection, written by the data loader (one document per profile in
 * data/profiles.jsonl, plus its `tenantId`, keyed `<tenantId>:<userId>` by the catalogue's
 * `storedId`). The gateway only asks whether a user exists, with one read by `_id`: the only filter
 * the local store (FerretDB) answers from its primary key instead of scanning the collection.
 */
@Injectable()
export class UserProfileRepository {
  constructor(@Inject(USER_PROFILE_COLLECTION) private readonly profiles: Collection) {}

  async exists(tenant: TenantId, userId: string): Promise<boolean> {
    const found = await this.profiles.findOne({ _id: storedId(tenant, userId) } as Record<string, unknown>, {
      projection: { _id: 1 },
    });
    return found !== null;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { type TenantId } from '../common/tenant';
import { USER_PROFILE_COLLECTION } from './tokens';

/**
 * The `user_profiles` collection, written by the data loader (one document per profile in
 * data/profiles.jsonl, plus its `tenantId`). The gateway only asks whether a user exists.
 */
@Injectable()
export class UserProfileRepository {
  constructor(@Inject(USER_PROFILE_COLLECTION) private readonly profiles: Collection) {}

  async exists(tenant: TenantId, userId: string): Promise<boolean> {
    const found = await this.profiles.findOne({ tenantId: tenant, userId }, { projection: { _id: 1 } });
    return found !== null;
  }
}

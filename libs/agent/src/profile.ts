import { type ProfileStore, storedId, type UserProfile } from '@tributary/catalogue';
import { type ProfileView } from '@tributary/llm';
import { RecentCache } from '@tributary/platform';

const DEFAULT_CURRENCY = 'EUR';

/** What the LLM port sees of a stored profile. */
export function profileView(profile: UserProfile): ProfileView {
  return {
    userId: profile.userId,
    displayName: profile.displayName,
    interests: profile.interests,
    preferredCategories: profile.preferredCategories,
    dislikedTags: profile.dislikedTags,
    budgetMax: profile.budget?.max ?? null,
    currency: profile.budget?.currency ?? DEFAULT_CURRENCY,
  };
}

export interface ProfileCacheOptions {
  /** How long a profile read from the store is used before it is read again. */
  readonly ttlMs: number;
  /** Profiles held at most (a few hundred bytes each); the least recently used go first. */
  readonly capacity: number;
  readonly now?: () => number;
}

/**
 * Profiles change only when the data loader runs (`npm run data:load`, a batch job outside the
 * services, which publishes nothing), and the local store has no change streams: there is no signal
 * to invalidate on, so a profile is trusted for a short while instead. Half a minute bounds how long
 * a reloaded profile goes unseen, while every step of a busy user's tasks is served from memory.
 */
export const PROFILE_CACHE: ProfileCacheOptions = { ttlMs: 30_000, capacity: 10_000 };

/**
 * The user profiles the agents' steps read, held in memory for {@link PROFILE_CACHE}'s time to live.
 * Concurrent reads of one profile share one store read. A missing profile is never held: it fails
 * the task, and a profile loaded a moment later must be found at once.
 */
export class ProfileCache {
  private readonly held: RecentCache<UserProfile>;
  private readonly reading = new Map<string, Promise<UserProfile | null>>();

  constructor(
    private readonly store: Pick<ProfileStore, 'get'>,
    { ttlMs, capacity, now }: ProfileCacheOptions = PROFILE_CACHE,
  ) {
    this.held = new RecentCache({ capacity, ttlMs, now });
  }

  get(tenantId: string, userId: string): Promise<UserProfile | null> {
    const id = storedId(tenantId, userId);
    const held = this.held.get(id);
    if (held !== undefined) return Promise.resolve(held);
    const pending = this.reading.get(id);
    if (pending !== undefined) return pending;
    const read = this.store
      .get(tenantId, userId)
      .then((profile) => {
        if (profile !== null) this.held.set(id, profile);
        return profile;
      })
      .finally(() => this.reading.delete(id));
    this.reading.set(id, read);
    return read;
  }
}

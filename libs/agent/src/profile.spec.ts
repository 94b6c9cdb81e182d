import { type UserProfile } from '@tributary/catalogue';
import { makeProfile } from '@tributary/testing/catalogue/fixtures';
import { describe, expect, it } from 'vitest';
import { ProfileCache } from './profile';

/** A profile store in memory that counts its reads. */
function store(...profiles: UserProfile[]) {
  const byId = new Map(profiles.map((profile) => [`acme:${profile.userId}`, profile]));
  const reads: string[] = [];
  return {
    reads,
    byId,
    get: (tenantId: string, userId: string) => {
      reads.push(`${tenantId}:${userId}`);
      return Promise.resolve(structuredClone(byId.get(`${tenantId}:${userId}`) ?? null));
    },
  };
}

describe('ProfileCache', () => {
  it('serves a profile from memory within its time to live, per tenant', async () => {
    const profiles = store(makeProfile({ userId: 'u-ada' }));
    const cache = new ProfileCache(profiles);

    const first = await cache.get('acme', 'u-ada');
    const second = await cache.get('acme', 'u-ada');
    await cache.get('globex', 'u-ada');

    expect(second).toEqual(first);
    expect(profiles.reads).toEqual(['acme:u-ada', 'globex:u-ada']);
  });

  it('reads the profile again once its time to live is over, and sees a reloaded profile then', async () => {
    let now = 0;
    const profiles = store(makeProfile({ userId: 'u-ada', displayName: 'Ada' }));
    const cache = new ProfileCache(profiles, { ttlMs: 30_000, capacity: 10, now: () => now });
    await cache.get('acme', 'u-ada');
    profiles.byId.set('acme:u-ada', makeProfile({ userId: 'u-ada', displayName: 'Ada L.' }));

    now = 29_999;
    expect((await cache.get('acme', 'u-ada'))?.displayName).toBe('Ada');
    now = 30_000;
    expect((await cache.get('acme', 'u-ada'))?.displayName).toBe('Ada L.');
    expect(profiles.reads).toHaveLength(2);
  });

  it('does not hold a missing profile: one loaded a moment later is found at once', async () => {
    const profiles = store();
    const cache = new ProfileCache(profiles);
    expect(await cache.get('acme', 'u-new')).toBeNull();

    profiles.byId.set('acme:u-new', makeProfile({ userId: 'u-new' }));

    expect((await cache.get('acme', 'u-new'))?.userId).toBe('u-new');
  });

  it('shares one store read between concurrent reads of a profile', async () => {
    const profiles = store(makeProfile({ userId: 'u-ada' }));
    const cache = new ProfileCache(profiles);

    const [a, b] = await Promise.all([cache.get('acme', 'u-ada'), cache.get('acme', 'u-ada')]);

    expect(a).toBe(b);
    expect(profiles.reads).toEqual(['acme:u-ada']);
  });

  it('holds no more profiles than its capacity, forgetting the least recently used', async () => {
    const profiles = store(...['u-1', 'u-2', 'u-3'].map((userId) => makeProfile({ userId })));
    const cache = new ProfileCache(profiles, { ttlMs: 30_000, capacity: 2 });
    await cache.get('acme', 'u-1');
    await cache.get('acme', 'u-2');
    await cache.get('acme', 'u-1');
    await cache.get('acme', 'u-3');

    await cache.get('acme', 'u-1');
    await cache.get('acme', 'u-2');

    expect(profiles.reads).toEqual(['acme:u-1', 'acme:u-2', 'acme:u-3', 'acme:u-2']);
  });
});

import { type UserProfile } from '@tributary/catalogue';
import { type ProfileView } from '@tributary/llm';

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

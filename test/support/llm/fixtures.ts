import { type LlmConfig } from '@tributary/config';
import { type Plan, type TaskRequest } from '@tributary/contracts';
import { type Candidate, type ProfileView } from '@tributary/llm';

/** Shared test data: one reader who likes mysteries and jazz, and a small mixed candidate list. */
export function taskRequest(
  overrides: Partial<TaskRequest> = {},
  constraints: Partial<TaskRequest['constraints']> = {},
): TaskRequest {
  return {
    userId: 'u-ada',
    query: 'Cosy mystery novels and some jazz vinyl for rainy weekends',
    maxResults: 4,
    priority: 'normal',
    deadlineAt: null,
    ...overrides,
    constraints: {
      categories: [],
      minPrice: null,
      maxPrice: null,
      excludeItemIds: [],
      excludeTags: [],
      ...constraints,
    },
  };
}

export function profile(overrides: Partial<ProfileView> = {}): ProfileView {
  return {
    userId: 'u-ada',
    displayName: 'Ada',
    interests: { mystery: 0.9, jazz: 0.7, hiking: 0.2 },
    preferredCategories: ['books', 'music'],
    dislikedTags: ['horror'],
    budgetMax: 60,
    currency: 'EUR',
    ...overrides,
  };
}

function candidate(
  itemId: string,
  category: string,
  relevance: number,
  affinity: number,
  extra: Partial<Candidate> = {},
): Candidate {
  return {
    itemId,
    title: `Title ${itemId}`,
    category,
    tags: [],
    description: `Description of ${itemId}.`,
    price: 20,
    currency: 'EUR',
    rating: 4.2,
    relevance,
    affinity,
    matchedTerms: [],
    hint: `Retrieved for ${category}`,
    ...extra,
  };
}

export function candidates(): Candidate[] {
  return [
    candidate('bk-1', 'books', 0.95, 0.9, {
      title: 'The Quiet Village Mystery',
      tags: ['mystery', 'cosy'],
      matchedTerms: ['mystery', 'cosy'],
      hint: 'A cosy village whodunnit',
    }),
    candidate('bk-2', 'books', 0.9, 0.85, {
      title: 'Rain on Baker Street',
      tags: ['mystery', 'classic'],
      matchedTerms: ['mystery'],
      hint: 'Classic detective stories for a rainy day',
    }),
    candidate('bk-3', 'books', 0.85, 0.8, {
      title: 'Murder at the Tea Shop',
      tags: ['mystery', 'cosy'],
      matchedTerms: ['mystery', 'cosy'],
      price: 14,
    }),
    candidate('bk-4', 'books', 0.8, 0.8, {
      title: 'The Haunting of Hill Road',
      tags: ['mystery', 'horror'],
      matchedTerms: ['mystery'],
    }),
    candidate('mu-1', 'music', 0.7, 0.7, {
      title: 'Blue Rain (vinyl)',
      tags: ['jazz', 'vinyl'],
      matchedTerms: ['jazz', 'vinyl'],
      price: 32,
      hint: 'Late-night jazz on vinyl',
    }),
    candidate('mu-2', 'music', 0.6, 0.65, {
      title: 'Saxophone Sundays (vinyl)',
      tags: ['jazz'],
      matchedTerms: ['jazz'],
      price: 75,
    }),
    candidate('fi-1', 'films', 0.5, 0.4, {
      title: 'The Long Weekend',
      tags: ['mystery', 'film-noir'],
      matchedTerms: ['weekend'],
      price: 12,
    }),
    candidate('ki-1', 'kitchen', 0.3, 0.2, {
      title: 'Rainy Day Tea Set',
      tags: ['tea'],
      matchedTerms: [],
      price: 28,
      hint: '',
    }),
  ];
}

export function plan(): Plan {
  return {
    summary: 'Search mysteries and jazz.',
    steps: [
      {
        id: 'step-1',
        query: 'cosy mystery novels',
        categories: ['books'],
        rationale: 'The request asks for mysteries.',
        intent: null,
      },
      { id: 'step-2', query: 'jazz vinyl', categories: ['music'], rationale: 'And for jazz.', intent: null },
    ],
    provider: 'test',
    intents: [],
  };
}

export function llmConfig(baseUrl: string | undefined, overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    baseUrl,
    apiKey: 'test-key',
    model: 'test-model',
    timeoutMs: 5_000,
    maxRetries: 2,
    ...overrides,
  };
}

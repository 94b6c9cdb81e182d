/**
 * The API keys, `_id` = key id (the public part of the key): authenticating a request is one read by
 * `_id`, the only filter the local store (FerretDB 1.x) answers without decoding the whole collection.
 */
export const AUTH_COLLECTION_NAMES = {
  apiKeys: 'api_keys',
} as const;

export const API_KEY_COLLECTION = Symbol('API_KEY_COLLECTION');

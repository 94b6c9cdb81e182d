import { API_SCOPES, type ApiScope, JWT_SCOPE_NAMESPACE } from '@tributary/config';

/**
 * What an API key or token may do. `admin` implies every other scope. `priority` lets a submission
 * ask for `priority: high` (overtaking every tenant's normal work is a privilege, not a default).
 * JWTs carry them namespaced (`tributary:submit`), see `jwtScopes`.
 */
export const SCOPES = API_SCOPES;
export type Scope = ApiScope;

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
}

/** Parses `submit,read` (a CLI flag) or `submit read`; unknown names are refused. */
export function parseScopes(text: string): Scope[] {
  const names = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isScope(n));
  if (unknown.length > 0)
    throw new Error(`unknown scope(s): ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`);
  return [...new Set(names as Scope[])];
}

/**
 * The gateway scopes a token's scope names grant: `tributary:<scope>`, and whatever the configured map
 * says of the provider's own names. Anything else, a plain `admin` included (it may be another
 * application's), grants nothing.
 */
export function jwtScopes(names: readonly string[], map: ReadonlyMap<string, readonly Scope[]>): Scope[] {
  const granted = new Set<Scope>();
  for (const name of names) {
    if (name.startsWith(JWT_SCOPE_NAMESPACE)) {
      const scope = name.slice(JWT_SCOPE_NAMESPACE.length);
      if (isScope(scope)) granted.add(scope);
    }
    for (const scope of map.get(name) ?? []) granted.add(scope);
  }
  return [...granted];
}

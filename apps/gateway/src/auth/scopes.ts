/**
 * What an API key or token may do. `admin` implies every other scope. `priority` lets a submission
 * ask for `priority: high` (overtaking every tenant's normal work is a privilege, not a default).
 */
export const SCOPES = ['submit', 'read', 'cancel', 'priority', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
}

/** Parses `submit,read` (a CLI flag) or `submit read` (an OAuth scope claim); unknown names are refused. */
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

/**
 * A test double for a class, typed by the members the code under test calls: each member given is
 * checked against the class, and the class's private fields (a MongoDB model, a client) are left out.
 */
export function standIn<T>(members: Partial<T>): T {
  return members as T;
}

/** A copy of `target` whose `method` counts its calls; `calls()` says how many so far. */
export function counting<T extends object>(target: T, method: keyof T): { target: T; calls: () => number } {
  let calls = 0;
  const original = target[method] as (...args: unknown[]) => unknown;
  const wrapped = (...args: unknown[]): unknown => {
    calls += 1;
    return original.apply(target, args);
  };
  return { target: { ...target, [method]: wrapped }, calls: () => calls };
}

/**
 * Integration tests run against the real local stack. `npm test` brings it up before vitest
 * starts; this makes `npx vitest --project integration` work on its own too.
 */
export default async function setup(): Promise<void> {
  // @ts-expect-error plain ESM script without type declarations
  const stack = (await import('../../scripts/stack.mjs')) as { up: (options?: { quiet?: boolean }) => Promise<void> };
  await stack.up({ quiet: true });
}

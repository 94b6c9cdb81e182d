#!/usr/bin/env node
// Builds each service into dist/<service>/main.cjs and each operator command into dist/tools/<name>.cjs
// (one bundle each; dependencies stay in node_modules).
import { join } from 'node:path';
import { bundle, ROOT } from './bundle.mjs';

export const APPS = ['gateway', 'planner-agent', 'research-agent', 'reviewer-agent'];

/** Operator commands shipped with the services (they run in the Docker image too). */
export const TOOLS = {
  'load-data': 'libs/catalogue/src/cli/load-data.ts',
  'rebuild-projection': 'apps/gateway/src/cli/rebuild-projection.ts',
  tributary: 'apps/cli/src/main.ts',
};

export async function buildApps() {
  const started = performance.now();
  await Promise.all([
    ...APPS.map((app) => bundle(`apps/${app}/src/main.ts`, join(ROOT, 'dist', app, 'main.cjs'))),
    ...Object.entries(TOOLS).map(([name, entry]) =>
      bundle(entry, join(ROOT, 'dist', 'tools', `${name}.cjs`)),
    ),
  ]);
  return Math.round(performance.now() - started);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ms = await buildApps();
  console.log(`built ${APPS.join(', ')} and ${Object.keys(TOOLS).join(', ')} into dist/ in ${ms} ms`);
}

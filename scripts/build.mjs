#!/usr/bin/env node
// Builds each service into dist/<service>/main.cjs (one bundle per service; dependencies stay in node_modules).
import { join } from 'node:path';
import { bundle, ROOT } from './bundle.mjs';

export const APPS = ['gateway', 'planner-agent', 'research-agent', 'reviewer-agent'];

export async function buildApps() {
  const started = performance.now();
  await Promise.all(APPS.map((app) => bundle(`apps/${app}/src/main.ts`, join(ROOT, 'dist', app, 'main.cjs'))));
  return Math.round(performance.now() - started);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ms = await buildApps();
  console.log(`built ${APPS.join(', ')} into dist/ in ${ms} ms`);
}

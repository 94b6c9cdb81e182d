#!/usr/bin/env node
// Runs a TypeScript command-line entry of the project: `node scripts/run-ts.mjs <entry.ts> [args…]`.
// Node's own flags reach the entry too: `node --cpu-prof scripts/run-ts.mjs bench/run.ts` profiles it.
import { spawn } from 'node:child_process';
import { bundle, scratchBundlePath } from './bundle.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args…]');
  process.exit(2);
}
const file = await bundle(entry, scratchBundlePath(entry));
const child = spawn(process.execPath, [...process.execArgv, '--enable-source-maps', file, ...args], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

#!/usr/bin/env node
// `npm test`: lint, type-check, bring the local stack up (or reuse a running one), then run the
// unit and integration test projects. Every step's failure fails the run.
import { spawnSync } from 'node:child_process';
import { ROOT } from './bundle.mjs';
import { up } from './stack.mjs';

function run(label, command, args) {
  const started = performance.now();
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, shell: false });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`✖ ${label} failed after ${seconds} s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${label} (${seconds} s)`);
}

const npx = (...args) => ['npx', ['--no-install', ...args]];
run('lint', ...npx('eslint', '.'));
run('format check', ...npx('prettier', '--check', '.'));
run('type-check', ...npx('tsc', '-p', 'tsconfig.json', '--noEmit'));
run('architecture rules', ...npx('depcruise', 'apps', 'libs', '--config', '.dependency-cruiser.cjs'));
if (process.env.TRIBUTARY_TEST_STACK !== 'external') {
  console.log('\n▶ local stack');
  await up({ log: (line) => console.log(line) });
}
run('unit and integration tests', ...npx('vitest', 'run'));

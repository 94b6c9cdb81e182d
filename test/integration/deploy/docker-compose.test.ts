import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The compose file must parse with the real Docker client; only a missing client skips this. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
}

const compose = composeCommand();
if (!compose)
  console.warn('docker-compose.yml not checked: neither `docker compose` nor `docker-compose` is installed');

describe.runIf(compose)('docker-compose.yml', () => {
  it('is a valid compose file with the stack and the four services', () => {
    const [command, ...args] = compose ?? [];
    const result = spawnSync(
      command ?? 'docker',
      [...args, '-f', 'docker-compose.yml', 'config', '--services'],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(
      [
        'data-loader',
        'gateway',
        'kafka',
        'mongo',
        'planner-agent',
        'research-agent',
        'reviewer-agent',
        'schema-registry',
      ].sort(),
    );
  });
});

import { loadConfig, type ServiceName, type TributaryConfig } from '@tributary/config';

/** The configuration a test would give a service, read from the same variables the stack uses. */
export function testConfig(
  service: ServiceName = 'gateway',
  overrides: Record<string, string> = {},
): TributaryConfig {
  return loadConfig(service, { ...process.env, ...overrides });
}

/** A name no other test (or earlier run) has used: fresh topics and groups per test. */
export function uniqueName(prefix: string): string {
  return `test.${prefix}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
}

import { readFileSync } from 'node:fs';
import { loadConfig } from '@tributary/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error plain ESM script without type declarations
import { APPS, TOOLS } from '../../../scripts/build.mjs';

/**
 * docker-compose.yml checked without a Docker engine: it parses (with its merge keys), every
 * dependency names a service, every command runs a bundle scripts/build.mjs produces, and the
 * services' environment is one the services' own config accepts.
 */
interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const bundles = [
  ...(APPS as string[]).map((app) => `dist/${app}/main.cjs`),
  ...Object.keys(TOOLS as Record<string, string>).map((tool) => `dist/tools/${tool}.cjs`),
];

/** `${NAME:-default}` as compose interpolates it when NAME is unset. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  it('runs the stack, the data loader and the four services', () => {
    expect(Object.keys(services).sort()).toEqual(
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

  it('names only services that exist as dependencies, and each service has an image or a build', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image ?? service.build, name).toBeDefined();
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(Object.keys(services), `${name} depends on ${dependency}`).toContain(dependency);
      }
    }
  });

  it('starts each service from a bundle the build produces, with an environment its config accepts', () => {
    for (const app of APPS as string[]) {
      const service = services[app];
      expect(service?.command, app).toContain(`dist/${app}/main.cjs`);
      const env = Object.fromEntries(
        Object.entries(service?.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]),
      );
      const config = loadConfig(app as Parameters<typeof loadConfig>[0], env);
      expect(config.kafka.brokers, app).toEqual(['kafka:9092']);
    }
    for (const [name, service] of Object.entries(services)) {
      const bundle = service.command?.find((part) => part.startsWith('dist/'));
      if (bundle !== undefined) expect(bundles, name).toContain(bundle);
    }
  });
});

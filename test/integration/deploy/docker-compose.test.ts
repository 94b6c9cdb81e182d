import { readFileSync } from 'node:fs';
import { loadConfig, type ServiceName } from '@tributary/config';
import { metricsRegistry } from '@tributary/metrics';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error plain ESM script without type declarations
import { APPS, TOOLS } from '../../../scripts/build.mjs';

/**
 * docker-compose.yml checked without a Docker engine: it parses (with its merge keys), every
 * dependency names a service, every command runs a bundle scripts/build.mjs produces, and the
 * services' environment is one the services' own config accepts; Prometheus scrapes each service
 * where its configuration serves /metrics, and the Grafana dashboard queries metrics that exist.
 */
interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
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

/** A service's configuration as its environment in docker-compose.yml gives it. */
function composedConfig(app: ServiceName) {
  const env = Object.fromEntries(
    Object.entries(services[app]?.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]),
  );
  return loadConfig(app, env);
}

describe('docker-compose.yml', () => {
  it('runs the stack, the data loader and the four services', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'data-loader',
        'gateway',
        'grafana',
        'kafka',
        'mongo',
        'planner-agent',
        'prometheus',
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

  it('has Prometheus scrape every service where its configuration serves /metrics', () => {
    const prometheus = parse(readFileSync('deploy/prometheus.yml', 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(
      prometheus.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((c) => c.targets)]),
    );
    for (const app of APPS as ServiceName[]) {
      const config = composedConfig(app);
      const { endpoint } = config.metrics;
      expect(endpoint.kind, app).not.toBe('off');
      const port = endpoint.kind === 'own-port' ? endpoint.port : config.http.port;
      expect(targets[app], app).toEqual([`${app}:${port}`]);
    }
    // The gateway's API port is public (authentication on): its metrics are on a port of their own.
    expect(composedConfig('gateway').metrics.endpoint.kind).toBe('own-port');
    expect(services.prometheus?.volumes).toContain(
      './deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });

  it('ships a Grafana dashboard whose queries name only metrics the services define', async () => {
    const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboards/tributary.json', 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const defined = new Set((await metricsRegistry.getMetricsAsJSON()).map((metric) => metric.name));
    const exprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    expect(exprs.length).toBeGreaterThan(10);
    const named = exprs.flatMap((expr) => expr.match(/\b(?:tributary|http_server)_[a-z_]+/g) ?? []);
    for (const name of named) expect(defined, name).toContain(name.replace(/_(bucket|count|sum)$/, ''));
    for (const metric of [
      'tributary_kafka_consumer_lag',
      'tributary_llm_tokens_total',
      'tributary_llm_errors_total',
      'tributary_kafka_consumer_handler_duration_seconds',
      'tributary_tasks_submitted_total',
    ]) {
      expect(
        named.some((name) => name.startsWith(metric)),
        metric,
      ).toBe(true);
    }
    // Dead letters have a panel of their own.
    expect(exprs.some((expr) => expr.includes('outcome="dead_lettered"'))).toBe(true);
  });
});

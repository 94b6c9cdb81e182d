import { format } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { ConfigError } from './env';

describe('loadConfig: tracing from the OTEL_* variables', () => {
  it('is off without an OTLP endpoint, whatever else is set', () => {
    const tracing = loadConfig('gateway', {
      OTEL_SERVICE_NAME: 'x',
      OTEL_TRACES_SAMPLER: 'always_on',
    }).tracing;
    expect(tracing.enabled).toBe(false);
    expect(tracing.endpoint).toBeUndefined();
  });

  it('appends /v1/traces to the base endpoint, takes the traces endpoint as it is, and names the service', () => {
    const base = loadConfig('research-agent', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
    }).tracing;
    expect(base).toMatchObject({
      enabled: true,
      endpoint: 'http://127.0.0.1:4318/v1/traces',
      serviceName: 'research-agent',
      sampler: 'parentbased_always_on',
    });
    const traces = loadConfig('gateway', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example.com/otlp/traces',
      OTEL_SERVICE_NAME: 'edge-gateway',
    }).tracing;
    expect(traces.endpoint).toBe('https://collector.example.com/otlp/traces');
    expect(traces.serviceName).toBe('edge-gateway');
  });

  it('stays off when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(loadConfig('gateway', { ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing.enabled).toBe(false);
    expect(loadConfig('gateway', { ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing.enabled).toBe(false);
  });

  it('reads the sampler and its ratio, resource attributes and export headers (kept secret)', () => {
    const tracing = loadConfig('gateway', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,team=recs%20team',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cret',
    }).tracing;
    expect(tracing.sampler).toBe('parentbased_traceidratio');
    expect(tracing.samplerRatio).toBe(0.25);
    expect(tracing.resourceAttributes).toEqual({
      'deployment.environment.name': 'staging',
      team: 'recs team',
    });
    expect(tracing.headers['x-api-key']?.reveal()).toBe('s3cret');
    expect(format('%j %o', tracing, tracing)).not.toContain('s3cret');
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER must be one of'],
    [
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' },
      'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1',
    ],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must be a URL'],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'novalue' }, 'OTEL_RESOURCE_ATTRIBUTES must list key=value pairs'],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadConfig('gateway', env)).toThrow(ConfigError);
    expect(() => loadConfig('gateway', env)).toThrow(message);
  });
});

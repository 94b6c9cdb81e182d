import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { ConfigError } from './env';

describe('loadConfig', () => {
  it('defaults to the local stack on loopback and the offline LLM', () => {
    const config = loadConfig('research-agent', {});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.registryUrl).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.mongoUri).toBe('mongodb://127.0.0.1:27017/tributary');
    expect(config.http.port).toBe(3002);
    expect(config.llm.baseUrl).toBeUndefined();
  });

  it('follows the stack port variables', () => {
    const config = loadConfig('gateway', { TRIBUTARY_KAFKA_PORT: '19092', TRIBUTARY_MONGO_PORT: '27018' });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(config.mongoUri).toBe('mongodb://127.0.0.1:27018/tributary');
  });

  it('lets a per-agent variable override the shared one', () => {
    const env = { TRIBUTARY_LLM_MODEL: 'shared-model', TRIBUTARY_PLANNER_LLM_MODEL: 'planner-model' };
    expect(loadConfig('planner-agent', env).llm.model).toBe('planner-model');
    expect(loadConfig('reviewer-agent', env).llm.model).toBe('shared-model');
  });

  it.each([
    [
      { TRIBUTARY_GATEWAY_PORT: 'eighty' },
      'TRIBUTARY_GATEWAY_PORT must be an integer between 1 and 65535, got "eighty"',
    ],
    [{ TRIBUTARY_REGISTRY_URL: 'not a url' }, 'TRIBUTARY_REGISTRY_URL must be a URL, got "not a url"'],
    [
      { TRIBUTARY_LOG_LEVEL: 'loud' },
      'TRIBUTARY_LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
    ],
    [
      { TRIBUTARY_REVIEW_APPROVE_THRESHOLD: '2' },
      'TRIBUTARY_REVIEW_APPROVE_THRESHOLD must be a number between 0 and 1, got "2"',
    ],
  ])('refuses a bad value and names the variable: %o', (env, message) => {
    expect(() => loadConfig('gateway', env)).toThrow(new ConfigError(message));
  });
});

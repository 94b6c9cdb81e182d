import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface StackConfig {
  stackDir: string;
  runDir: string;
  logsDir: string;
  pidsDir: string;
  kafka: {
    port: number;
    controllerPort: number;
    bootstrapServers: string;
    dataDir: string;
    libsDir: string;
    readyTimeoutMs: number;
  };
  registry: { port: number; url: string; baseUrl: string };
  ferretdb: { port: number; url: string; dataDir: string; logLevel: string; synchronous: string };
}

interface StackModule {
  stackConfig(env: Record<string, string | undefined>): StackConfig;
  parsePort(value: string | undefined, name: string, fallback: number): number;
  resolveStackDir(value: string | undefined, home?: string): string;
  renderKafkaProperties(
    kafka: { port: number; controllerPort: number; dataDir: string },
    overrides?: Record<string, string>,
  ): string;
  newKafkaClusterId(random?: (size: number) => Uint8Array): string;
  parseJavaMajor(text: string): number | null;
  kafkaReady(port: number, timeoutMs?: number): Promise<boolean>;
  registryReady(port: number, timeoutMs?: number): Promise<boolean>;
  mongoPing(port: number, timeoutMs?: number): Promise<boolean>;
  tailLines(file: string, count?: number, fromOffset?: number): string[];
}

// @ts-expect-error plain ESM script without type declarations
const stack = (await import('./stack.mjs')) as StackModule;

const HOME = '/home/dev';

describe('stackConfig', () => {
  it('uses the default ports, 127.0.0.1 and ~/.cache/tributary', () => {
    const cfg = stack.stackConfig({});
    expect(cfg.kafka.port).toBe(9092);
    expect(cfg.kafka.controllerPort).toBe(9093);
    expect(cfg.kafka.bootstrapServers).toBe('127.0.0.1:9092');
    expect(cfg.registry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(cfg.registry.baseUrl).toBe('http://127.0.0.1:8081');
    expect(cfg.ferretdb.url).toBe('mongodb://127.0.0.1:27017');
    expect(cfg.stackDir.endsWith(join('.cache', 'tributary'))).toBe(true);
  });

  it('puts data, pid files and logs under <stack dir>/run and downloads beside it', () => {
    const cfg = stack.stackConfig({ TRIBUTARY_STACK_DIR: '/srv/stack' });
    expect(cfg.runDir).toBe('/srv/stack/run');
    expect(cfg.logsDir).toBe('/srv/stack/run/logs');
    expect(cfg.pidsDir).toBe('/srv/stack/run/pids');
    expect(cfg.kafka.dataDir).toBe('/srv/stack/run/data/kafka');
    expect(cfg.ferretdb.dataDir).toBe('/srv/stack/run/data/ferretdb');
    expect(cfg.kafka.libsDir).toBe('/srv/stack/kafka-4.1.1/libs');
  });

  it('derives the controller port from the Kafka port unless it is set', () => {
    expect(stack.stackConfig({ TRIBUTARY_KAFKA_PORT: '19092' }).kafka.controllerPort).toBe(19093);
    const cfg = stack.stackConfig({
      TRIBUTARY_KAFKA_PORT: '19092',
      TRIBUTARY_KAFKA_CONTROLLER_PORT: '29093',
    });
    expect(cfg.kafka.controllerPort).toBe(29093);
  });

  it('reads the registry and MongoDB ports', () => {
    const cfg = stack.stackConfig({ TRIBUTARY_REGISTRY_PORT: '18081', TRIBUTARY_MONGO_PORT: '27018' });
    expect(cfg.registry.url).toBe('http://127.0.0.1:18081/apis/ccompat/v7');
    expect(cfg.ferretdb.url).toBe('mongodb://127.0.0.1:27018');
  });

  it('keeps FerretDB quiet unless asked otherwise', () => {
    expect(stack.stackConfig({}).ferretdb.logLevel).toBe('error');
    expect(stack.stackConfig({ TRIBUTARY_FERRETDB_LOG_LEVEL: 'DEBUG' }).ferretdb.logLevel).toBe('debug');
    expect(() => stack.stackConfig({ TRIBUTARY_FERRETDB_LOG_LEVEL: 'loud' })).toThrow(
      /TRIBUTARY_FERRETDB_LOG_LEVEL/,
    );
  });

  it('runs SQLite with synchronous normal unless full is asked for', () => {
    expect(stack.stackConfig({}).ferretdb.synchronous).toBe('normal');
    expect(stack.stackConfig({ TRIBUTARY_FERRETDB_SYNCHRONOUS: 'FULL' }).ferretdb.synchronous).toBe('full');
    expect(() => stack.stackConfig({ TRIBUTARY_FERRETDB_SYNCHRONOUS: 'off' })).toThrow(
      /TRIBUTARY_FERRETDB_SYNCHRONOUS/,
    );
  });

  it('gives each server minutes to become ready unless TRIBUTARY_STACK_READY_TIMEOUT says otherwise', () => {
    expect(stack.stackConfig({}).kafka.readyTimeoutMs).toBe(180_000);
    expect(stack.stackConfig({ TRIBUTARY_STACK_READY_TIMEOUT: ' 300 ' }).kafka.readyTimeoutMs).toBe(300_000);
    expect(() => stack.stackConfig({ TRIBUTARY_STACK_READY_TIMEOUT: '1m' })).toThrow(
      /TRIBUTARY_STACK_READY_TIMEOUT must be a whole number of seconds/,
    );
  });

  it('rejects clashing ports', () => {
    expect(() => stack.stackConfig({ TRIBUTARY_REGISTRY_PORT: '9093' })).toThrow(
      /TRIBUTARY_KAFKA_CONTROLLER_PORT and TRIBUTARY_REGISTRY_PORT are both 9093/,
    );
  });

  it('needs an explicit controller port when Kafka is on 65535', () => {
    expect(() => stack.stackConfig({ TRIBUTARY_KAFKA_PORT: '65535' })).toThrow(
      /TRIBUTARY_KAFKA_CONTROLLER_PORT/,
    );
  });
});

describe('parsePort', () => {
  it('falls back when unset or blank', () => {
    expect(stack.parsePort(undefined, 'X', 42)).toBe(42);
    expect(stack.parsePort('  ', 'X', 42)).toBe(42);
  });

  it('accepts 1..65535 with surrounding spaces', () => {
    expect(stack.parsePort(' 8081 ', 'X', 1)).toBe(8081);
    expect(stack.parsePort('65535', 'X', 1)).toBe(65535);
  });

  it.each(['0', '65536', '-1', '80a', '1e3', '8081.5'])('rejects %s naming the variable', (value) => {
    expect(() => stack.parsePort(value, 'TRIBUTARY_MONGO_PORT', 1)).toThrow(
      /TRIBUTARY_MONGO_PORT must be a TCP port/,
    );
  });
});

describe('resolveStackDir', () => {
  it('defaults to ~/.cache/tributary', () => {
    expect(stack.resolveStackDir(undefined, HOME)).toBe('/home/dev/.cache/tributary');
    expect(stack.resolveStackDir('', HOME)).toBe('/home/dev/.cache/tributary');
  });

  it('expands a leading ~ and keeps absolute paths', () => {
    expect(stack.resolveStackDir('~/stack', HOME)).toBe('/home/dev/stack');
    expect(stack.resolveStackDir('/tmp/s', HOME)).toBe('/tmp/s');
  });
});

describe('renderKafkaProperties', () => {
  const text = stack.renderKafkaProperties({ port: 9092, controllerPort: 9093, dataDir: '/data/kafka' });
  const props = new Map(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );

  it('configures a single KRaft broker+controller on 127.0.0.1', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:9093');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092');
    expect(props.get('log.dirs')).toBe('/data/kafka');
  });

  it('uses replication factor 1 for internal topics and no topic auto-creation', () => {
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('share.coordinator.state.topic.replication.factor')).toBe('1');
    expect(props.get('auto.create.topics.enable')).toBe('false');
  });

  it('replaces a property in place and appends new ones when given overrides', () => {
    const lines = stack
      .renderKafkaProperties(
        { port: 9092, controllerPort: 9093, dataDir: '/data/kafka' },
        {
          listeners: 'SASL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
          'sasl.enabled.mechanisms': 'PLAIN',
        },
      )
      .split('\n');
    expect(lines.filter((line) => line.startsWith('listeners='))).toEqual([
      'listeners=SASL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
    ]);
    expect(lines).toContain('sasl.enabled.mechanisms=PLAIN');
    expect(lines).toContain('process.roles=broker,controller');
  });
});

describe('newKafkaClusterId', () => {
  it('is 22 URL-safe base64 characters (16 bytes, a version-4 UUID)', () => {
    const id = stack.newKafkaClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const bytes = Buffer.from(id, 'base64url');
    expect(bytes).toHaveLength(16);
    expect(bytes[6]! >> 4).toBe(4);
  });

  it('never starts with "-" (the Kafka tools would read it as an option)', () => {
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x11)];
    const id = stack.newKafkaClusterId(() => draws.shift()!);
    expect(id.startsWith('-')).toBe(false);
    expect(draws).toHaveLength(0);
  });
});

describe('parseJavaMajor', () => {
  it('reads modern and legacy version strings', () => {
    expect(stack.parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(stack.parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(stack.parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(stack.parseJavaMajor('bash: java: command not found')).toBeNull();
  });
});

describe('readiness checks', () => {
  /** A port that was free a moment ago: nothing listens on it. */
  const unusedPort = () =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });

  it('answer false, without throwing, when nothing listens', async () => {
    const port = await unusedPort();
    expect(await stack.kafkaReady(port)).toBe(false);
    expect(await stack.registryReady(port)).toBe(false);
    expect(await stack.mongoPing(port)).toBe(false);
  });
});

describe('tailLines', () => {
  it('returns the last lines, optionally only those after an offset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-spec-'));
    try {
      const file = join(dir, 'x.log');
      writeFileSync(file, 'old 1\nold 2\nnew 1\nnew 2\nnew 3\n');
      expect(stack.tailLines(file, 2)).toEqual(['new 2', 'new 3']);
      expect(stack.tailLines(file, 10, 'old 1\nold 2\n'.length)).toEqual(['new 1', 'new 2', 'new 3']);
      expect(stack.tailLines(join(dir, 'missing.log'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

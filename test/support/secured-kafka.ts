import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait';

interface StackModule {
  stackConfig(env: Record<string, string | undefined>): { kafka: { libsDir: string; dataDir: string } };
  renderKafkaProperties(
    kafka: { port: number; controllerPort: number; dataDir: string },
    overrides?: Record<string, string>,
  ): string;
  newKafkaClusterId(): string;
  javaCommand(): string;
}

// @ts-expect-error plain ESM script without type declarations
const stack = (await import('../../scripts/stack.mjs')) as StackModule;

const run = promisify(execFile);

/** The one user of the secured broker, known to its PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 logins. */
export const SECURED_KAFKA_USER = {
  username: 'tributary-test',
  password: 'Secured-Kafka-Test-Password',
} as const;

/**
 * A throwaway single-node KRaft broker of its own (ports, data, certificates in a temporary
 * directory), started from the stack's cached Kafka jars, with the listeners a production cluster
 * has: SASL over plaintext and over TLS (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and TLS with client
 * certificates required (mTLS). The broker's own traffic uses a plaintext listener the tests leave alone.
 */
export interface SecuredKafka {
  /** `host:port` of the SASL_PLAINTEXT listener. */
  readonly saslBroker: string;
  /** `host:port` of the SASL_SSL listener (server certificate signed by `caFile`). */
  readonly saslSslBroker: string;
  /** `host:port` of the SSL listener that requires a client certificate signed by `caFile`. */
  readonly mtlsBroker: string;
  readonly caFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  readonly pid: number;
  /** Everything the broker printed so far. */
  output(): string;
  /** Kills the broker (by its pid), waits for it to exit and removes its directory. */
  stop(): Promise<void>;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A test CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA. */
async function makeCertificates(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc'];
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=tributary-test-ca',
  );
  for (const [name, subject] of [
    ['server', '/CN=localhost'],
    ['client', '/CN=tributary-test-client'],
  ] as const) {
    await openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
  const { stdout: key } = await openssl('pkey', '-in', 'server.key');
  const { stdout: cert } = await openssl('x509', '-in', 'server.pem');
  // Kafka's PEM key store: the private key (PKCS#8), then the certificate chain.
  writeFileSync(join(dir, 'server-keystore.pem'), key + cert);
}

function brokerProperties(
  dir: string,
  ports: Record<'internal' | 'controller' | 'sasl' | 'saslSsl' | 'mtls', number>,
) {
  const { username, password } = SECURED_KAFKA_USER;
  const listeners = {
    INTERNAL: ports.internal,
    SASL: ports.sasl,
    SASLTLS: ports.saslSsl,
    MTLS: ports.mtls,
  };
  const advertised = Object.entries(listeners).map(([name, port]) => `${name}://127.0.0.1:${port}`);
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`;
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const jaas = Object.fromEntries(
    ['sasl', 'sasltls'].flatMap((listener) => [
      [`listener.name.${listener}.plain.sasl.jaas.config`, plain],
      [`listener.name.${listener}.scram-sha-256.sasl.jaas.config`, scram],
      [`listener.name.${listener}.scram-sha-512.sasl.jaas.config`, scram],
    ]),
  );
  return stack.renderKafkaProperties(
    { port: ports.internal, controllerPort: ports.controller, dataDir: join(dir, 'data') },
    {
      listeners: [...advertised, `CONTROLLER://127.0.0.1:${ports.controller}`].join(','),
      'advertised.listeners': advertised.join(','),
      'inter.broker.listener.name': 'INTERNAL',
      'listener.security.protocol.map':
        'INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL:SASL_PLAINTEXT,SASLTLS:SASL_SSL,MTLS:SSL',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      ...jaas,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': join(dir, 'server-keystore.pem'),
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': join(dir, 'ca.pem'),
      'listener.name.mtls.ssl.client.auth': 'required',
    },
  );
}

/** Starts the secured broker; resolves once it says it has started (about ten seconds). */
export async function startSecuredKafka(): Promise<SecuredKafka> {
  const { libsDir } = stack.stackConfig(process.env).kafka;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-secured-kafka-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const kill = () => child?.kill('SIGKILL');
  // A test run that dies without stop() must not leave the broker behind.
  process.once('exit', kill);
  try {
    const [internal, controller, sasl, saslSsl, mtls] = (await freePorts(5)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    await makeCertificates(dir);
    const propertiesFile = join(dir, 'server.properties');
    writeFileSync(propertiesFile, brokerProperties(dir, { internal, controller, sasl, saslSsl, mtls }));

    const log4j = join(dir, 'log4j2.properties');
    // Kafka says it started at INFO on this logger; everything else at WARN.
    writeFileSync(
      log4j,
      [
        'status = warn',
        'appender.console.type = Console',
        'appender.console.name = STDOUT',
        'appender.console.layout.type = PatternLayout',
        'appender.console.layout.pattern = %p %m (%c)%n',
        'rootLogger.level = warn',
        'rootLogger.appenderRef.stdout.ref = STDOUT',
        'logger.raftserver.name = kafka.server.KafkaRaftServer',
        'logger.raftserver.level = info',
      ].join('\n'),
    );
    const jvm = [
      '-Xmx384m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=file:${log4j}`,
      '-cp',
      join(libsDir, '*'),
    ];
    const { username, password } = SECURED_KAFKA_USER;
    await run(stack.javaCommand(), [
      ...jvm,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      stack.newKafkaClusterId(),
      '-c',
      propertiesFile,
      // SCRAM users live in the cluster metadata; format time is when a new cluster gets its first ones.
      '--add-scram',
      `SCRAM-SHA-256=[name=${username},password=${password}]`,
      '--add-scram',
      `SCRAM-SHA-512=[name=${username},password=${password}]`,
    ]);

    const broker = spawn(stack.javaCommand(), [...jvm, 'kafka.Kafka', propertiesFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = broker;
    let output = '';
    broker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    broker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise<void>((resolve) => broker.once('exit', () => resolve()));
    const gone = new AbortController();
    void exited.then(() => gone.abort(new Error(`the secured broker exited; it printed:\n${output}`)));
    await waitFor(() => output.includes('Kafka Server started'), {
      timeoutMs: 90_000,
      intervalMs: 100,
      description: 'the secured broker to start',
      signal: gone.signal,
    });

    let stopped: Promise<void> | undefined;
    return {
      saslBroker: `127.0.0.1:${sasl}`,
      saslSslBroker: `127.0.0.1:${saslSsl}`,
      mtlsBroker: `127.0.0.1:${mtls}`,
      caFile: join(dir, 'ca.pem'),
      clientCertFile: join(dir, 'client.pem'),
      clientKeyFile: join(dir, 'client.key'),
      pid: broker.pid!,
      output: () => output,
      stop: () =>
        (stopped ??= (async () => {
          // Throwaway data: no clean shutdown to wait for.
          if (broker.exitCode === null && broker.signalCode === null) broker.kill('SIGKILL');
          await exited;
          process.removeListener('exit', kill);
          rmSync(dir, { recursive: true, force: true });
        })()),
    };
  } catch (error) {
    kill();
    await exited;
    process.removeListener('exit', kill);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

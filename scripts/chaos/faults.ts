/**
 * The faults of a chaos run, each on a real process: a service SIGKILLed and started again, the
 * broker SIGKILLed and started again, the store frozen (SIGSTOP, then SIGCONT), the registry
 * stopped and started again. Stack servers are signalled only through their pid file and only when
 * the process is still the one the file names (its fingerprint), never by name.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServiceName, type ServiceSet } from '../../bench/lib/services';
import { type StackModule } from '../../bench/lib/project';

/** What the chaos run needs of scripts/stack.mjs beyond the bench's view of it. */
export interface ChaosStack extends StackModule {
  readPidFile(name: string): { pid: number; fingerprint?: string } | null;
  processFingerprint(pid: number): string | null;
}

export interface Fault {
  readonly name: string;
  run(log: (line: string) => void): Promise<void>;
}

function stackPid(stack: ChaosStack, name: string): number {
  const record = stack.readPidFile(name);
  if (!record || !record.fingerprint || stack.processFingerprint(record.pid) !== record.fingerprint) {
    throw new Error(`${name} is not running from this stack's pid file`);
  }
  return record.pid;
}

export function killService(services: ServiceSet, name: ServiceName, downSeconds: number): Fault {
  return {
    name: `SIGKILL ${name}, start it again after ${downSeconds} s`,
    async run(log) {
      await services.kill(name);
      log(`${name} killed`);
      await sleep(downSeconds * 1000);
      await services.start([name]);
      log(`${name} ready again`);
    },
  };
}

export function killBroker(stack: ChaosStack, downSeconds: number): Fault {
  return {
    name: `SIGKILL the Kafka broker, start it again after ${downSeconds} s`,
    async run(log) {
      const pid = stackPid(stack, 'kafka');
      process.kill(pid, 'SIGKILL');
      while (stack.processFingerprint(pid) !== null) await sleep(100);
      log('broker killed');
      await sleep(downSeconds * 1000);
      await stack.up({ quiet: true });
      log('broker ready again');
    },
  };
}

export function freezeStore(stack: ChaosStack, seconds: number): Fault {
  return {
    name: `freeze the store (SIGSTOP) for ${seconds} s`,
    async run(log) {
      const pid = stackPid(stack, 'ferretdb');
      process.kill(pid, 'SIGSTOP');
      log('store frozen');
      try {
        await sleep(seconds * 1000);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      log('store thawed');
    },
  };
}

export function stopRegistry(stack: ChaosStack, downSeconds: number): Fault {
  return {
    name: `stop the schema registry for ${downSeconds} s`,
    async run(log) {
      await stack.stopProcess('registry');
      log('registry stopped');
      await sleep(downSeconds * 1000);
      await stack.up({ quiet: true });
      log('registry ready again');
    },
  };
}

import { basicAuthorization, type RegistryConfig } from '@tributary/config';
import { type Kafka } from 'kafkajs';

/**
 * Everything a bench run starts or creates, undone in reverse order at the end (also on Ctrl-C):
 * processes by their pid, consumers, connections, and the run's own topics and consumer groups.
 */
export class Cleanup {
  private readonly steps: { label: string; run: () => Promise<void> }[] = [];
  private readonly topics = new Set<string>();
  private readonly groups = new Set<string>();
  private readonly subjects = new Set<string>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly registry: RegistryConfig,
  ) {}

  /** Registers an undo step; returns a function that runs it now (once) and forgets it. */
  add(label: string, run: () => Promise<void>): () => Promise<void> {
    let done = false;
    const step = {
      label,
      run: async () => {
        if (done) return;
        done = true;
        await run();
      },
    };
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index >= 0) this.steps.splice(index, 1);
      await step.run();
    };
  }

  topic(...names: string[]): void {
    for (const name of names) this.topics.add(name);
  }

  group(...names: string[]): void {
    for (const name of names) this.groups.add(name);
  }

  subject(...names: string[]): void {
    for (const name of names) this.subjects.add(name);
  }

  run(log: (line: string) => void = () => undefined): Promise<void> {
    this.running ??= this.runOnce(log);
    return this.running;
  }

  private async runOnce(log: (line: string) => void): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (error) {
        log(`cleanup: ${step.label} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.steps.length = 0;
    if (this.topics.size > 0 || this.groups.size > 0) {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        if (this.groups.size > 0) await admin.deleteGroups([...this.groups]).catch(() => undefined);
        const existing = new Set(await admin.listTopics());
        const topics = [...this.topics].filter((t) => existing.has(t));
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
      } catch (error) {
        log(
          `cleanup: deleting bench topics failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    const { registryUrl, registryCredentials } = this.registry;
    const headers: Record<string, string> = registryCredentials
      ? { Authorization: basicAuthorization(registryCredentials) }
      : {};
    for (const subject of this.subjects) {
      const url = `${registryUrl}/subjects/${encodeURIComponent(subject)}`;
      const remove = (target: string) =>
        fetch(target, { method: 'DELETE', headers, signal: AbortSignal.timeout(5_000) }).catch(
          () => undefined,
        );
      await remove(url);
      await remove(`${url}?permanent=true`);
    }
  }
}

import { CALLS_HEADER, formatCallsHeader, MAY_REPEAT_HEADER, type StepCall } from '@tributary/contracts';
import { type JournalScope } from '@tributary/llm';

/**
 * The journal scope of one step: whether the journal needs reading, and the writes still under way,
 * which the step waits for before it publishes its result (the result then implies the records).
 */
export class StepJournal implements JournalScope {
  private writes: Promise<void>[] = [];
  private readonly calls: StepCall[] = [];

  constructor(readonly firstDelivery: boolean) {}

  noteCall(call: StepCall): void {
    this.calls.push(call);
  }

  /**
   * The headers the step puts on its result event: the calls made so far (none: no header), and off
   * a first delivery the mark that the event may be a copy of one already published (MAY_REPEAT_HEADER).
   */
  headers(): Record<string, string> {
    return {
      ...(this.calls.length === 0 ? {} : { [CALLS_HEADER]: formatCallsHeader(this.calls) }),
      ...(this.firstDelivery ? {} : { [MAY_REPEAT_HEADER]: '1' }),
    };
  }

  pending(write: Promise<void>): void {
    // Handled here so a failure is not an unhandled rejection before settle() awaits it.
    write.catch(() => undefined);
    this.writes.push(write);
  }

  /** Waits for every write handed over so far (and any handed over meanwhile); rejects if one failed. */
  async settle(): Promise<void> {
    while (this.writes.length > 0) {
      const writes = this.writes;
      this.writes = [];
      await Promise.all(writes);
    }
  }
}

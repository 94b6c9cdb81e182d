/**
 * What the command runs in: its streams, and how to start the operator commands that other apps
 * ship (a command that owns another app's data, the gateway's read model, stays in that app; the
 * CLI runs it as a child process rather than importing it: see docs/adr/0011).
 */
export interface CliHost {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Arguments for `node` that run a shipped operator command (scripts/build.mjs, TOOLS). */
  toolCommand(name: ShippedTool): readonly string[];
}

/** Operator commands of other apps that the CLI runs, and the agents a replay runs. */
export type ShippedTool = 'rebuild-projection' | 'planner-agent' | 'research-agent' | 'reviewer-agent';

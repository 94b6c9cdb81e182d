import { PassThrough } from 'node:stream';
import { type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { type CliHost } from './host';
import { buildProgram, runProgram } from './program';

function host(): CliHost & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    toolCommand: () => {
      throw new Error('no tools in unit tests');
    },
    out: () => out,
    err: () => err,
  };
}

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

const signal = new AbortController().signal;
const argv = (...args: string[]) => ['node', 'tributary', ...args];

describe('the tributary command line', () => {
  const paths = commandPaths(buildProgram(host(), signal).program);

  it('has the commands of the issue', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining([
        'events export',
        'task trace',
        'replay diff',
        'projection rebuild',
        'dlq list',
        'dlq show',
        'dlq redrive',
      ]),
    );
  });

  it.each(paths.map((p) => [p.join(' '), p] as const))(
    '"%s --help" prints its usage and exits 0',
    async (_, path) => {
      const h = host();
      expect(await runProgram(h, argv(...path, '--help'), signal)).toBe(0);
      expect(h.out()).toContain(`Usage: tributary ${path.join(' ')}`);
    },
  );

  it('lists the exit codes in the top-level help', async () => {
    const h = host();
    expect(await runProgram(h, argv('--help'), signal)).toBe(0);
    expect(h.out()).toMatch(
      /Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 .*\n\s+3 .*\n\s+4 .*\n\s+5 .*\n\s+6 .*\n\s+130 /,
    );
  });

  it.each([
    ['an unknown command', ['dlq', 'purge']],
    ['an unknown option', ['dlq', 'list', '--bogus']],
    ['a missing required option', ['dlq', 'show']],
    ['a value that is not a number', ['dlq', 'show', '--group', 'g', '--limit', 'ten']],
    ['an instant that is not one', ['projection', 'rebuild', '--into', 'x', '--since', 'yesterday']],
  ])('exits 2, before connecting to anything, on %s', async (_, args) => {
    const h = host();
    expect(await runProgram(h, argv(...args), signal)).toBe(2);
    expect(h.err()).not.toBe('');
  });
});

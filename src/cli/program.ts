import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { SUBCOMMANDS } from './commands/index.js';
import { demoCommand } from './commands/demo.js';
import { simCommand } from './commands/sim.js';
import type { CliContext, KernelOptions } from './commands/context.js';
import type { ShellKernel } from './shell/kernel.js';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** The version in package.json (two levels up from both src/cli and dist/cli). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** The composition root's choice: the simulated kernel. */
async function simKernelFactory(): Promise<(opts: KernelOptions) => ShellKernel> {
  const { SimKernel } = await import('../api/sim-kernel.js');
  return (opts) => new SimKernel(opts);
}

export function buildProgram(cli: CliContext): Command {
  const program = new Command('cgkit')
    .description('Linux control groups: a simulated kernel and the host kernel behind one API')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => { cli.stdout.write(s); },
      writeErr: (s) => { cli.stderr.write(s); },
      // One line: commander's message (and its "did you mean" hint) without its "error: " prefix.
      outputError: (s, write) => { write(`cgkit: ${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`); },
    });
  for (const make of [...SUBCOMMANDS, simCommand, demoCommand]) {
    // Subcommands report usage errors the same way and never call process.exit.
    program.addCommand(make(cli).helpOption('-h, --help', 'show help').exitOverride().configureOutput(program.configureOutput()));
  }
  return program;
}

/**
 * Run `cgkit ARGS...` and return the exit status. Usage errors print one
 * line to stderr and return 2; a failure while running prints one line and
 * returns 1.
 */
export async function main(args: string[], io: CliIo, makeKernel?: (opts: KernelOptions) => ShellKernel): Promise<number> {
  const cli: CliContext = {
    ...io,
    exitCode: 0,
    makeKernel: async (opts) => (makeKernel ?? (await simKernelFactory()))(opts),
  };
  const program = buildProgram(cli);
  try {
    await program.parseAsync(args, { from: 'user' });
    return cli.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return e.exitCode === 0 ? 0 : 2;
      return 2;
    }
    io.stderr.write(`cgkit: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/**
 * `cgkit run ARGS...` as its own program, for tests that need a separate
 * process (a SIGKILL of the run). main.ts does the same once `run` is one
 * of its subcommands.
 */
import { Command, CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { runCommand } from './run.js';

const cli: CliContext = {
  stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, exitCode: 0,
  makeKernel: () => Promise.reject(new Error('no kernel here')),
};
const program = new Command('cgkit').exitOverride().addCommand(runCommand(cli).exitOverride());
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
  process.exitCode = cli.exitCode;
} catch (e) {
  if (!(e instanceof CommanderError)) process.stderr.write(`cgkit: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = e instanceof CommanderError ? 2 : 1;
}

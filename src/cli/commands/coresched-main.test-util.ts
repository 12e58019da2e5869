/**
 * `cgkit coresched ARGS...` as its own program, with the usage-error
 * handling of program.ts (one `cgkit: ...` line, status 2), for tests that
 * run it as a separate process on the real host.
 */
import { Command, CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { coreschedCommand } from './coresched.js';

const cli: CliContext = {
  stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, exitCode: 0,
  makeKernel: () => Promise.reject(new Error('no kernel here')),
};
const program = new Command('cgkit').exitOverride().configureOutput({
  outputError: (s, write) => { write(`cgkit: ${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`); },
});
program.addCommand(coreschedCommand(cli).helpOption('-h, --help', 'show help').exitOverride().configureOutput(program.configureOutput()));
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
  process.exitCode = cli.exitCode;
} catch (e) {
  if (!(e instanceof CommanderError)) process.stderr.write(`cgkit: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = e instanceof CommanderError ? (e.exitCode === 0 ? 0 : 2) : 1;
}

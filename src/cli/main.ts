#!/usr/bin/env node
import { main } from './program.js';

// The `cgkit` command. Everything lives in program.ts so tests can run it in-process.

// A reader that goes away (`cgkit shell < s | head -1`) ends the run quietly, as SIGPIPE ends a C program.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

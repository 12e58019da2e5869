import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { shellCommand } from './shell.js';

/** Every `cgkit` subcommand; each lives in its own file in this directory. */
export const SUBCOMMANDS: readonly ((cli: CliContext) => Command)[] = [shellCommand];

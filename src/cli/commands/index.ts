import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { compareCommand } from './compare.js';
import { coreschedCommand } from './coresched.js';
import { killCommand, freezeCommand, thawCommand } from './control.js';
import { eventsCommand } from './events.js';
import { execCommand } from './exec.js';
import { getCommand, setCommand, createCommand, deleteCommand } from './getset.js';
import { hostCommand } from './host.js';
import { runCommand } from './run.js';
import { shellCommand } from './shell.js';
import { statCommand } from './stat.js';
import { topCommand } from './top.js';
import { treeCommand } from './tree.js';

/** Every `cgkit` subcommand; each lives in its own file in this directory. */
export const SUBCOMMANDS: readonly ((cli: CliContext) => Command)[] = [
  runCommand, compareCommand, execCommand, treeCommand, topCommand, getCommand, setCommand, statCommand, killCommand, freezeCommand, thawCommand,
  eventsCommand, createCommand, deleteCommand, hostCommand, coreschedCommand, shellCommand,
];

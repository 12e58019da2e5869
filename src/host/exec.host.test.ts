/**
 * execInGroups with no groups to enter (no root needed): how the stub hands
 * over to the command. Only processes started here are signalled, by the
 * pid they reported.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execInGroups } from './exec.js';
import { HostFs } from './hostfs.js';

const fs = new HostFs();
const dir = mkdtempSync(join(tmpdir(), 'cgkit-exec-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const skip = process.platform === 'linux' ? false : 'not Linux';

function output(h: { stdout?: NodeJS.ReadableStream | null }): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    h.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
    h.stdout?.on('end', () => resolve(out));
  });
}

describe('execInGroups', { skip }, () => {
  // A program named `-x` on PATH: bash's exec needs `--` before it, dash's exec has no options.
  writeFileSync(join(dir, '-x'), '#!/bin/sh\necho "dash-named $*"\n');
  chmodSync(join(dir, '-x'), 0o755);
  const env = { PATH: `${dir}:/usr/bin:/bin` };
  for (const shell of ['/bin/sh', '/bin/dash', '/bin/bash']) {
    it(`runs a command whose name starts with a dash (stub shell ${shell})`, { skip: !existsSync(shell) && `no ${shell}` }, async () => {
      const h = await execInGroups(fs, { argv: ['-x', 'a b', '--'], procsFiles: [], stdio: 'pipe', env, shell });
      const out = output(h);
      assert.deepEqual(await h.exited, { code: 0, signal: null });
      assert.equal(await out, 'dash-named a b --\n');
      const missing = await execInGroups(fs, { argv: ['-no-such-command'], procsFiles: [], stdio: 'ignore', env, shell });
      assert.deepEqual(await missing.exited, { code: 127, signal: null });
      const plain = await execInGroups(fs, { argv: ['sh', '-c', 'echo "$0 $1"', 'x', '-n'], procsFiles: [], stdio: 'pipe', env, shell });
      const said = output(plain);
      assert.deepEqual(await plain.exited, { code: 0, signal: null });
      assert.equal(await said, 'x -n\n');
    });
  }

  it('`ended` settles when the command exits; `exited` waits for its output to close (here: held by a background child)', async () => {
    const h = await execInGroups(fs, { argv: ['sh', '-c', 'sleep 60 & echo $!'], procsFiles: [], stdio: 'pipe' });
    let text = '';
    const line = new Promise<number>((resolve) => {
      h.stdout?.on('data', (b: Buffer) => {
        text += b.toString();
        if (text.endsWith('\n')) resolve(Number(text.trim()));
      });
    });
    const child = await line;
    try {
      assert.deepEqual(await h.ended, { code: 0, signal: null });
      const state = await Promise.race([h.exited.then(() => 'settled'), Promise.resolve('pending')]);
      assert.equal(state, 'pending', 'the background sleep still holds stdout');
    } finally {
      process.kill(child, 'SIGKILL');
    }
    assert.deepEqual(await h.exited, { code: 0, signal: null });
  });
});

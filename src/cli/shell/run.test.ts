import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { FakeKernel } from './fake-kernel.test.util.js';
import { Collect } from './harness.test.util.js';
import { HISTORY_SIZE, loadHistory, saveHistory } from './history.js';
import { runShell } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'cgkit-shell-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Feed `chunks` one after another (as typed), then end the input. */
async function interactive(chunks: string[], opts: { terminal: boolean; historyFile: string | null }): Promise<{ out: string; err: string; status: number }> {
  const input = new PassThrough();
  const output = new Collect();
  const errors = new Collect();
  const done = runShell({ input, output, errors, kernel: new FakeKernel(), interactive: true, ...opts });
  for (const c of chunks) {
    input.write(c);
    await new Promise((r) => setTimeout(r, 5));
  }
  input.end();
  const status = await done;
  return { out: output.text, err: errors.text, status };
}

describe('runShell interactive', () => {
  it('prompts with the directory relative to the mount, a continuation prompt inside quotes, and says exit at the end', async () => {
    const r = await interactive(['mkdir a; cd a\n', 'cd /sys/fs\n', "echo 'x\n", "y'\n", 'mkdir /sys/fs/cgroup/a\n'], { terminal: false, historyFile: null });
    // Prompts, the banner and the closing "exit" go to stderr, as bash does; stdout has only command output.
    assert.equal(r.out, 'x\ny\n');
    assert.equal(r.err, [
      "cgkit shell: simulated kernel, unified layout, cgroup mount /sys/fs/cgroup. Type 'help'.",
      "cgkit:~$ cgkit:~/a$ cgkit:/sys/fs$ > cgkit:/sys/fs$ mkdir: cannot create directory '/sys/fs/cgroup/a': File exists",
      'cgkit:/sys/fs$ exit', '',
    ].join('\n'));
    assert.equal(r.status, 1);
  });

  it('stops at exit N with status N', async () => {
    const r = await interactive(['exit 4\n', 'echo never\n'], { terminal: false, historyFile: null });
    assert.equal(r.status, 4);
    assert.doesNotMatch(r.out, /never/);
  });

  it('saves history to the file, oldest first, and recalls it with the up arrow', async () => {
    const file = join(dir, 'h1');
    writeFileSync(file, 'echo from-history\n');
    const r = await interactive(['\x1b[A\r', 'mkdir b\r'], { terminal: true, historyFile: file });
    assert.equal(r.out, 'from-history\n');
    assert.match(r.err, /echo from-history/);
    assert.deepEqual(readFileSync(file, 'utf8').split('\n'), ['echo from-history', 'mkdir b', '']);
    assert.equal(r.status, 0);
  });

  it('keeps at most HISTORY_SIZE lines', () => {
    const file = join(dir, 'h2');
    saveHistory(file, Array.from({ length: HISTORY_SIZE + 5 }, (_, i) => `echo ${i}`));
    const kept = loadHistory(file);
    assert.equal(kept.length, HISTORY_SIZE);
    assert.equal(kept[0], 'echo 5');
    assert.equal(kept[HISTORY_SIZE - 1], `echo ${HISTORY_SIZE + 4}`);
    assert.deepEqual(loadHistory(join(dir, 'absent')), []);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'a new history file is private');
  });

  it('reports a history file it cannot write, once, and goes on', async () => {
    const r = await interactive(['echo a\r', 'echo b\r'], { terminal: true, historyFile: join(dir, 'h1', 'not-a-dir', 'h') });
    assert.equal(r.err.split('cgkit: history: cannot save').length, 2);
    assert.equal(r.out, 'a\nb\n');
    assert.equal(r.status, 0);
  });
});

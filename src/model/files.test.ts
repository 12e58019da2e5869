import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLERS } from '../core/controllers/index.js';
import { SimKernel } from '../api/sim-kernel.js';
import { coreFilesOf } from './core-files.js';
import { cgroupFiles, findFile } from './files.js';

test('every controller table file is named <controller>. (findFile looks files up by that prefix)', () => {
  for (const def of CONTROLLERS) {
    const prefixes = [`${def.name}.`, ...('legacyName' in def && def.legacyName ? [`${def.legacyName}.`] : [])];
    for (const f of def.files) assert.ok(prefixes.some((p) => f.name.startsWith(p)), `${def.name}: ${f.name}`);
  }
});

test('findFile finds exactly the files a directory lists', async () => {
  for (const layout of ['unified', 'hybrid'] as const) {
    const k = new SimKernel({ layout });
    const v2 = layout === 'unified' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
    await k.fs.writeFile(`${v2}/cgroup.subtree_control`, layout === 'unified' ? '+cpu +memory +pids +io' : '+hugetlb');
    await k.fs.mkdir(`${v2}/a`);
    if (layout === 'hybrid') for (const h of ['cpu', 'memory', 'blkio', 'cpuset']) await k.fs.mkdir(`/sys/fs/cgroup/${h}/a`);
    for (const h of k.kernel.mounted()) {
      for (const cg of h.root.descendantsPre()) {
        const listed = cgroupFiles(k.kernel, cg, coreFilesOf(cg));
        for (const name of listed.keys()) assert.ok(findFile(k.kernel, cg, name, coreFilesOf(cg)), `${cg.fsPath}/${name}`);
        for (const name of ['memory.max', 'cpu.weight', 'cpu.shares', 'blkio.weight', 'cgroup.type', 'nope']) {
          assert.equal(findFile(k.kernel, cg, name, coreFilesOf(cg)) !== undefined, listed.has(name), `${cg.fsPath}/${name}`);
        }
      }
    }
  }
});

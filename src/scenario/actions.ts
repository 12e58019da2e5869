/** Applying one timeline action at its time (see types.ts for the actions). */
import { placeProcess, setPolicy, spawnTask, writeFile, type Ctx } from './build.js';
import { kernelRefused, ScenarioError } from './errors.js';
import type { TimedAction } from './types.js';

export async function applyAction(cx: Ctx, a: TimedAction): Promise<void> {
  const pidOf = (name: string): number => {
    const pid = cx.pids.get(name);
    if (pid === undefined) throw new ScenarioError(cx.s.file, a.line, `task '${name}' has not been spawned`);
    return pid;
  };
  switch (a.kind) {
    case 'write':
      for (const w of a.writes) await writeFile(cx, w);
      return;
    case 'move':
      await placeProcess(cx, pidOf(a.task), a.to, a.line);
      return;
    case 'spawn':
      for (const t of a.tasks) await spawnTask(cx, t);
      return;
    case 'kill': {
      const pid = pidOf(a.task);
      try {
        cx.b.kill(pid, a.signal);
      } catch (e) {
        throw kernelRefused(cx.s.file, a.line, `killing ${a.task} (pid ${pid}) with ${String(a.signal)}`, e);
      }
      return;
    }
    case 'freeze':
    case 'thaw': {
      const f = cx.h.freezer;
      if (!f) throw new ScenarioError(cx.s.file, a.line, `the ${cx.h.layout.kind} layout has no freezer`);
      const value = f.file === 'freezer.state' ? (a.kind === 'freeze' ? 'FROZEN' : 'THAWED') : a.kind === 'freeze' ? '1' : '0';
      const path = `${cx.h.dir(f.mount, a.group)}/${f.file}`;
      try {
        await cx.b.fs.writeFile(path, value);
      } catch (e) {
        throw kernelRefused(cx.s.file, a.line, `${a.kind === 'freeze' ? 'freezing' : 'thawing'} ${a.group} (${f.file} ${value})`, e);
      }
      return;
    }
    case 'policy':
      setPolicy(cx, a.group, a.policy, a.line);
      return;
  }
}

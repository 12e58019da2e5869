// A scheduling class of your own: strict priority by weight.
// Inside the group it is given to, the entity with the highest weight
// (lowest nice, or largest cpu.weight for a child group) runs until it
// blocks; equal weights run in arrival order; a heavier entity that wakes
// up preempts a lighter one. The group itself still gets its fair share
// from its parent.
//
//   npm run build && node examples/policies/strict-priority.mjs
import { SimKernel } from 'cgkit';

class StrictPriorityRq {
  curr = null;
  load = 0;
  queue = [];

  get nrQueued() { return this.queue.length; }

  enqueue(se) {
    se.onRq = true;
    this.load += se.weight;
    // Keep the queue sorted by weight, heaviest first, arrival order among equals.
    let i = this.queue.findIndex((x) => x.weight < se.weight);
    if (i < 0) i = this.queue.length;
    this.queue.splice(i, 0, se);
  }

  dequeue(se) {
    this.queue.splice(this.queue.indexOf(se), 1);
    se.onRq = false;
    this.load -= se.weight;
    return true;
  }

  requeueDelayed() { throw new Error('strict priority never delays a dequeue'); }
  pickNext() { return this.queue[0] ?? null; }
  setNext(se) { this.curr = se; }
  putPrev() { this.curr = null; }

  updateCurr(deltaNs) {
    if (this.curr) this.curr.sumExecRuntime += deltaNs;
    return false;
  }

  wakeupPreempt(curr, woken) { return woken.weight > curr.weight; }

  reweight(se, load) {
    const queued = se.onRq;
    if (queued) this.dequeue(se);
    se.setLoad(load);
    if (queued) this.enqueue(se);
  }
}

const strictPriority = { name: 'strict-priority', createRunQueue: () => new StrictPriorityRq() };

const k = new SimKernel({ cpus: 1 });
k.fs.writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+cpu');
k.fs.mkdirSync('/sys/fs/cgroup/batch');
k.setPolicy('/sys/fs/cgroup/batch', strictPriority);

k.spawn({ name: 'web', program: 'hog' });
k.spawn({ name: 'urgent', program: 'hog', nice: -5, cgroup: '/sys/fs/cgroup/batch' });
k.spawn({ name: 'normal', program: 'hog', nice: 0, cgroup: '/sys/fs/cgroup/batch' });
k.spawn({ name: 'periodic', program: 'loop { run 5ms; sleep 45ms }', nice: -10, cgroup: '/sys/fs/cgroup/batch' });

await k.run(10e9);
for (const s of k.taskStats()) {
  console.log(`${s.name.padEnd(9)} ${s.cgroup.padEnd(22)} ${(s.runtimeNs / 1e8).toFixed(1).padStart(5)} % of the CPU`);
}

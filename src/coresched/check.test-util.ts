/**
 * What a user of trust groups checks after anything: every live task is in
 * exactly one group; members of a group hold the group's cookie, distinct
 * groups hold distinct cookies, an empty group shows cookie 0 and root
 * members are untagged. Plus a snapshot of the manager's visible state.
 */
import { strict as assert } from 'node:assert';
import type { FakeCoreSchedKernel } from './fake-kernel.test-util.js';
import type { TrustGroups } from './trust-groups.js';
import { ROOT } from './types.js';

export function checkCookies(tg: TrustGroups, k: FakeCoreSchedKernel): void {
  const owner = new Map<number, string>();
  const cookies = new Map<bigint, string>();
  for (const g of tg.groups()) {
    const members = tg.members(g.name);
    for (const t of members) {
      assert.ok(!owner.has(t), `task ${t} is in '${owner.get(t)}' and in '${g.name}'`);
      owner.set(t, g.name);
    }
    if (g.name === ROOT) {
      for (const t of members) assert.equal(k.getCookie(t), 0n, `root member ${t} is untagged`);
      continue;
    }
    if (members.length === 0) {
      assert.equal(g.cookie, 0n, `empty group '${g.name}' shows cookie 0`);
      continue;
    }
    assert.notEqual(g.cookie, 0n, `group '${g.name}' with tasks has a cookie`);
    for (const t of members) assert.equal(k.getCookie(t), g.cookie, `member ${t} of '${g.name}' holds its cookie`);
    assert.ok(!cookies.has(g.cookie), `groups '${cookies.get(g.cookie)}' and '${g.name}' share cookie ${g.cookie}`);
    cookies.set(g.cookie, g.name);
  }
  assert.deepEqual([...owner.keys()].sort((a, b) => a - b), k.tasks().sort((a, b) => a - b), 'every live task is in one group');
}

/** Everything a user can read from the manager, as one comparable value. */
export function snapshot(tg: TrustGroups, k: FakeCoreSchedKernel): unknown {
  return {
    groups: tg.groups().map((g) => ({ ...g, cookie: String(g.cookie), members: tg.members(g.name) })),
    tasks: k.tasks().map((t) => [t, String(k.getCookie(t)), tg.taskProperty(t).override ?? '-']),
  };
}

/**
 * After any sequence of operations and task events — made by root or by
 * ordinary users, valid or not, with events delivered at once or late —
 * every member of a group holds the group's cookie, groups hold distinct
 * cookies, root members are untagged, every task is in one group, and a
 * refused operation changed nothing.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { CgroupError } from '../core/errors.js';
import { checkCookies, snapshot } from './check.test-util.js';
import { FakeCoreSchedKernel } from './fake-kernel.test-util.js';
import { TrustGroups } from './trust-groups.js';
import { PROPERTIES, type Cred, type ForkProperty } from './types.js';

const CREDS: Cred[] = [{ uid: 0, gid: 0 }, { uid: 1000, gid: 100 }, { uid: 2000, gid: 100 }];
const UIDS = [0, 1000, 2000];

const pick = fc.nat(1000);
// Mostly valid, sometimes not: names, credentials and properties.
const name = fc.oneof({ arbitrary: fc.constantFrom('/', 'a', 'b', 'c', 'd'), weight: 8 }, { arbitrary: fc.constantFrom('123', 'tasks', 'x/y'), weight: 1 });
const cred = fc.oneof({ arbitrary: fc.constant(CREDS[0]!), weight: 3 }, { arbitrary: fc.constantFrom(CREDS[1]!, CREDS[2]!), weight: 2 });
const prop = fc.oneof({ arbitrary: fc.constantFrom<ForkProperty | 'BOGUS'>(...PROPERTIES), weight: 6 }, { arbitrary: fc.constant<ForkProperty | 'BOGUS'>('BOGUS'), weight: 1 });

const op = fc.oneof(
  fc.record({ t: fc.constant('spawn' as const), uid: fc.constantFrom(...UIDS) }),
  fc.record({ t: fc.constant('fork' as const), pick }),
  fc.record({ t: fc.constant('thread' as const), pick }),
  fc.record({ t: fc.constant('exit' as const), pick }),
  fc.record({ t: fc.constant('exec' as const), pick }),
  fc.record({ t: fc.constant('flush' as const) }),
  fc.record({ t: fc.constant('mkgroup' as const), name, prop, cred }),
  fc.record({ t: fc.constant('rmgroup' as const), name, cred }),
  fc.record({ t: fc.constant('add' as const), name, pick, process: fc.boolean(), cred }),
  fc.record({ t: fc.constant('setprop' as const), name, prop, cred }),
  fc.record({ t: fc.constant('taskprop' as const), pick, prop: fc.option(prop, { nil: undefined }), cred }),
  fc.record({ t: fc.constant('chown' as const), name, uid: fc.constantFrom(...UIDS), cred }),
  fc.record({ t: fc.constant('chmod' as const), name, mode: fc.constantFrom(0o755, 0o775, 0o777), cred }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function run(ops: Op[], synchronousEvents: boolean): void {
  const k = new FakeCoreSchedKernel({ synchronousEvents });
  const tg = new TrustGroups(k);
  // A start: three groups with different owners and properties, a few tasks of three users.
  tg.create('a');
  tg.create('b', { properties: 'NEW_COOKIE_FOR_CHILD', mode: 0o775 });
  tg.chown('b', 1000, 100);
  tg.create('c', { properties: 'ROOT_COOKIE_FOR_CHILD' });
  for (const uid of UIDS) k.spawn({ uid });
  k.flush();
  const any = (i: number): number => { const ts = k.tasks(); return ts[i % ts.length]!; };
  const mortal = (i: number): number | undefined => { const ts = k.tasks().filter((t) => t !== 1 && t !== k.self); return ts.length ? ts[i % ts.length] : undefined; };
  for (const o of ops) {
    const userOp = !['spawn', 'fork', 'thread', 'exit', 'exec', 'flush'].includes(o.t);
    const before = synchronousEvents && userOp ? snapshot(tg, k) : undefined;
    try {
      switch (o.t) {
        case 'spawn': k.spawn({ uid: o.uid }); break;
        case 'fork': k.fork(any(o.pick)); break;
        case 'thread': k.thread(any(o.pick)); break;
        case 'exit': { const t = mortal(o.pick); if (t !== undefined) k.exit(t); break; }
        case 'exec': k.exec(any(o.pick)); break;
        case 'flush': k.flush(); break;
        case 'mkgroup': tg.create(o.name, { properties: o.prop as ForkProperty }, o.cred); break;
        case 'rmgroup': tg.remove(o.name, o.cred); break;
        case 'add': (o.process ? tg.addProcess : tg.addThread).call(tg, o.name, any(o.pick), o.cred); break;
        case 'setprop': tg.setProperties(o.name, o.prop as ForkProperty, o.cred); break;
        case 'taskprop': tg.setTaskProperty(any(o.pick), o.prop as ForkProperty | undefined, o.cred); break;
        case 'chown': tg.chown(o.name, o.uid, o.uid, o.cred); break;
        case 'chmod': tg.chmod(o.name, o.mode, o.cred); break;
      }
    } catch (e) {
      if (!(e instanceof CgroupError)) throw e;
      if (before !== undefined) assert.deepEqual(snapshot(tg, k), before, `refused ${o.t} (${e.code}) changed nothing`);
    }
    if (synchronousEvents || o.t === 'flush') checkCookies(tg, k);
  }
  k.flush();
  checkCookies(tg, k);
  assert.deepEqual(tg.errors, [], 'no failure while handling events');
}

test('property: cookies follow the groups after any sequence (events at once)', () => {
  fc.assert(fc.property(fc.array(op, { minLength: 5, maxLength: 80 }), (ops) => run(ops, true)), { numRuns: 300 });
});

test('property: cookies follow the groups once late events are handled (host-like)', () => {
  fc.assert(fc.property(fc.array(op, { minLength: 5, maxLength: 80 }), (ops) => run(ops, false)), { numRuns: 300 });
});

/**
 * The prctl sequences behind trust groups. The kernel has no "give task T
 * cookie C" call: a cookie can only be made new (CREATE), pushed from the
 * calling thread (SHARE_TO) or pulled into it (SHARE_FROM). On the host the
 * caller is always the manager's own thread (`kernel.self`), so:
 *
 * - first member of an empty group:  CREATE(self → T, scope)
 * - a later member, M already in it:  SHARE_FROM(self ← M), SHARE_TO(self → T, scope),
 *                                     then the manager's thread gets its own cookie back
 * - back to the root group (cookie 0): SHARE_FROM(self ← U) with U an untagged task
 *                                     (when self holds a cookie), SHARE_TO(self → T, scope),
 *                                     then the manager's thread gets its own cookie back
 *
 * Getting the own cookie back: cookie 0 by SHARE_FROM an untagged task
 * (init first, then the other root tasks; each checked with GET, as it may
 * have been tagged meanwhile); a non-zero cookie (the manager's thread was
 * itself put in a group) by SHARE_FROM another holder of it, or, when the
 * thread was its only holder and the cookie is gone, CREATE a new one for
 * itself (its group's cookie then changes; the caller refreshes it).
 *
 * While a sequence runs the manager's thread holds a group's cookie; it
 * runs synchronously, so that thread forks nothing meanwhile.
 */
import type { CookieScope, CoreSchedKernel } from '../core/coresched.js';
import { CgroupError } from '../core/errors.js';

export interface CookieContext {
  readonly kernel: CoreSchedKernel;
  /** Tasks expected to be untagged (the root group's), best candidates first. */
  untaggedCandidates(): Iterable<number>;
  /** Other tasks expected to hold the same cookie as `tid` (its group's members). */
  holdersLike(tid: number): Iterable<number>;
}

/** ESRCH from the kernel: the task is gone (or, on the host, going). */
export function isGone(e: unknown): boolean {
  return e instanceof CgroupError && e.code === 'ESRCH';
}

/** The cookie of `tid`, or undefined when it is gone. */
export function cookieOf(k: CoreSchedKernel, tid: number): bigint | undefined {
  try {
    return k.getCookie(tid);
  } catch (e) {
    if (isGone(e)) return undefined;
    throw e;
  }
}

/** First member of an empty group: a new cookie for `target`'s scope. */
export function createCookie(ctx: CookieContext, target: number, scope: CookieScope): void {
  ctx.kernel.create(ctx.kernel.self, target, scope);
}

/**
 * Give `target`'s scope the cookie `source` holds (`'untagged'`: cookie 0).
 * `selfIncluded`: the manager's own thread is among the targets, so it
 * keeps the new cookie instead of getting its own back. Cookie 0 can only
 * be had from an untagged task other than the manager's thread: where one
 * is needed and there is none, EAGAIN before anything changed.
 */
export function shareCookie(ctx: CookieContext, source: number | 'untagged', target: number, scope: CookieScope, selfIncluded: boolean): void {
  const k = ctx.kernel;
  const saved = k.getCookie(k.self);
  const want = source === 'untagged' ? 0n : k.getCookie(source);
  const needsZero = (want === 0n && saved !== 0n) || (saved === 0n && want !== 0n && !selfIncluded);
  const anchor = needsZero ? findUntagged(ctx) : undefined;
  if (want !== saved) k.shareFrom(k.self, source === 'untagged' ? anchor! : source);
  let done = false;
  try {
    k.shareTo(k.self, target, scope);
    done = true;
  } finally {
    if (!(done && selfIncluded) && k.getCookie(k.self) !== saved) restore(ctx, saved, anchor);
  }
}

/** An untagged task other than the manager's thread (init first); EAGAIN when there is none (try again once there is). */
function findUntagged(ctx: CookieContext): number {
  const k = ctx.kernel;
  for (const u of ctx.untaggedCandidates()) if (u !== k.self && cookieOf(k, u) === 0n) return u;
  throw new CgroupError('EAGAIN', 'prctl', undefined, `no untagged task besides the manager's own thread ${k.self} to take cookie 0 from: the kernel offers no other way back to cookie 0`);
}

/**
 * The manager's thread gets `saved` back (see the file comment). Where no
 * holder is left (the anchor was tagged or exited meanwhile, or the thread
 * held its cookie alone), it CREATEs a cookie of its own: shared with no
 * other task, so it never co-runs with a group it has no business in.
 */
function restore(ctx: CookieContext, saved: bigint, anchor: number | undefined): void {
  const k = ctx.kernel;
  const holders = saved === 0n ? [...(anchor === undefined ? [] : [anchor]), ...ctx.untaggedCandidates()] : ctx.holdersLike(k.self);
  for (const h of holders) {
    if (h === k.self || cookieOf(k, h) !== saved) continue;
    try {
      k.shareFrom(k.self, h);
      if (k.getCookie(k.self) === saved) return;
    } catch (e) {
      if (!isGone(e)) throw e;
    }
  }
  k.create(k.self, k.self, 'thread');
}

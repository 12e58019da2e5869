export type SignalAction = 'terminate' | 'stop' | 'continue' | 'ignore' | 'none';

/** The default action of a signal for a process that installed no handler. */
export function defaultAction(n: number): SignalAction {
  if (n === 0) return 'none';
  if (n === 19 || n === 20 || n === 21 || n === 22) return 'stop';
  if (n === 18) return 'continue';
  if (n === 17 || n === 23 || n === 28) return 'ignore';
  return 'terminate';
}

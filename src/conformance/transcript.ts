/**
 * Where two transcripts first differ, shown with both versions of the step
 * and the whole of each transcript; undefined when they are equal.
 */
export function firstDifference(sim: readonly string[], host: readonly string[]): string | undefined {
  const n = Math.max(sim.length, host.length);
  for (let i = 0; i < n; i++) {
    if (sim[i] === host[i]) continue;
    return [
      `step ${i + 1}:`,
      `  sim:  ${sim[i] ?? '(end of transcript)'}`,
      `  host: ${host[i] ?? '(end of transcript)'}`,
      '--- sim transcript ---',
      ...sim,
      '--- host transcript ---',
      ...host,
    ].join('\n');
  }
  return undefined;
}

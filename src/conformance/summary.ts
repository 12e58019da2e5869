import type { BackendName } from './adapter.js';

/** Counts for the closing line: what ran where, what was skipped and why. */
export class Summary {
  private readonly runs = new Map<BackendName, number>();
  private readonly skips = new Map<string, number>();
  private comparisons = 0;
  private equal = 0;

  ran(backend: BackendName): void {
    this.runs.set(backend, (this.runs.get(backend) ?? 0) + 1);
  }

  skip(backend: BackendName, reason: string): void {
    const key = `${backend}: ${reason}`;
    this.skips.set(key, (this.skips.get(key) ?? 0) + 1);
  }

  compared(a: readonly string[], b: readonly string[]): void {
    this.comparisons++;
    if (a.length === b.length && a.every((l, i) => l === b[i])) this.equal++;
  }

  line(): string {
    const skipped = [...this.skips.values()].reduce((s, n) => s + n, 0);
    const reasons = [...this.skips].map(([why, n]) => `${n} ${why}`).join('; ');
    return `conformance: sim ran ${this.runs.get('sim') ?? 0}, host ran ${this.runs.get('host') ?? 0}, `
      + `skipped ${skipped}${skipped > 0 ? ` (${reasons})` : ''}; `
      + `sim = host in ${this.equal} of ${this.comparisons} compared`;
  }
}

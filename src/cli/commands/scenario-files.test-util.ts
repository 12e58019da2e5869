/** Scenario files for the tests of `cgkit sim` and `cgkit run`. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { hogScenario } from '../../scenario/hog-scenario.test-util.js';

/** One CPU for 1 s, a hog at the root against one in /guest; expects /guest at 50% ± 2 (line 10). */
export const SMALL = hogScenario({ name: 'small', duration: '1s', expect: ['share of /guest: 50% ± 2'] });

export interface ScenarioDir {
  dir: string;
  /** Write `text` to `<dir>/<name>` and return that path. */
  scenario(name: string, text: string): string;
}

/** A fresh temporary directory (`<prefix>` and six random characters), removed after the calling test file's tests. */
export function scenarioDir(prefix: string): ScenarioDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    scenario(name, text) {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    },
  };
}

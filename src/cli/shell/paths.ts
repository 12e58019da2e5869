import { CGROUP_ROOT, type LayoutSpec } from '../../core/layout.js';

/**
 * Lexical path handling for the shell, the way `cd -L` and the shell's
 * `$PWD` work: `.` and `..` are folded textually, `..` above `/` stays `/`.
 */
export function normalize(abs: string): string {
  const out: string[] = [];
  for (const seg of abs.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** An absolute path for `p` typed in directory `cwd`. */
export function resolvePath(cwd: string, p: string): string {
  return normalize(p.startsWith('/') ? p : `${cwd}/${p}`);
}

export function basename(p: string): string {
  const parts = p.split('/').filter((s) => s !== '');
  return parts[parts.length - 1] ?? '/';
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/**
 * The shell's home: the cgroup v2 mount when the layout has one, else the
 * directory that holds the v1 hierarchies.
 */
export function homeDir(layout: LayoutSpec): string {
  const v2 = layout.mounts.find((m) => m.version === 2);
  return v2 === undefined ? CGROUP_ROOT : normalize(v2.mountPoint);
}

/** `~`, `~/a/b` inside home, else the absolute path (for the prompt). */
export function displayPath(cwd: string, home: string): string {
  if (cwd === home) return '~';
  if (home === '/') return cwd;
  if (cwd.startsWith(home + '/')) return '~' + cwd.slice(home.length);
  return cwd;
}

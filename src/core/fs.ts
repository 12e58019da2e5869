/** What `stat` returns: the parts of a cgroupfs inode that cgkit uses. */
export interface CgroupStat {
  isDirectory: boolean;
  isFile: boolean;
  /** Permission bits (`0o644`), without the file type. */
  mode: number;
  uid: number;
  gid: number;
  /** Inode number; unique within one CgroupFs. */
  ino: number;
}

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

/**
 * The cgroup filesystem, as a process sees it: absolute paths as on a host
 * (`/sys/fs/cgroup/...`, `/proc/<pid>/cgroup`). One interface, two
 * implementations: the simulated kernel (`SimKernel.fs`) and the host
 * (`HostFs`). Every failure is a `CgroupError` with the kernel's errno code.
 *
 * Writes are one `write(2)` each: `writeFile('cgroup.procs', '123')`.
 * Files are read whole.
 */
export interface CgroupFs {
  mkdir(path: string, mode?: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readdirEntries(path: string): Promise<DirEntry[]>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  stat(path: string): Promise<CgroupStat>;
  chown(path: string, uid: number, gid: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

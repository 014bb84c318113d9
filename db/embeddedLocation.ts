/**
 * Where the embedded PostgreSQL of a DATA_DIR keeps its cluster, and how to find it running.
 *
 * Run as root, PostgreSQL runs as user `postgres`, which must be able to enter every folder above
 * its data directory. A clone inside a folder only root can enter (`/root/...`, mode 0700) is
 * not ours to open up, so the cluster then lives under {@link RELOCATED_CLUSTERS_DIR}, one folder
 * per DATA_DIR (named by a hash of its absolute path) — the start logs where (issue 15).
 */
import { createHash } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Parent of relocated clusters (root only). */
export const RELOCATED_CLUSTERS_DIR = '/var/lib/hotline-postgres';

/** True when every folder from `dir` up to `/` can be entered by other users. */
async function enterableByOthers(dir: string): Promise<boolean> {
  for (let d = dir; ; d = path.dirname(d)) {
    if (((await stat(d)).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

/**
 * The cluster's data directory for `dataDir` (absolute, existing): `DATA_DIR/postgres/data`, or,
 * run as root with a folder above DATA_DIR closed to others, a folder under
 * {@link RELOCATED_CLUSTERS_DIR}. Opens DATA_DIR itself to others (o+x, no read) when needed: its
 * secrets stay 0600.
 */
export async function embeddedClusterDir(dataDir: string): Promise<{ dir: string; relocated: boolean }> {
  const inside = path.join(dataDir, 'postgres', 'data');
  if (process.getuid?.() !== 0) return { dir: inside, relocated: false };
  if (await enterableByOthers(path.dirname(dataDir))) {
    const mode = (await stat(dataDir)).mode & 0o777;
    if ((mode & 0o011) !== 0o011) await chmod(dataDir, mode | 0o011);
    return { dir: inside, relocated: false };
  }
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return { dir: path.join(RELOCATED_CLUSTERS_DIR, key, 'data'), relocated: true };
}

/**
 * The port of a PostgreSQL already running on `clusterDir` (from its `postmaster.pid`), or
 * undefined when none runs (no file, or its process is gone).
 */
export async function runningClusterPort(clusterDir: string): Promise<number | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return port;
}

/** Reads a secret file, or creates it with `make()` (mode 0600). */
export async function persistentSecret(file: string, make: () => string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const value = make();
    await writeFile(file, `${value}\n`, { mode: 0o600 });
    return value;
  }
}

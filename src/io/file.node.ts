// Reading and writing whole files as bytes, and making folders. Node-only (node:fs); browser code works on
// Uint8Array directly.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FormatError } from '../errors.js';

/** Temp files of a save of `<dir>/<name>`: `.<name>.zerodl-tmp-<pid>-<12 hex digits>`, beside the target. */
const TEMP_INFIX = '.zerodl-tmp-';

/**
 * Writes `bytes` to `path` so that readers see either the old file or the complete new one, never a
 * half-written file (a crash mid-save must not destroy the previous checkpoint). The temp file sits in
 * the same directory because rename is only atomic within one file system; it is removed on failure, and
 * temp files of this target left by a killed process (whose pid is gone) are removed by the next save.
 *
 * A symlink is written through: the file it points to is replaced (atomically), the link stays. A target that
 * exists and is not a regular file (a directory, a device such as /dev/full, a FIFO, a socket) is refused with a
 * FormatError, since replacing it by a regular file would destroy it; nothing is written then.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const { target, mode } = await saveTarget(path);
  const dir = dirname(target),
    name = basename(target);
  await removeStaleTemps(dir, name);
  const temp = join(dir, `.${name}${TEMP_INFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  let created = false;
  try {
    const handle = await open(temp, 'wx', mode); // wx: never clobber a file we did not create
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync(); // the data must be on disk before the rename makes it visible
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    if (created) await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Checks, before the work whose result will be saved there, that `path` can take a save: new, a regular file, or a
 * symlink to one. A FormatError otherwise (see writeFileAtomic).
 */
export async function checkSaveTarget(path: string): Promise<void> {
  await saveTarget(path);
}

/** The file a save of `path` replaces (symlinks resolved), and the permissions to keep (an existing file's). */
async function saveTarget(path: string): Promise<{ target: string; mode?: number }> {
  let link;
  try {
    link = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { target: path }; // a new file
    throw error;
  }
  let target = path,
    info = link;
  if (link.isSymbolicLink()) {
    try {
      target = await realpath(path);
      info = await stat(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new FormatError(`${path}: a symlink to a missing file (or a loop): expected a regular file or a new path`);
    }
  }
  if (!info.isFile()) {
    const via = target === path ? '' : ` (through the symlink, ${target})`;
    throw new FormatError(
      `${path}: expected a regular file to replace, found ${kindOf(info)}${via}; nothing was written`,
    );
  }
  return { target, mode: info.mode & 0o777 };
}

function kindOf(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isFile()) return 'a regular file';
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  return 'something else';
}

/**
 * Removes `.<name>.zerodl-tmp-<pid>-<hex>` files in `dir` (and those of the earlier naming) whose pid is no running
 * process: left by a save that was killed (kill -9, power loss).
 */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return; // the write itself will report a missing or unreadable folder
  }
  const prefix = `.${name}${TEMP_INFIX}`,
    legacy = `.${name}.`; // legacy: `.<name>.<pid>.<hex>.tmp` of earlier versions
  for (const entry of entries) {
    const m = entry.startsWith(prefix)
      ? /^(\d+)-[0-9a-f]{12}$/.exec(entry.slice(prefix.length))
      : entry.startsWith(legacy)
        ? /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry.slice(legacy.length))
        : null;
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isRunning(pid)) continue; // maybe a save in progress
    await rm(join(dir, entry), { force: true }).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but is another user's
  }
}

/**
 * `mkdir -p` that fails fast: Node 20's `mkdir(path, { recursive: true })` never settles for some paths
 * (`/proc/x`), so the parents are made one by one here. A path that exists must be a directory (or a symlink to
 * one); anything else, or a folder the system refuses to make, is a FormatError naming the path.
 */
export async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return checkDirectory(path);
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw error;
    await makeDirectory(parent);
  }
  try {
    await mkdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return checkDirectory(path); // made meanwhile by someone else
    if (code === 'ENOENT') {
      // The parent exists now, yet the system says it does not: a folder that cannot hold new entries (procfs, sysfs).
      throw new FormatError(`${path}: cannot make this folder (the system refuses new entries in ${dirname(path)})`);
    }
    throw error;
  }
}

async function checkDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new FormatError(`${path}: expected a folder, found ${info ? kindOf(info) : 'a dangling symlink'}`);
  }
}

/** Reads a whole file. A missing file is a FormatError naming the path; other I/O errors pass through. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    // A plain Uint8Array, not a Buffer: Buffer#slice returns a view, Uint8Array#slice a copy.
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FormatError(`${path}: expected a file, found none (no such file or directory)`);
    }
    throw error;
  }
}

/**
 * A report folder's results.json: `value` as one line of JSON, written atomically (writeFileAtomic) into `dir`,
 * made first if missing. The CLI's train/experiment reports and the experiments' Context all write it so.
 * Returns the file's path.
 */
export async function writeResultsJson(dir: string, value: unknown): Promise<string> {
  await makeDirectory(dir);
  const path = join(dir, 'results.json');
  await writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(value) + '\n'));
  return path;
}

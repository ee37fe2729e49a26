// Reading and writing whole files as bytes. Node-only (node:fs); browser code works on Uint8Array directly.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FormatError } from '../errors.js';

/**
 * Writes `bytes` to `path` so that readers see either the old file or the complete new one, never a
 * half-written file (a crash mid-save must not destroy the previous checkpoint). The temp file sits in
 * the same directory because rename is only atomic within one file system; it is removed on failure.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, 'wx'); // wx: never clobber a file we did not create
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync(); // the data must be on disk before the rename makes it visible
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    if (created) await rm(temp, { force: true }).catch(() => undefined);
    throw error;
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

// Issue 10, faults 13 and 14: saving writes through a symlink (the file it points to is replaced, the link stays),
// refuses targets that are not regular files (a device, a FIFO, a folder) instead of replacing them, keeps the
// target's permissions, and removes the temp files a killed save left behind; making a folder the system refuses
// (/proc/x, where Node 20's recursive mkdir never settles) fails at once.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { makeDirectory, writeFileAtomic } from '../../src/io/file.node.js';
import { loadNet, saveNet } from '../../src/io/model.node.js';
import { MultiLayerNet } from '../../src/net/MultiLayerNet.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zerodl-reliab-files-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const bytes = (text: string) => new TextEncoder().encode(text);
const net = () => new MultiLayerNet({ inputSize: 3, hiddenSizes: [4], outputSize: 2, seed: 5, backend: 'js' });

/** The pid of a process that has exited (a process killed mid-save leaves its pid in the temp name). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('saving through symlinks, refusing what is not a regular file', () => {
  it('a symlink to a regular file: the file is replaced, the link stays a link', async () => {
    const real = join(dir, 'real.safetensors'),
      link = join(dir, 'link.safetensors');
    await writeFile(real, 'old');
    await symlink('real.safetensors', link);
    const n = net();
    await saveNet(n, link);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('real.safetensors');
    expect(Array.from((await loadNet(real)).params.W1)).toEqual(Array.from(n.params.W1));
  });

  it.runIf(process.platform !== 'win32')(
    'a FIFO, a folder, a symlink to a FIFO: FormatError, left as they were',
    async () => {
      const fifo = join(dir, 'fifo'),
        folder = join(dir, 'folder'),
        toFifo = join(dir, 'to-fifo');
      execFileSync('mkfifo', [fifo]);
      await mkdir(folder);
      await symlink(fifo, toFifo);
      for (const [path, kind] of [
        [fifo, /a FIFO/],
        [folder, /a directory/],
        [toFifo, /a FIFO .*through the symlink/],
      ] as const) {
        await expect(writeFileAtomic(path, bytes('x')), path).rejects.toThrow(FormatError);
        await expect(saveNet(net(), path), path).rejects.toThrow(kind);
      }
      expect((await lstat(fifo)).isFIFO()).toBe(true);
      expect((await lstat(folder)).isDirectory()).toBe(true);
      expect((await lstat(toFifo)).isSymbolicLink()).toBe(true);
      expect(await readdir(folder)).toEqual([]);
      expect((await readdir(dir)).filter((f) => f.includes('zerodl-tmp'))).toEqual([]); // no temp file left
    },
  );

  // A character device of our own (never a real one such as /dev/null: the old code replaced it by a regular file).
  // mknod needs root; elsewhere the FIFO above stands for every non-regular target.
  it.runIf(process.platform === 'linux' && process.getuid?.() === 0)(
    'a character device: FormatError, still a device',
    async () => {
      const dev = join(dir, 'null-device');
      execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']); // the same device as /dev/null, inside the temp folder
      await expect(writeFileAtomic(dev, bytes('x'))).rejects.toThrow(
        /null-device: expected a regular file to replace, found a character device/,
      );
      expect((await lstat(dev)).isCharacterDevice()).toBe(true);
    },
  );

  it.runIf(process.platform !== 'win32')('the replaced file keeps its permissions', async () => {
    const path = join(dir, 'mode.json');
    await writeFile(path, 'old');
    await chmod(path, 0o640);
    await writeFileAtomic(path, bytes('new'));
    expect((await lstat(path)).mode & 0o777).toBe(0o640);
    expect(await readFile(path, 'utf8')).toBe('new');
  });
});

describe('temp files of killed saves', () => {
  it('a save removes its own stale temp files (dead pid), and keeps those of live processes and of other files', async () => {
    const sub = join(dir, 'stale');
    await mkdir(sub);
    const dead = deadPid();
    const stale = `.m.safetensors.zerodl-tmp-${dead}-0123456789ab`;
    const live = `.m.safetensors.zerodl-tmp-${process.ppid}-0123456789ab`; // the parent process is alive
    const other = `.n.safetensors.zerodl-tmp-${dead}-0123456789ab`; // another target's
    const legacy = `.m.safetensors.${dead}.0123456789ab.tmp`; // the naming of earlier versions
    for (const f of [stale, live, other, legacy]) await writeFile(join(sub, f), 'partial');
    await saveNet(net(), join(sub, 'm.safetensors'));
    expect((await readdir(sub)).sort()).toEqual([live, other, 'm.safetensors'].sort());
  });
});

describe('making folders', () => {
  it.runIf(process.platform === 'linux')(
    '/proc/x and /proc/x/y: FormatError at once (no hang)',
    async () => {
      await expect(makeDirectory('/proc/zerodl-x')).rejects.toThrow(/\/proc\/zerodl-x: cannot make this folder/);
      await expect(makeDirectory('/proc/zerodl-x/y/z')).rejects.toThrow(FormatError);
    },
    10_000,
  );

  it('makes missing parents; an existing folder is fine; a file in the way is a FormatError', async () => {
    await makeDirectory(join(dir, 'a', 'b', 'c'));
    expect((await lstat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    await makeDirectory(join(dir, 'a', 'b'));
    await writeFile(join(dir, 'a', 'file'), '');
    await expect(makeDirectory(join(dir, 'a', 'file'))).rejects.toThrow(
      /a\/file: expected a folder, found a regular file/,
    );
    await expect(makeDirectory(join(dir, 'a', 'file', 'sub'))).rejects.toThrow(/ENOTDIR/);
  });
});

// Issue 10, fault 4: gzip bombs and oversized IDX files in a `--data` folder. A header that declares more than
// MAX_IDX_ITEMS items or MAX_IDX_BYTES bytes is refused before the data is inflated, a stream that inflates past
// its declared size is stopped there, and a file larger than any IDX file may be is refused before it is read:
// each a FormatError naming the file, with the process's peak memory barely moved (it grew by gigabytes before).
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadMnist, MAX_IDX_BYTES, MAX_IDX_ITEMS } from '../../src/data/mnist.node.js';
import { FormatError } from '../../src/errors.js';
import { sink } from '../cli/helpers.js';

const ZEROS = 256 << 20; // what each bomb inflates to; its .gz is ~250 KB
const NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
type Key = keyof typeof NAMES;

/** An IDX header (ubyte) for `dims`. */
function header(dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out.set([0, 0, 8, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

const idx = (dims: number[], data: Uint8Array) => {
  const h = header(dims),
    out = new Uint8Array(h.length + data.length);
  out.set(h);
  out.set(data, h.length);
  return out;
};

/** gzip of `head` then `zeros` zero bytes, made as a stream (the inflated size is never held in memory). */
async function gzipBomb(head: Uint8Array, zeros: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 }),
    chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const ended = once(gz, 'end');
  gz.write(head);
  const block = Buffer.alloc(1 << 20);
  for (let n = 0; n < zeros; n += block.length) if (!gz.write(block)) await once(gz, 'drain');
  gz.end();
  await ended;
  return Buffer.concat(chunks);
}

/** A good folder of 5 + 3 images of 4×4, with `replace` written over some of its files (raw, under `name`). */
async function folder(replace: Partial<Record<Key, { name: string; bytes: Uint8Array }>> = {}): Promise<string> {
  const d = join(root, `set-${count++}`);
  await mkdir(d);
  const good: Record<Key, Uint8Array> = {
    trainImages: idx([5, 4, 4], new Uint8Array(80).fill(7)),
    trainLabels: idx([5], Uint8Array.of(1, 2, 3, 4, 5)),
    testImages: idx([3, 4, 4], new Uint8Array(48).fill(9)),
    testLabels: idx([3], Uint8Array.of(0, 1, 2)),
  };
  for (const key of Object.keys(NAMES) as Key[]) {
    const r = replace[key];
    await writeFile(join(d, r?.name ?? NAMES[key]), r?.bytes ?? good[key]);
  }
  return d;
}

/** Runs `load` and returns its error and how much the process's peak RSS grew meanwhile (bytes). */
async function peakGrowth(load: () => Promise<unknown>): Promise<{ error: unknown; grew: number }> {
  const before = process.resourceUsage().maxRSS * 1024;
  let error: unknown;
  try {
    await load();
  } catch (e) {
    error = e;
  }
  return { error, grew: process.resourceUsage().maxRSS * 1024 - before };
}

let root: string,
  count = 0;
let labelsBomb: Buffer, imagesBomb: Buffer, longStream: Buffer;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'zerodl-reliab-data-'));
  labelsBomb = await gzipBomb(header([0x7fffffff]), ZEROS); // declares 2^31 − 1 labels
  imagesBomb = await gzipBomb(header([5, 1 << 15, 1 << 15]), ZEROS); // 5 images of 32768 × 32768 pixels
  longStream = await gzipBomb(idx([5], Uint8Array.of(1, 2, 3, 4, 5)), ZEROS); // 5 labels, then 256 MB more
});
afterAll(() => rm(root, { recursive: true, force: true }));

// These run first, while the peak RSS of this process is still low (it only ever grows).
describe('gzip bombs are stopped before they inflate', () => {
  it('a 250 KB labels .gz declaring 2^31 − 1 labels: refused from its header', async () => {
    expect(labelsBomb.length).toBeLessThan(1 << 20);
    const dir = await folder({ trainLabels: { name: `${NAMES.trainLabels}.gz`, bytes: labelsBomb } });
    const { error, grew } = await peakGrowth(() => loadMnist({ dir }));
    expect(grew, 'peak RSS growth').toBeLessThan(64 << 20);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toContain(join(dir, `${NAMES.trainLabels}.gz`));
    expect((error as Error).message).toMatch(`declares 2147483647 items, more than the ${MAX_IDX_ITEMS} allowed`);
  });

  it('an images .gz declaring 5 × 32768 × 32768 pixels: refused from its header', async () => {
    const dir = await folder({ testImages: { name: `${NAMES.testImages}.gz`, bytes: imagesBomb } });
    // The test set's labels say 3 images; make them agree so that only the size is wrong.
    await writeFile(join(dir, NAMES.testLabels), idx([5], Uint8Array.of(0, 1, 2, 3, 4)));
    const { error, grew } = await peakGrowth(() => loadMnist({ dir }));
    expect(grew, 'peak RSS growth').toBeLessThan(64 << 20);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toContain(join(dir, `${NAMES.testImages}.gz`));
    expect((error as Error).message).toMatch(`more than the ${MAX_IDX_BYTES} allowed`);
  });

  it('a .gz whose stream goes on past its declared 5 labels: stopped at the declared size', async () => {
    const dir = await folder({ trainLabels: { name: NAMES.trainLabels, bytes: longStream } }); // gzip under the raw name
    const { error, grew } = await peakGrowth(() => loadMnist({ dir }));
    expect(grew, 'peak RSS growth').toBeLessThan(64 << 20);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(/expected 13 bytes once decompressed .*found more/);
  });

  it('a sparse 3 GiB raw file: refused before it is read', async () => {
    const dir = await folder();
    await truncate(join(dir, NAMES.trainImages), 3 * 2 ** 30);
    const { error, grew } = await peakGrowth(() => loadMnist({ dir }));
    expect(grew, 'peak RSS growth').toBeLessThan(64 << 20);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(
      /train-images-idx3-ubyte: 3221225472 bytes, more than an IDX file may have/,
    );
  });

  it('zerodl train --data <folder with a bomb>: one line naming the file, exit 1', async () => {
    const dir = await folder({ trainLabels: { name: `${NAMES.trainLabels}.gz`, bytes: labelsBomb } });
    const stdout = sink(),
      stderr = sink();
    expect(await main(['train', '--data', dir, '--no-out', '--backend', 'js'], { stdout, stderr })).toBe(1);
    expect(stderr.lines).toEqual([
      expect.stringMatching(/^zerodl: .*train-labels-idx1-ubyte\.gz: the IDX header declares/),
    ]);
  });
});

describe('honest files still load', () => {
  it('gzipped and raw files at their declared sizes, and tiny files shorter than the longest header', async () => {
    const gz = (b: Uint8Array) => gzipSync(b);
    const labels = idx([5], Uint8Array.of(1, 2, 3, 4, 5)); // 13 bytes: all of it shorter than a rank-4 header
    const dir = await folder({
      trainLabels: { name: `${NAMES.trainLabels}.gz`, bytes: gz(labels) },
      trainImages: { name: `${NAMES.trainImages}.gz`, bytes: gz(idx([5, 4, 4], new Uint8Array(80).fill(7))) },
    });
    const data = await loadMnist({ dir, normalize: false });
    expect(Array.from(data.tTrain)).toEqual([1, 2, 3, 4, 5]);
    expect(data.xTrain.every((v) => v === 7)).toBe(true);
    expect(Array.from(data.tTest)).toEqual([0, 1, 2]);
    expect([data.rows, data.cols]).toEqual([4, 4]);
  });
});

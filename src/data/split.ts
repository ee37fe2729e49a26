// Seeded shuffling and the train/validation split. Browser-safe.
//
// x holds N rows of rowSize floats; t holds N rows of t.length / N values (labels: 1 per row, one-hot: 10).
// Both are permuted with the same permutation, so row i of x keeps its target.
import { ShapeError, ValueError } from '../errors.js';
import type { TargetArray } from '../net/validate.js';
import { Rng } from '../rng.js';

export type { TargetArray };

/** A uniformly random permutation of 0..n-1 (Fisher–Yates), fixed by `seed`. */
export function permutation(n: number, seed: number): Uint32Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`permutation size: expected an integer ≥ 0, found ${n}`);
  checkSeed(seed);
  const rng = new Rng(seed);
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  return perm;
}

/** New copies of x and t with their rows in the same seeded random order. */
export function shuffle<T extends TargetArray>(
  x: Float32Array,
  t: T,
  rowSize: number,
  seed: number,
): { x: Float32Array; t: T } {
  const { n, tRow } = rowsOf(x, t, rowSize);
  const perm = permutation(n, seed);
  return { x: gather(x, rowSize, perm, 0, n), t: gather(t, tRow, perm, 0, n) };
}

/**
 * Shuffles (as `shuffle` with the same seed), then takes the first floor(N·ratio) rows as the validation set
 * and the rest as the training set, like the book's hyperparameter_optimization.py. All four are fresh arrays.
 */
export function splitValidation<T extends TargetArray>(
  x: Float32Array,
  t: T,
  ratio: number,
  seed: number,
  rowSize: number,
): { xTrain: Float32Array; tTrain: T; xVal: Float32Array; tVal: T } {
  if (!(ratio >= 0 && ratio < 1)) throw new ValueError(`validation ratio: expected a number in [0, 1), found ${ratio}`);
  const { n, tRow } = rowsOf(x, t, rowSize);
  const perm = permutation(n, seed);
  const nVal = Math.floor(n * ratio);
  return {
    xTrain: gather(x, rowSize, perm, nVal, n),
    tTrain: gather(t, tRow, perm, nVal, n),
    xVal: gather(x, rowSize, perm, 0, nVal),
    tVal: gather(t, tRow, perm, 0, nVal),
  };
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new ValueError(`seed: expected an integer, found ${seed}`);
}

function rowsOf(x: Float32Array, t: TargetArray, rowSize: number): { n: number; tRow: number } {
  if (!Number.isSafeInteger(rowSize) || rowSize <= 0) {
    throw new ShapeError(`rowSize: expected a positive integer, found ${rowSize}`);
  }
  if (x.length % rowSize !== 0) {
    throw new ShapeError(`x: expected a whole number of rows of ${rowSize} values, found ${x.length} values`);
  }
  const n = x.length / rowSize;
  if (n === 0) {
    if (t.length !== 0) throw new ShapeError(`t: x has no rows, so expected no targets, found ${t.length} values`);
    return { n, tRow: 1 };
  }
  if (t.length === 0 || t.length % n !== 0) {
    throw new ShapeError(`t: x has ${n} rows, so expected a positive multiple of ${n} values, found ${t.length}`);
  }
  return { n, tRow: t.length / n };
}

// Rows perm[from..to) of src, in that order, as a new array of src's type.
function gather<A extends TargetArray>(src: A, row: number, perm: Uint32Array, from: number, to: number): A {
  const out = sameType(src, (to - from) * row);
  if (row === 1) {
    for (let i = from; i < to; i++) out[i - from] = src[perm[i]];
    return out;
  }
  for (let i = from; i < to; i++) {
    const s = perm[i] * row;
    out.set(src.subarray(s, s + row), (i - from) * row);
  }
  return out;
}

// Not src.constructor: a Node Buffer is a Uint8Array subclass whose constructor is deprecated.
function sameType<A extends TargetArray>(src: A, length: number): A {
  if (src instanceof Float32Array) return new Float32Array(length) as A;
  if (src instanceof Int32Array) return new Int32Array(length) as A;
  return new Uint8Array(length) as A;
}

// Checks of what users hand a net, done before anything is touched, so a bad call leaves the net unchanged.
import { ShapeError, ValueError } from '../errors.js';

/**
 * Targets as the typed arrays the data functions (shuffle, splitValidation of data/split.ts) copy row by row:
 * labels (Uint8Array, Int32Array) or one-hot rows (Float32Array).
 */
export type TargetArray = Uint8Array | Int32Array | Float32Array;

/** What a net and the Trainer accept: integer labels (B; also Uint16Array or number[]) or one-hot rows (B×C, Float32Array). */
export type Targets = TargetArray | Uint16Array | readonly number[];

/** How far from 1 a one-hot (or smoothed) target row may sum: float32 rounding of C terms is far below it. */
export const ONEHOT_SUM_TOLERANCE = 1e-3;

export function checkPositiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ValueError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Checks x is a Float32Array of whole rows of `inputSize` with only finite values; returns the row count B. */
export function checkInput(x: unknown, inputSize: number, what = 'x'): number {
  if (!(x instanceof Float32Array)) {
    throw new ShapeError(`${what} must be a Float32Array of B×${inputSize} values, got ${describe(x)}`);
  }
  if (x.length === 0 || x.length % inputSize !== 0) {
    throw new ShapeError(
      `${what} has ${x.length} values, which is not a whole number (≥ 1) of rows of inputSize ${inputSize}`,
    );
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new ValueError(
        `${what} holds ${x[i]} at index ${i} (row ${Math.floor(i / inputSize)}): inputs must be finite`,
      );
    }
  }
  return x.length / inputSize;
}

/** Checks targets for B rows and C classes; returns whether they are one-hot rows. */
export function checkTargets(t: unknown, B: number, C: number, what = 't'): boolean {
  if (t instanceof Float32Array) {
    if (t.length !== B * C) {
      throw new ShapeError(
        `${what}: a one-hot Float32Array must hold B×C = ${B}×${C} = ${B * C} values, got ${t.length}` +
          (t.length === B ? ' (pass integer labels as an Int32Array or Uint8Array)' : ''),
      );
    }
    for (let i = 0; i < t.length; i++) {
      if (!Number.isFinite(t[i])) throw new ValueError(`${what} holds ${t[i]} at index ${i}: targets must be finite`);
    }
    // Each row is a distribution over the classes (one-hot, or smoothed): cross-entropy of anything else is not a
    // loss (negative entries or rows summing to 5 gave −761.58).
    for (let i = 0; i < B; i++) {
      let sum = 0;
      for (let j = 0; j < C; j++) {
        const v = t[i * C + j];
        if (v < 0) throw new ValueError(`${what}: row ${i} holds ${v} at class ${j}: target rows must be non-negative`);
        sum += v;
      }
      if (Math.abs(sum - 1) > ONEHOT_SUM_TOLERANCE) {
        throw new ValueError(
          `${what}: row ${i} sums to ${sum}: each target row must be a distribution over the ` +
            `${C} classes (non-negative, summing to 1 within ${ONEHOT_SUM_TOLERANCE})`,
        );
      }
    }
    return true;
  }
  if (!(t instanceof Int32Array || t instanceof Uint8Array || t instanceof Uint16Array || Array.isArray(t))) {
    throw new ShapeError(
      `${what} must be integer labels (Int32Array, Uint8Array, number[]) or a one-hot Float32Array, got ${describe(t)}`,
    );
  }
  if (t.length !== B) throw new ShapeError(`${what} has ${t.length} labels for ${B} input rows`);
  for (let i = 0; i < t.length; i++) {
    const label = t[i];
    if (!Number.isInteger(label) || label < 0 || label >= C) {
      throw new ValueError(`${what}[${i}] = ${label} is not a class label in [0, ${C})`);
    }
  }
  return false;
}

/**
 * Checks that idx holds at least B row indices and that idx[0..B) are rows of an N-row dataset ([0, N)), before a
 * gather copies any of them: an index out of range would otherwise read past the data (undefined → a half-copied
 * batch).
 */
export function checkRowIndices(idx: Int32Array, B: number, N: number, what = 'row indices'): void {
  if (!(idx instanceof Int32Array) || idx.length < B) {
    throw new ShapeError(`${what}: expected an Int32Array of at least ${B} row indices, got ${describe(idx)}`);
  }
  for (let i = 0; i < B; i++) {
    if (!(idx[i] >= 0 && idx[i] < N)) {
      throw new ValueError(`${what}: index ${idx[i]} at position ${i} is outside the ${N} rows of the data`);
    }
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Float32Array).length})`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}

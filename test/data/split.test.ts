// Seeded shuffle and the validation split: pairing, permutation, determinism, sizes, argument checks.
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { permutation, shuffle, splitValidation } from '../../src/data/split.js';

const ROW = 3;
const N = 50;
// Row i of x is [i, i + 0.25, i + 0.5], so any row tells which original row it was.
const x = Float32Array.from({ length: N * ROW }, (_, k) => Math.floor(k / ROW) + (k % ROW) * 0.25);
const labels = Int32Array.from({ length: N }, (_, i) => i);
const oneHot = (() => {
  const t = new Float32Array(N * 10);
  for (let i = 0; i < N; i++) t[i * 10 + (i % 10)] = 1;
  return t;
})();

const rowIds = (xs: Float32Array): number[] => {
  const ids: number[] = [];
  for (let r = 0; r < xs.length / ROW; r++) {
    const id = xs[r * ROW];
    expect([...xs.subarray(r * ROW, r * ROW + ROW)]).toEqual([id, id + 0.25, id + 0.5]);
    ids.push(id);
  }
  return ids;
};

describe('shuffle', () => {
  it('keeps rows intact and paired with their labels', () => {
    const s = shuffle(x, labels, ROW, 7);
    expect(s.t).toBeInstanceOf(Int32Array);
    expect(rowIds(s.x)).toEqual([...s.t]);
  });

  it('pairs one-hot rows of 10', () => {
    const s = shuffle(x, oneHot, ROW, 7);
    expect(s.t).toBeInstanceOf(Float32Array);
    rowIds(s.x).forEach((id, r) => {
      expect(s.t.subarray(r * 10, r * 10 + 10).indexOf(1)).toBe(id % 10);
    });
  });

  it('is a permutation, and leaves the inputs alone', () => {
    const before = x.slice();
    const s = shuffle(x, new Uint8Array(labels), ROW, 3);
    expect([...s.t].sort((a, b) => a - b)).toEqual([...labels]);
    expect([...s.t]).not.toEqual([...labels]);
    expect(x).toEqual(before);
    expect(s.x).not.toBe(x);
  });

  it('is deterministic per seed and differs between seeds', () => {
    expect(shuffle(x, labels, ROW, 42)).toEqual(shuffle(x, labels, ROW, 42));
    expect([...shuffle(x, labels, ROW, 42).t]).not.toEqual([...shuffle(x, labels, ROW, 43).t]);
    expect([...permutation(N, 1)]).toEqual([...shuffle(x, labels, ROW, 1).t]);
  });

  it('handles empty and single-row inputs', () => {
    expect(shuffle(new Float32Array(0), new Uint8Array(0), ROW, 1).x.length).toBe(0);
    expect([...shuffle(new Float32Array([1, 2, 3]), new Uint8Array([4]), ROW, 1).x]).toEqual([1, 2, 3]);
  });

  it('rejects inconsistent lengths and bad arguments', () => {
    expect(() => shuffle(x.subarray(1), labels, ROW, 1)).toThrow(ShapeError);
    expect(() => shuffle(x, labels.subarray(1), ROW, 1)).toThrow(ShapeError);
    expect(() => shuffle(x, new Int32Array(0), ROW, 1)).toThrow(ShapeError);
    expect(() => shuffle(x, labels, 0, 1)).toThrow(ShapeError);
    expect(() => shuffle(x, labels, 1.5, 1)).toThrow(ShapeError);
    expect(() => shuffle(x, labels, ROW, 0.5)).toThrow(ValueError);
  });
});

describe('splitValidation', () => {
  it('takes floor(N·ratio) shuffled rows for validation and the rest for training', () => {
    const s = splitValidation(x, labels, 0.2, 9, ROW);
    expect(s.xVal.length).toBe(10 * ROW);
    expect(s.tVal.length).toBe(10);
    expect(s.xTrain.length).toBe(40 * ROW);
    expect(s.tTrain.length).toBe(40);
    expect(rowIds(s.xVal)).toEqual([...s.tVal]);
    expect(rowIds(s.xTrain)).toEqual([...s.tTrain]);
    const all = [...s.tVal, ...s.tTrain];
    expect(new Set(all).size).toBe(N); // disjoint and complete
    // the same permutation as shuffle with the same seed
    expect(all).toEqual([...shuffle(x, labels, ROW, 9).t]);
  });

  it('rounds down and allows ratio 0', () => {
    expect(splitValidation(x, labels, 0.33, 1, ROW).tVal.length).toBe(16);
    const none = splitValidation(x, labels, 0, 1, ROW);
    expect(none.tVal.length).toBe(0);
    expect(none.tTrain.length).toBe(N);
  });

  it('splits one-hot targets by rows of 10', () => {
    const s = splitValidation(x, oneHot, 0.5, 2, ROW);
    expect(s.tVal.length).toBe(25 * 10);
    rowIds(s.xVal).forEach((id, r) => expect(s.tVal.subarray(r * 10, r * 10 + 10).indexOf(1)).toBe(id % 10));
  });

  it('rejects a ratio outside [0, 1)', () => {
    for (const ratio of [-0.1, 1, 1.5, NaN]) {
      expect(() => splitValidation(x, labels, ratio, 1, ROW)).toThrow(ValueError);
    }
    expect(() => splitValidation(x, labels, 1, 1, ROW)).toThrow(/ratio.*\[0, 1\).*found 1/);
  });

  it('rejects inconsistent lengths', () => {
    expect(() => splitValidation(x, labels.subarray(3), 0.2, 1, ROW)).toThrow(ShapeError);
    expect(() => splitValidation(x, labels, 0.2, 1, 7)).toThrow(ShapeError);
  });
});

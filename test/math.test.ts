// src/math.ts: the one softmax / argmax / sig6 the net, the CLI, the experiments, the plots and the demo share.
import { describe, expect, it } from 'vitest';
import { argmax, argmaxRow, sig6, softmax } from '../src/math.js';

describe('math', () => {
  it('argmax: the first of equal largest values, as numpy; argmaxRow reads one row of a B×C matrix', () => {
    expect(argmax([0.1, 0.7, 0.7, 0.2])).toBe(1);
    expect(argmax([-3])).toBe(0);
    const t = new Float32Array([0, 1, 0, /* row 1 */ 0.2, 0.3, 0.5, /* row 2 */ 1, 0, 0]);
    expect([0, 1, 2].map((r) => argmaxRow(t, r, 3))).toEqual([1, 2, 0]);
  });

  it('softmax of a row sums to 1 and keeps the order of the scores', () => {
    const p = softmax(new Float32Array([2, -1, 0.5]));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(argmax(p)).toBe(0);
    expect(p[1]).toBeLessThan(p[2]);
  });

  it('sig6: 6 significant digits, integers and non-finite values unchanged', () => {
    expect(sig6(Math.PI)).toBe(3.14159);
    expect(sig6(1 / 3e7)).toBe(3.33333e-8);
    expect(sig6(123456789)).toBe(123456789);
    expect(sig6(Number.NaN)).toBeNaN();
    expect(sig6(-Infinity)).toBe(-Infinity);
  });
});

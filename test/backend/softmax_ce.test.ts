// The kernels of softmax with cross-entropy and argmax (assembly/softmax_ce.ts, src/backend/js/softmax_ce.ts):
//   1. wasm against js on identical random inputs at many shapes, labels as indices and one-hot, and in place;
//   2. known answers independent of either backend: a hand softmax example, no overflow on large scores, argmax ties.
// Buffers, inputs and the js-vs-wasm comparison: ./kernel-helpers.ts.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { Rng } from '../../src/rng.js';
import { expectClose, expectCloseTo } from '../helpers.js';
import {
  backends,
  useBackends,
  SHAPES,
  TOL,
  onBoth,
  compare,
  randn,
  uniform,
  labels,
  onehot,
  sumOf,
  f,
  i32,
} from './kernel-helpers.js';

useBackends();

// ---- 1. wasm matches js ---------------------------------------------------------------------------------------

describe('softmax_ce: wasm matches js', () => {
  it.each(SHAPES)('softmax_ce_forward B=%i C=%i', (B, C) => {
    const rng = new Rng(B * 1000 + C);
    const x = randn(rng, B * C, 3);
    const t = labels(rng, B, C);
    const r = onBoth({ y: new Float32Array(B * C), x, t }, (b, s) => b.softmax_ce_forward(s.y, s.x, s.t, B, C));
    compare(r, ['y'], TOL, 'softmax_ce_forward');
    expectCloseTo(r.wasmOut, r.jsOut, TOL, 'softmax_ce_forward loss');
    for (let i = 0; i < B; i++)
      expectCloseTo(sumOf(r.wasm.y.subarray(i * C, i * C + C)), 1, 1e-6, `row ${i} sums to 1`);
  });

  it.each(SHAPES)('softmax_ce_backward B=%i C=%i (and dx = y in place)', (B, C) => {
    const rng = new Rng(B * 1000 + C + 1);
    const y = uniform(rng, B * C, 0, 1);
    const t = labels(rng, B, C);
    const r = onBoth({ dx: new Float32Array(B * C), y, t }, (b, s) => b.softmax_ce_backward(s.dx, s.y, s.t, B, C));
    compare(r, ['dx'], TOL, 'softmax_ce_backward');
    const p = onBoth({ y, t }, (b, s) => b.softmax_ce_backward(s.y, s.y, s.t, B, C));
    expectClose(p.wasm.y, r.js.dx, TOL, 'softmax_ce_backward in place (wasm)');
    expectClose(p.js.y, r.js.dx, 0, 'softmax_ce_backward in place (js)');
  });

  it.each(SHAPES)('softmax_ce_onehot_forward B=%i C=%i', (B, C) => {
    const rng = new Rng(B * 1000 + C + 2);
    const x = randn(rng, B * C, 3);
    const t = onehot(labels(rng, B, C), C);
    const r = onBoth({ y: new Float32Array(B * C), x, t }, (b, s) => b.softmax_ce_onehot_forward(s.y, s.x, s.t, B, C));
    compare(r, ['y'], TOL, 'softmax_ce_onehot_forward');
    expectCloseTo(r.wasmOut, r.jsOut, TOL, 'softmax_ce_onehot_forward loss');
  });

  it.each(SHAPES)('softmax_ce_onehot_backward B=%i C=%i (and dx = y in place)', (B, C) => {
    const rng = new Rng(B * 1000 + C + 3);
    const y = uniform(rng, B * C, 0, 1);
    const t = onehot(labels(rng, B, C), C);
    const r = onBoth({ dx: new Float32Array(B * C), y, t }, (b, s) =>
      b.softmax_ce_onehot_backward(s.dx, s.y, s.t, B, C),
    );
    compare(r, ['dx'], TOL, 'softmax_ce_onehot_backward');
    const p = onBoth({ y, t }, (b, s) => b.softmax_ce_onehot_backward(s.y, s.y, s.t, B, C));
    expectClose(p.wasm.y, r.js.dx, TOL, 'softmax_ce_onehot_backward in place (wasm)');
    expectClose(p.js.y, r.js.dx, 0, 'softmax_ce_onehot_backward in place (js)');
  });

  it.each(SHAPES)('argmax_correct B=%i C=%i (ties: the first maximum wins)', (B, C) => {
    const rng = new Rng(B * 1000 + C + 4);
    const x = new Float32Array(B * C).map(() => rng.int(3)); // small integers: many ties
    const t = new Int32Array(B);
    let expected = 0;
    for (let i = 0; i < B; i++) {
      let first = 0;
      for (let c = 1; c < C; c++) if (x[i * C + c] > x[i * C + first]) first = c;
      t[i] = rng.uniform() < 0.5 ? first : rng.int(C);
      if (t[i] === first) expected++;
    }
    const r = onBoth({ x, t }, (b, s) => b.argmax_correct(s.x, s.t, B, C));
    expect(r.jsOut).toBe(expected);
    expect(r.wasmOut).toBe(expected);
  });
});

// ---- 2. known answers, on both backends ------------------------------------------------------------------------

describe.each(['js', 'wasm'] as const)('known answers (%s)', (name) => {
  const be = (): Backend => (name === 'js' ? backends.js : backends.wasm);

  it('softmax cross-entropy on a hand example', () => {
    const b = be();
    const e = [Math.E, Math.E ** 2, Math.E ** 3];
    const z = e[0] + e[1] + e[2];
    const y0 = e.map((v) => v / z); // softmax of [1, 2, 3]
    const y1 = [1 / 3, 1 / 3, 1 / 3]; // softmax of [0, 0, 0]

    const x = f(b, [1, 2, 3]);
    const y = f(b, [0, 0, 0]);
    const loss1 = b.softmax_ce_forward(y, x, i32(b, [2]), 1, 3);
    expectCloseTo(loss1, -Math.log(Math.exp(3) / z + 1e-7), 1e-6, 'loss, B = 1');
    expectCloseTo(loss1, 0.40760596, 1e-6, 'loss, B = 1, the number');
    expectClose(y, y0, 1e-6, 'y, B = 1');

    const x2 = f(b, [1, 2, 3, 0, 0, 0]);
    const y2 = f(b, new Array(6).fill(0));
    const t2 = i32(b, [2, 0]);
    const expectedLoss = (-Math.log(y0[2] + 1e-7) - Math.log(1 / 3 + 1e-7)) / 2;
    expectCloseTo(b.softmax_ce_forward(y2, x2, t2, 2, 3), expectedLoss, 1e-6, 'loss, B = 2 (the mean)');
    expectClose(y2, [...y0, ...y1], 1e-6, 'y, B = 2');
    const dx = f(b, new Array(6).fill(0));
    b.softmax_ce_backward(dx, y2, t2, 2, 3);
    const dxExpected = [y0[0] / 2, y0[1] / 2, (y0[2] - 1) / 2, (y1[0] - 1) / 2, y1[1] / 2, y1[2] / 2];
    expectClose(dx, dxExpected, 1e-6, 'dx = (y − onehot) / B');

    const t2h = f(b, [0, 0, 1, 1, 0, 0]);
    const y3 = f(b, new Array(6).fill(0));
    expectCloseTo(b.softmax_ce_onehot_forward(y3, x2, t2h, 2, 3), expectedLoss, 1e-6, 'one-hot loss');
    expectClose(y3, [...y0, ...y1], 1e-6, 'one-hot y');
    b.softmax_ce_onehot_backward(y3, y3, t2h, 2, 3); // in place
    expectClose(y3, dxExpected, 1e-6, 'one-hot dx');

    // a large score does not overflow (the row max is subtracted)
    const big = f(b, [1000, 0]);
    const yb = f(b, [0, 0]);
    expectCloseTo(b.softmax_ce_forward(yb, big, i32(b, [0]), 1, 2), -Math.log(1 + 1e-7), 1e-6, 'large scores');
    expectClose(yb, [1, 0], 0, 'large scores y');
  });

  it('argmax_correct counts the first maximum', () => {
    const b = be();
    const x = f(b, [1, 3, 3, 0, 0, 0, 5, 1, 2, -1, -2, -0.5]);
    expect(b.argmax_correct(x, i32(b, [1, 0, 0, 2]), 4, 3)).toBe(4);
    expect(b.argmax_correct(x, i32(b, [2, 1, 0, 2]), 4, 3)).toBe(2);
  });
});

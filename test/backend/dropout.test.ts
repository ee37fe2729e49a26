// The kernels of Dropout (assembly/dropout.ts, src/backend/js/dropout.ts):
//   1. wasm against js on identical random inputs at many sizes: identical masks and RNG state, and in place;
//   2. known answers independent of either backend: dropout statistics, test-time scaling, backward through the mask.
// Buffers, inputs and the js-vs-wasm comparison: ./kernel-helpers.ts.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { Rng } from '../../src/rng.js';
import { expectClose } from '../helpers.js';
import { backends, useBackends, SIZES, TOL, place, onBoth, compare, randn, sumOf } from './kernel-helpers.js';

useBackends();

// ---- 1. wasm matches js ---------------------------------------------------------------------------------------

describe('dropout: wasm matches js', () => {
  it.each(SIZES)('dropout_forward_train n=%i: identical masks and RNG state, over two calls', (n) => {
    for (const ratio of [0, 0.2, 0.5, 0.7, 0.9, 1]) {
      const rng = new Rng(n + 400);
      const state = new Int32Array([rng.fork()]);
      const x = randn(rng, n);
      const r = onBoth({ y: new Float32Array(n), mask: new Float32Array(n), x, rng: state }, (b, s) => {
        b.dropout_forward_train(s.y, s.mask, s.x, s.rng, n, ratio);
        const first = { y: Float32Array.from(s.y), mask: Float32Array.from(s.mask), rng: s.rng[0] };
        b.dropout_forward_train(s.y, s.mask, s.x, s.rng, n, ratio); // continues the stream
        return first;
      });
      const label = `dropout_forward_train ratio=${ratio}`;
      expectClose(r.wasmOut.mask, r.jsOut.mask, 0, `${label} mask (call 1)`);
      expectClose(r.wasmOut.y, r.jsOut.y, 0, `${label} y (call 1)`);
      expect(r.wasmOut.rng, `${label} rng (call 1)`).toBe(r.jsOut.rng);
      compare(r, ['mask', 'y', 'rng'], 0, `${label} (call 2)`);
      expect(r.js.rng[0]).not.toBe(r.jsOut.rng);
    }
  });

  it.each(SIZES)('dropout_forward_train n=%i in place', (n) => {
    const rng = new Rng(n + 500);
    const state = new Int32Array([rng.fork()]);
    const x = randn(rng, n);
    const r = onBoth({ mask: new Float32Array(n), x, rng: state }, (b, s) =>
      b.dropout_forward_train(s.x, s.mask, s.x, s.rng, n, 0.5),
    );
    compare(r, ['mask', 'x', 'rng'], 0, 'dropout_forward_train in place');
    for (let i = 0; i < n; i++) expect(r.wasm.x[i]).toBe(x[i] * r.wasm.mask[i]);
  });

  it.each(SIZES)('dropout_forward_infer n=%i (and in place)', (n) => {
    const rng = new Rng(n + 600);
    const x = randn(rng, n);
    const r = onBoth({ y: new Float32Array(n), x }, (b, s) => b.dropout_forward_infer(s.y, s.x, n, 0.3));
    compare(r, ['y'], TOL, 'dropout_forward_infer');
    const p = onBoth({ x }, (b, s) => b.dropout_forward_infer(s.x, s.x, n, 0.3));
    expectClose(p.wasm.x, r.js.y, TOL, 'dropout_forward_infer in place (wasm)');
    expectClose(p.js.x, r.js.y, 0, 'dropout_forward_infer in place (js)');
  });

  it.each(SIZES)('dropout_backward n=%i (and in place)', (n) => {
    const rng = new Rng(n + 700);
    const dy = randn(rng, n);
    const mask = new Float32Array(n).map(() => (rng.uniform() < 0.5 ? 1 : 0));
    const r = onBoth({ dx: new Float32Array(n), dy, mask }, (b, s) => b.dropout_backward(s.dx, s.dy, s.mask, n));
    compare(r, ['dx'], 0, 'dropout_backward');
    const p = onBoth({ dy, mask }, (b, s) => b.dropout_backward(s.dy, s.dy, s.mask, n));
    expectClose(p.wasm.dy, r.js.dx, 0, 'dropout_backward in place (wasm)');
    expectClose(p.js.dy, r.js.dx, 0, 'dropout_backward in place (js)');
  });
});

// ---- 2. known answers, on both backends ------------------------------------------------------------------------

describe.each(['js', 'wasm'] as const)('known answers (%s)', (name) => {
  const be = (): Backend => (name === 'js' ? backends.js : backends.wasm);

  it.each([0.2, 0.5])('dropout keeps 1 − ratio of the units (within 3σ, n = 100000, ratio %f)', (ratio) => {
    const b = be();
    const n = 100_000;
    const rng = new Rng(904);
    const s = place(b, {
      x: randn(rng, n),
      y: new Float32Array(n),
      mask: new Float32Array(n),
      rng: new Int32Array([rng.fork()]),
    });
    b.dropout_forward_train(s.y, s.mask, s.x, s.rng, n, ratio);
    let kept = 0;
    let bad = 0; // masks other than 0/1, or y ≠ x · mask
    for (let i = 0; i < n; i++) {
      if (s.mask[i] === 1) kept++;
      else if (s.mask[i] !== 0) bad++;
      if (s.y[i] !== s.x[i] * s.mask[i]) bad++;
    }
    expect(bad).toBe(0);
    const sigma = Math.sqrt(n * ratio * (1 - ratio));
    expect(Math.abs(kept - n * (1 - ratio))).toBeLessThan(3 * sigma);
  });

  it('dropout test-time scaling and backward through the mask only', () => {
    const b = be();
    const n = 19;
    const rng = new Rng(905);
    const ratio = 0.3;
    const s = place(b, {
      x: randn(rng, n),
      y: new Float32Array(n),
      mask: new Float32Array(n),
      rng: new Int32Array([rng.fork()]),
      dy: randn(rng, n),
      dx: new Float32Array(n),
    });
    b.dropout_forward_infer(s.y, s.x, n, ratio);
    expectClose(
      s.y,
      Array.from(s.x, (v) => v * (1 - ratio)),
      1e-6,
      'y = x · (1 − ratio)',
    );
    b.dropout_forward_train(s.y, s.mask, s.x, s.rng, n, ratio);
    b.dropout_backward(s.dx, s.dy, s.mask, n);
    for (let i = 0; i < n; i++) expect(s.dx[i] + 0).toBe(s.mask[i] === 1 ? s.dy[i] : 0); // + 0: −0 → 0
    expect(sumOf(s.mask)).toBeGreaterThan(0);
    expect(sumOf(s.mask)).toBeLessThan(n);
  });
});

// The kernels of relu and sigmoid (assembly/activation.ts, src/backend/js/activation.ts):
//   1. wasm against js on identical random inputs, at many sizes (SIMD bodies, scalar tails, both together), and in place;
//   2. known answers independent of either backend: sigmoid against f64 over [−80, 80], finite differences for the
//      backward passes.
// Buffers, inputs and the js-vs-wasm comparison: ./kernel-helpers.ts.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { Rng } from '../../src/rng.js';
import { expectClose } from '../helpers.js';
import { backends, useBackends, SIZES, TOL, place, onBoth, compare, randn, uniform } from './kernel-helpers.js';

useBackends();

// ---- 1. wasm matches js ---------------------------------------------------------------------------------------

describe('activation: wasm matches js', () => {
  it.each(SIZES)('relu_forward n=%i (and in place)', (n) => {
    const rng = new Rng(n);
    const x = randn(rng, n);
    for (let i = 0; i < n; i += 7) x[i] = 0;
    const r = onBoth({ y: new Float32Array(n), x }, (b, s) => b.relu_forward(s.y, s.x, n));
    compare(r, ['y'], 0, 'relu_forward');
    for (let i = 0; i < n; i++) expect(r.js.y[i]).toBe(Math.max(0, x[i]));
    const p = onBoth({ x }, (b, s) => b.relu_forward(s.x, s.x, n));
    expectClose(p.wasm.x, r.js.y, 0, 'relu_forward in place (wasm)');
    expectClose(p.js.x, r.js.y, 0, 'relu_forward in place (js)');
  });

  it.each(SIZES)('relu_backward n=%i (and in place)', (n) => {
    const rng = new Rng(100 + n);
    const y = randn(rng, n).map((v) => Math.max(0, v));
    const dy = randn(rng, n);
    const r = onBoth({ dx: new Float32Array(n), dy, y }, (b, s) => b.relu_backward(s.dx, s.dy, s.y, n));
    compare(r, ['dx'], 0, 'relu_backward');
    const p = onBoth({ dy, y }, (b, s) => b.relu_backward(s.dy, s.dy, s.y, n));
    expectClose(p.wasm.dy, r.js.dx, 0, 'relu_backward in place (wasm)');
    expectClose(p.js.dy, r.js.dx, 0, 'relu_backward in place (js)');
  });

  it.each(SIZES)('sigmoid_forward n=%i (and in place)', (n) => {
    const rng = new Rng(200 + n);
    const x = uniform(rng, n, -12, 12);
    [0, 100, -100, 30, -30].forEach((v, i) => {
      if (i < n) x[n - 1 - i] = v;
    }); // saturation, in the tail
    const r = onBoth({ y: new Float32Array(n), x }, (b, s) => b.sigmoid_forward(s.y, s.x, n));
    compare(r, ['y'], 1e-6, 'sigmoid_forward');
    const p = onBoth({ x }, (b, s) => b.sigmoid_forward(s.x, s.x, n));
    expectClose(p.wasm.x, r.js.y, 1e-6, 'sigmoid_forward in place (wasm)');
    expectClose(p.js.x, r.js.y, 0, 'sigmoid_forward in place (js)');
  });

  it.each(SIZES)('sigmoid_backward n=%i (and in place)', (n) => {
    const rng = new Rng(300 + n);
    const y = uniform(rng, n, 0, 1);
    const dy = randn(rng, n);
    const r = onBoth({ dx: new Float32Array(n), dy, y }, (b, s) => b.sigmoid_backward(s.dx, s.dy, s.y, n));
    compare(r, ['dx'], TOL, 'sigmoid_backward');
    const p = onBoth({ dy, y }, (b, s) => b.sigmoid_backward(s.dy, s.dy, s.y, n));
    expectClose(p.wasm.dy, r.js.dx, TOL, 'sigmoid_backward in place (wasm)');
    expectClose(p.js.dy, r.js.dx, 0, 'sigmoid_backward in place (js)');
  });
});

// ---- 2. known answers, on both backends ------------------------------------------------------------------------

describe.each(['js', 'wasm'] as const)('known answers (%s)', (name) => {
  const be = (): Backend => (name === 'js' ? backends.js : backends.wasm);

  it('sigmoid is accurate to 1e-6 relative over [−80, 80]', () => {
    const b = be();
    const n = 16001;
    const s = place(b, { x: Float32Array.from({ length: n }, (_, i) => -80 + i / 100), y: new Float32Array(n) });
    b.sigmoid_forward(s.y, s.x, n);
    const ratio = Array.from(s.x, (x, i) => s.y[i] * (1 + Math.exp(-x))); // y / sigmoid(x) in f64
    expectClose(ratio, new Array(n).fill(1), 1e-6, 'y / sigmoid(x)');
  });

  it('relu and sigmoid backward match finite differences', () => {
    const b = be();
    const n = 37;
    const rng = new Rng(900);
    const h = 1e-2;
    for (const kind of ['relu', 'sigmoid'] as const) {
      const x0 =
        kind === 'relu'
          ? randn(rng, n).map((v) => Math.sign(v) * (0.1 + Math.abs(v))) // keep away from the kink at 0
          : uniform(rng, n, -5, 5);
      const s = place(b, {
        x: x0,
        xp: x0.map((v) => v + h),
        xm: x0.map((v) => v - h),
        y: new Float32Array(n),
        yp: new Float32Array(n),
        ym: new Float32Array(n),
        r: randn(rng, n),
        dx: new Float32Array(n),
      });
      const forward = kind === 'relu' ? b.relu_forward.bind(b) : b.sigmoid_forward.bind(b);
      forward(s.y, s.x, n);
      forward(s.yp, s.xp, n);
      forward(s.ym, s.xm, n);
      // L = Σ r · f(x) is a sum of independent terms, so one central difference per element
      const fd = Array.from(s.x, (_, i) => (s.r[i] * (s.yp[i] - s.ym[i])) / (s.xp[i] - s.xm[i]));
      (kind === 'relu' ? b.relu_backward.bind(b) : b.sigmoid_backward.bind(b))(s.dx, s.r, s.y, n);
      expectClose(s.dx, fd, 1e-4, `${kind} dx vs finite differences`);
    }
  });
});

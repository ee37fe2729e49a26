// The kernels of the optimizer updates, weight decay and Σ w² (assembly/optim.ts, src/backend/js/optim.ts):
//   1. wasm against js on identical random inputs at many sizes, for the parameters and every optimizer state;
//   2. known answers independent of either backend: hand-computed optimizer steps in f64 (Nesterov: the book's own
//      numbers).
// Buffers, inputs and the js-vs-wasm comparison: ./kernel-helpers.ts.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { Rng } from '../../src/rng.js';
import { book } from '../book/vectors.js';
import { expectClose, expectCloseTo } from '../helpers.js';
import {
  backends,
  useBackends,
  SIZES,
  TOL,
  place,
  onBoth,
  compare,
  randn,
  uniform,
  f,
  type Bufs,
} from './kernel-helpers.js';

useBackends();

// ---- 1. wasm matches js ---------------------------------------------------------------------------------------

describe('optim: wasm matches js (3 steps, fresh gradients each step)', () => {
  /** Runs `step` three times on both backends with new random gradients, comparing `keys` after each. */
  function threeSteps<S extends Bufs & { g: Float32Array }>(
    n: number,
    seed: number,
    init: S,
    keys: (keyof S & string)[],
    step: (b: Backend, s: S, t: number) => void,
    label: string,
  ): void {
    const rng = new Rng(seed);
    const sj = place(backends.js, init);
    const sw = place(backends.wasm, init);
    for (let t = 1; t <= 3; t++) {
      const g = randn(rng, n, 0.5);
      sj.g.set(g);
      sw.g.set(g);
      step(backends.js, sj, t);
      step(backends.wasm, sw, t);
      for (const k of keys) expectClose(sw[k], sj[k], TOL, `${label} step ${t} ${k}`);
    }
  }
  const param = (rng: Rng, n: number): Float32Array => randn(rng, n);

  it.each(SIZES)('sgd_update n=%i', (n) => {
    const rng = new Rng(n + 800);
    threeSteps(
      n,
      n,
      { p: param(rng, n), g: new Float32Array(n) },
      ['p'],
      (b, s) => b.sgd_update(s.p, s.g, n, 0.01),
      'sgd_update',
    );
  });

  it.each(SIZES)('momentum_update n=%i', (n) => {
    const rng = new Rng(n + 801);
    threeSteps(
      n,
      n,
      { p: param(rng, n), g: new Float32Array(n), v: randn(rng, n, 0.01) },
      ['p', 'v'],
      (b, s) => b.momentum_update(s.p, s.g, s.v, n, 0.01, 0.9),
      'momentum_update',
    );
  });

  it.each(SIZES)('nesterov_update n=%i', (n) => {
    const rng = new Rng(n + 802);
    threeSteps(
      n,
      n,
      { p: param(rng, n), g: new Float32Array(n), v: randn(rng, n, 0.01) },
      ['p', 'v'],
      (b, s) => b.nesterov_update(s.p, s.g, s.v, n, 0.01, 0.9),
      'nesterov_update',
    );
  });

  it.each(SIZES)('adagrad_update n=%i', (n) => {
    const rng = new Rng(n + 803);
    threeSteps(
      n,
      n,
      { p: param(rng, n), g: new Float32Array(n), h: uniform(rng, n, 0, 0.1) },
      ['p', 'h'],
      (b, s) => b.adagrad_update(s.p, s.g, s.h, n, 0.01),
      'adagrad_update',
    );
  });

  it.each(SIZES)('rmsprop_update n=%i', (n) => {
    const rng = new Rng(n + 804);
    threeSteps(
      n,
      n,
      { p: param(rng, n), g: new Float32Array(n), h: uniform(rng, n, 0, 0.1) },
      ['p', 'h'],
      (b, s) => b.rmsprop_update(s.p, s.g, s.h, n, 0.01, 0.99),
      'rmsprop_update',
    );
  });

  it.each(SIZES)('adam_update n=%i', (n) => {
    const rng = new Rng(n + 805);
    const [lr, beta1, beta2] = [0.001, 0.9, 0.999];
    threeSteps(
      n,
      n,
      { p: param(rng, n), g: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) },
      ['p', 'm', 'v'],
      (b, s, t) =>
        b.adam_update(s.p, s.g, s.m, s.v, n, (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t), beta1, beta2),
      'adam_update',
    );
  });

  it.each(SIZES)('weight_decay_backward n=%i', (n) => {
    const rng = new Rng(n + 806);
    const r = onBoth({ dw: randn(rng, n), w: randn(rng, n) }, (b, s) => b.weight_decay_backward(s.dw, s.w, n, 0.1));
    compare(r, ['dw'], TOL, 'weight_decay_backward');
  });

  it.each(SIZES)('sum_squares n=%i (f64 accumulation)', (n) => {
    const rng = new Rng(n + 807);
    const w = randn(rng, n, 3);
    let exact = 0;
    for (let i = 0; i < n; i++) exact += w[i] * w[i];
    const r = onBoth({ w }, (b, s) => b.sum_squares(s.w, n));
    // 1e-12 relative: f32 accumulation would be off by ~1e-7·√n
    expectCloseTo(r.jsOut / exact, 1, 1e-12, 'sum_squares js');
    expectCloseTo(r.wasmOut / exact, 1, 1e-12, 'sum_squares wasm');
  });
});

// ---- 2. known answers, on both backends ------------------------------------------------------------------------

describe.each(['js', 'wasm'] as const)('known answers (%s)', (name) => {
  const be = (): Backend => (name === 'js' ? backends.js : backends.wasm);

  describe('optimizers: three steps on a 2-element parameter, by hand in f64', () => {
    const p0 = [1, -0.5];
    const grads = [
      [0.5, -0.25],
      [0.25, 0.125],
      [-0.5, 0.75],
    ];
    const lr = 0.1;
    const momentum = 0.9;

    /** Runs `update` three times on p (and the state buffers), checking p and the state against `expected`. */
    function check(
      state: number,
      update: (b: Backend, p: Float32Array, g: Float32Array, s: Float32Array[], t: number) => void,
      expected: (t: number) => number[][],
    ): void {
      const b = be();
      b.reserve(64);
      const p = f(b, p0);
      const g = f(b, [0, 0]);
      const s = Array.from({ length: state }, () => f(b, [0, 0]));
      for (let t = 1; t <= 3; t++) {
        g.set(grads[t - 1]);
        update(b, p, g, s, t);
        const [pe, ...se] = expected(t);
        expectClose(p, pe, 1e-6, `step ${t} p`);
        se.forEach((e, k) => expectClose(s[k], e, 1e-6, `step ${t} state ${k}`));
      }
    }

    it('SGD', () => {
      const p = [...p0];
      check(
        0,
        (b, pp, g) => b.sgd_update(pp, g, 2, lr),
        (t) => {
          for (let i = 0; i < 2; i++) p[i] -= lr * grads[t - 1][i];
          return [[...p]];
        },
      );
    });

    it('Momentum', () => {
      const p = [...p0];
      const v = [0, 0];
      check(
        1,
        (b, pp, g, [vv]) => b.momentum_update(pp, g, vv, 2, lr, momentum),
        (t) => {
          for (let i = 0; i < 2; i++) {
            v[i] = momentum * v[i] - lr * grads[t - 1][i];
            p[i] += v[i];
          }
          return [[...p], [...v]];
        },
      );
    });

    it("Nesterov: the book's own numbers (p moves with the OLD v, then v is updated)", () => {
      // From the book's common/optimizer.py (test/fixtures/book-vectors.json): W of 12 elements over 3 steps, run
      // whole (SIMD body) and as its first 7 elements (body + scalar tail). float32 vs float64: 1e-6 relative.
      const run = book.optimizers.runs.Nesterov;
      for (const n of [12, 7]) {
        const b = be();
        b.reserve(64);
        const p = f(b, book.optimizers.start_params.W.data.slice(0, n));
        const v = f(b, new Array(n).fill(0));
        const g = f(b, new Array(n).fill(0));
        for (let t = 0; t < 3; t++) {
          g.set(book.optimizers.grads[t].W.data.slice(0, n));
          b.nesterov_update(p, g, v, n, run.hyperparameters.lr, run.hyperparameters.momentum);
          expectClose(p, run.params_after[t].W.data.slice(0, n), 1e-6, `n=${n} step ${t + 1} p`);
          expectClose(v, run.state_after[t].v.W.data.slice(0, n), 1e-6, `n=${n} step ${t + 1} v`);
        }
      }
    });

    it('AdaGrad', () => {
      const p = [...p0];
      const h = [0, 0];
      check(
        1,
        (b, pp, g, [hh]) => b.adagrad_update(pp, g, hh, 2, lr),
        (t) => {
          for (let i = 0; i < 2; i++) {
            const g = grads[t - 1][i];
            h[i] += g * g;
            p[i] -= (lr * g) / (Math.sqrt(h[i]) + 1e-7);
          }
          return [[...p], [...h]];
        },
      );
    });

    it('RMSprop', () => {
      const p = [...p0];
      const h = [0, 0];
      const decay = 0.99;
      check(
        1,
        (b, pp, g, [hh]) => b.rmsprop_update(pp, g, hh, 2, lr, decay),
        (t) => {
          for (let i = 0; i < 2; i++) {
            const g = grads[t - 1][i];
            h[i] = decay * h[i] + (1 - decay) * g * g;
            p[i] -= (lr * g) / (Math.sqrt(h[i]) + 1e-7);
          }
          return [[...p], [...h]];
        },
      );
    });

    it('Adam (bias correction in lrT)', () => {
      const p = [...p0];
      const m = [0, 0];
      const v = [0, 0];
      const [beta1, beta2] = [0.9, 0.999];
      const lrT = (t: number): number => (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      check(
        2,
        (b, pp, g, [mm, vv], t) => b.adam_update(pp, g, mm, vv, 2, lrT(t), beta1, beta2),
        (t) => {
          for (let i = 0; i < 2; i++) {
            const g = grads[t - 1][i];
            m[i] += (1 - beta1) * (g - m[i]);
            v[i] += (1 - beta2) * (g * g - v[i]);
            p[i] -= (lrT(t) * m[i]) / (Math.sqrt(v[i]) + 1e-7);
          }
          return [[...p], [...m], [...v]];
        },
      );
      // Adam's first step moves each parameter by about lr against the sign of its gradient
      expect(Math.abs(1 - 0.1 - p0[0])).toBeLessThan(1); // (sanity of the hand numbers themselves)
    });

    it('weight decay and Σ w²', () => {
      const b = be();
      const dw = f(b, [0.5, -1]);
      const w = f(b, [2, -3]);
      b.weight_decay_backward(dw, w, 2, 0.1);
      expectClose(dw, [0.5 + 0.2, -1 - 0.3], 1e-7, 'dw');
      expect(b.sum_squares(w, 2)).toBe(13);
    });
  });
});

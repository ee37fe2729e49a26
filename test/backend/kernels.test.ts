// The kernels of activation, softmax_ce, batchnorm, dropout and optim (src/backend/types.ts):
//   1. wasm against js on identical random inputs, at many sizes (SIMD bodies, scalar tails, both together),
//      for every output including running stats, masks, the RNG state and optimizer state;
//   2. known answers independent of either backend: hand-computed optimizer steps (Nesterov: the book's own
//      numbers), a hand softmax example, finite differences for the backward passes, BatchNorm running stats,
//      dropout statistics.
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, init } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/types.js';
import { Rng } from '../../src/rng.js';
import { book } from '../book/vectors.js';
import { expectClose, expectCloseTo } from '../helpers.js';

let js: Backend;
let wasm: Backend;
beforeAll(async () => {
  await init();
  js = createBackend('js');
  wasm = createBackend('wasm');
});

const SIZES = [1, 3, 4, 5, 17, 127, 1000];
const SHAPES: [number, number][] = [[1, 1], [1, 10], [3, 5], [17, 10], [128, 100], [5, 127]];
const TOL = 1e-5;

// ---- buffers ------------------------------------------------------------------------------------------------

type Bufs = Record<string, Float32Array | Int32Array>;

/** Buffers of backend b with the same keys, types and contents as `init`. */
function place<S extends Bufs>(b: Backend, init: S): S {
  let floats = 0;
  for (const v of Object.values(init)) floats += v.length + 4; // + alignment slack
  b.reserve(floats); // so that no allocation below grows (and detaches) the ones before it
  const out: Bufs = {};
  for (const [k, v] of Object.entries(init)) out[k] = v instanceof Int32Array ? b.allocInt32(v.length) : b.alloc(v.length);
  for (const [k, v] of Object.entries(init)) {
    const buf = b.refresh(out[k]);
    buf.set(v);
    out[k] = buf;
  }
  return out as S;
}

interface Both<S, R> { js: S; wasm: S; jsOut: R; wasmOut: R }

/** Places copies of `init` in each backend and runs `kernel` on them. */
function onBoth<S extends Bufs, R>(init: S, kernel: (b: Backend, s: S) => R): Both<S, R> {
  const sj = place(js, init);
  const sw = place(wasm, init);
  const jsOut = kernel(js, sj);
  const wasmOut = kernel(wasm, sw);
  return { js: sj, wasm: sw, jsOut, wasmOut };
}

/** wasm's outputs `keys` against js's. */
function compare<S extends Bufs, R>(r: Both<S, R>, keys: (keyof S & string)[], tol: number, label: string): void {
  for (const k of keys) expectClose(wasm.refresh(r.wasm[k]), r.js[k], tol, `${label} ${k}`);
}

// ---- random inputs ------------------------------------------------------------------------------------------

function randn(rng: Rng, n: number, scale = 1, shift = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = shift + scale * rng.normal();
  return a;
}

function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.uniform();
  return a;
}

function labels(rng: Rng, B: number, C: number): Int32Array {
  const t = new Int32Array(B);
  for (let i = 0; i < B; i++) t[i] = rng.int(C);
  return t;
}

function onehot(t: Int32Array, C: number): Float32Array {
  const a = new Float32Array(t.length * C);
  t.forEach((c, i) => { a[i * C + c] = 1; });
  return a;
}

/** Column-normalized x[B×D] (in f64): what a BatchNorm forward keeps, xn and invStd. */
function normalize(x: Float32Array, B: number, D: number, eps = 1e-6): { xn: Float32Array; invStd: Float32Array } {
  const xn = new Float32Array(B * D);
  const invStd = new Float32Array(D);
  for (let j = 0; j < D; j++) {
    let mu = 0;
    for (let i = 0; i < B; i++) mu += x[i * D + j] / B;
    let v = 0;
    for (let i = 0; i < B; i++) v += (x[i * D + j] - mu) ** 2 / B;
    const inv = 1 / Math.sqrt(v + eps);
    invStd[j] = inv;
    for (let i = 0; i < B; i++) xn[i * D + j] = (x[i * D + j] - mu) * inv;
  }
  return { xn, invStd };
}

function sumOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

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
    [0, 100, -100, 30, -30].forEach((v, i) => { if (i < n) x[n - 1 - i] = v; }); // saturation, in the tail
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

describe('softmax_ce: wasm matches js', () => {
  it.each(SHAPES)('softmax_ce_forward B=%i C=%i', (B, C) => {
    const rng = new Rng(B * 1000 + C);
    const x = randn(rng, B * C, 3);
    const t = labels(rng, B, C);
    const r = onBoth({ y: new Float32Array(B * C), x, t }, (b, s) => b.softmax_ce_forward(s.y, s.x, s.t, B, C));
    compare(r, ['y'], TOL, 'softmax_ce_forward');
    expectCloseTo(r.wasmOut, r.jsOut, TOL, 'softmax_ce_forward loss');
    for (let i = 0; i < B; i++) expectCloseTo(sumOf(r.wasm.y.subarray(i * C, i * C + C)), 1, 1e-6, `row ${i} sums to 1`);
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
    const r = onBoth({ y: new Float32Array(B * C), x, t },
      (b, s) => b.softmax_ce_onehot_forward(s.y, s.x, s.t, B, C));
    compare(r, ['y'], TOL, 'softmax_ce_onehot_forward');
    expectCloseTo(r.wasmOut, r.jsOut, TOL, 'softmax_ce_onehot_forward loss');
  });

  it.each(SHAPES)('softmax_ce_onehot_backward B=%i C=%i (and dx = y in place)', (B, C) => {
    const rng = new Rng(B * 1000 + C + 3);
    const y = uniform(rng, B * C, 0, 1);
    const t = onehot(labels(rng, B, C), C);
    const r = onBoth({ dx: new Float32Array(B * C), y, t },
      (b, s) => b.softmax_ce_onehot_backward(s.dx, s.y, s.t, B, C));
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

describe('batchnorm: wasm matches js', () => {
  it.each(SHAPES)('batchnorm_forward_train B=%i D=%i', (B, D) => {
    const rng = new Rng(B * 1000 + D + 10);
    const init = {
      y: new Float32Array(B * D), xn: new Float32Array(B * D), mean: new Float32Array(D), invStd: new Float32Array(D),
      runningMean: randn(rng, D), runningVar: uniform(rng, D, 0.5, 2),
      x: randn(rng, B * D, 2, 1.5), gamma: uniform(rng, D, 0.5, 1.5), beta: randn(rng, D),
    };
    const r = onBoth(init, (b, s) => b.batchnorm_forward_train(s.y, s.xn, s.mean, s.invStd, s.runningMean,
      s.runningVar, s.x, s.gamma, s.beta, B, D, 0.9, 1e-6));
    compare(r, ['y', 'xn', 'mean', 'invStd', 'runningMean', 'runningVar'], TOL, 'batchnorm_forward_train');
  });

  it.each(SHAPES)('batchnorm_forward_infer B=%i D=%i (and in place)', (B, D) => {
    const rng = new Rng(B * 1000 + D + 11);
    const init = {
      y: new Float32Array(B * D), x: randn(rng, B * D, 2, 1), gamma: uniform(rng, D, 0.5, 1.5), beta: randn(rng, D),
      runningMean: randn(rng, D), runningVar: uniform(rng, D, 0.1, 3),
    };
    const run = (b: Backend, s: typeof init, y: Float32Array): void =>
      b.batchnorm_forward_infer(y, s.x, s.gamma, s.beta, s.runningMean, s.runningVar, B, D, 1e-6);
    const r = onBoth(init, (b, s) => run(b, s, s.y));
    compare(r, ['y'], TOL, 'batchnorm_forward_infer');
    const p = onBoth(init, (b, s) => run(b, s, s.x));
    expectClose(p.wasm.x, r.js.y, TOL, 'batchnorm_forward_infer in place (wasm)');
    expectClose(p.js.x, r.js.y, 0, 'batchnorm_forward_infer in place (js)');
  });

  it.each(SHAPES)('batchnorm_backward B=%i D=%i (and dx = dy in place)', (B, D) => {
    const rng = new Rng(B * 1000 + D + 12);
    const { xn, invStd } = normalize(randn(rng, B * D, 2, 1), B, D);
    const init = {
      dx: new Float32Array(B * D), dgamma: new Float32Array(D), dbeta: new Float32Array(D),
      dy: randn(rng, B * D), xn, invStd, gamma: uniform(rng, D, 0.5, 1.5),
    };
    const run = (b: Backend, s: typeof init, dx: Float32Array): void =>
      b.batchnorm_backward(dx, s.dgamma, s.dbeta, s.dy, s.xn, s.invStd, s.gamma, B, D);
    // the closed form (wasm) against the book's chain of steps (js)
    const r = onBoth(init, (b, s) => run(b, s, s.dx));
    compare(r, ['dx', 'dgamma', 'dbeta'], TOL, 'batchnorm_backward');
    const p = onBoth(init, (b, s) => run(b, s, s.dy));
    expectClose(p.wasm.dy, r.js.dx, TOL, 'batchnorm_backward in place (wasm)');
    expectClose(p.js.dy, r.js.dx, 0, 'batchnorm_backward in place (js)');
  });
});

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
    const r = onBoth({ mask: new Float32Array(n), x, rng: state },
      (b, s) => b.dropout_forward_train(s.x, s.mask, s.x, s.rng, n, 0.5));
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

describe('optim: wasm matches js (3 steps, fresh gradients each step)', () => {
  /** Runs `step` three times on both backends with new random gradients, comparing `keys` after each. */
  function threeSteps<S extends Bufs & { g: Float32Array }>(n: number, seed: number, init: S, keys: (keyof S & string)[],
    step: (b: Backend, s: S, t: number) => void, label: string): void {
    const rng = new Rng(seed);
    const sj = place(js, init);
    const sw = place(wasm, init);
    for (let t = 1; t <= 3; t++) {
      const g = randn(rng, n, 0.5);
      sj.g.set(g);
      sw.g.set(g);
      step(js, sj, t);
      step(wasm, sw, t);
      for (const k of keys) expectClose(sw[k], sj[k], TOL, `${label} step ${t} ${k}`);
    }
  }
  const param = (rng: Rng, n: number): Float32Array => randn(rng, n);

  it.each(SIZES)('sgd_update n=%i', (n) => {
    const rng = new Rng(n + 800);
    threeSteps(n, n, { p: param(rng, n), g: new Float32Array(n) }, ['p'],
      (b, s) => b.sgd_update(s.p, s.g, n, 0.01), 'sgd_update');
  });

  it.each(SIZES)('momentum_update n=%i', (n) => {
    const rng = new Rng(n + 801);
    threeSteps(n, n, { p: param(rng, n), g: new Float32Array(n), v: randn(rng, n, 0.01) }, ['p', 'v'],
      (b, s) => b.momentum_update(s.p, s.g, s.v, n, 0.01, 0.9), 'momentum_update');
  });

  it.each(SIZES)('nesterov_update n=%i', (n) => {
    const rng = new Rng(n + 802);
    threeSteps(n, n, { p: param(rng, n), g: new Float32Array(n), v: randn(rng, n, 0.01) }, ['p', 'v'],
      (b, s) => b.nesterov_update(s.p, s.g, s.v, n, 0.01, 0.9), 'nesterov_update');
  });

  it.each(SIZES)('adagrad_update n=%i', (n) => {
    const rng = new Rng(n + 803);
    threeSteps(n, n, { p: param(rng, n), g: new Float32Array(n), h: uniform(rng, n, 0, 0.1) }, ['p', 'h'],
      (b, s) => b.adagrad_update(s.p, s.g, s.h, n, 0.01), 'adagrad_update');
  });

  it.each(SIZES)('rmsprop_update n=%i', (n) => {
    const rng = new Rng(n + 804);
    threeSteps(n, n, { p: param(rng, n), g: new Float32Array(n), h: uniform(rng, n, 0, 0.1) }, ['p', 'h'],
      (b, s) => b.rmsprop_update(s.p, s.g, s.h, n, 0.01, 0.99), 'rmsprop_update');
  });

  it.each(SIZES)('adam_update n=%i', (n) => {
    const rng = new Rng(n + 805);
    const [lr, beta1, beta2] = [0.001, 0.9, 0.999];
    threeSteps(n, n, { p: param(rng, n), g: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) },
      ['p', 'm', 'v'],
      (b, s, t) => b.adam_update(s.p, s.g, s.m, s.v, n, lr * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t), beta1, beta2),
      'adam_update');
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
  const be = (): Backend => (name === 'js' ? js : wasm);
  const f = (b: Backend, values: ArrayLike<number>): Float32Array => place(b, { a: Float32Array.from(values) }).a;
  const i32 = (b: Backend, values: ArrayLike<number>): Int32Array => place(b, { a: Int32Array.from(values) }).a;

  describe('optimizers: three steps on a 2-element parameter, by hand in f64', () => {
    const p0 = [1, -0.5];
    const grads = [[0.5, -0.25], [0.25, 0.125], [-0.5, 0.75]];
    const lr = 0.1;
    const momentum = 0.9;

    /** Runs `update` three times on p (and the state buffers), checking p and the state against `expected`. */
    function check(state: number, update: (b: Backend, p: Float32Array, g: Float32Array, s: Float32Array[], t: number) => void,
      expected: (t: number) => number[][]): void {
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
      check(0, (b, pp, g) => b.sgd_update(pp, g, 2, lr), (t) => {
        for (let i = 0; i < 2; i++) p[i] -= lr * grads[t - 1][i];
        return [[...p]];
      });
    });

    it('Momentum', () => {
      const p = [...p0];
      const v = [0, 0];
      check(1, (b, pp, g, [vv]) => b.momentum_update(pp, g, vv, 2, lr, momentum), (t) => {
        for (let i = 0; i < 2; i++) {
          v[i] = momentum * v[i] - lr * grads[t - 1][i];
          p[i] += v[i];
        }
        return [[...p], [...v]];
      });
    });

    it('Nesterov: the book\'s own numbers (p moves with the OLD v, then v is updated)', () => {
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
      check(1, (b, pp, g, [hh]) => b.adagrad_update(pp, g, hh, 2, lr), (t) => {
        for (let i = 0; i < 2; i++) {
          const g = grads[t - 1][i];
          h[i] += g * g;
          p[i] -= lr * g / (Math.sqrt(h[i]) + 1e-7);
        }
        return [[...p], [...h]];
      });
    });

    it('RMSprop', () => {
      const p = [...p0];
      const h = [0, 0];
      const decay = 0.99;
      check(1, (b, pp, g, [hh]) => b.rmsprop_update(pp, g, hh, 2, lr, decay), (t) => {
        for (let i = 0; i < 2; i++) {
          const g = grads[t - 1][i];
          h[i] = decay * h[i] + (1 - decay) * g * g;
          p[i] -= lr * g / (Math.sqrt(h[i]) + 1e-7);
        }
        return [[...p], [...h]];
      });
    });

    it('Adam (bias correction in lrT)', () => {
      const p = [...p0];
      const m = [0, 0];
      const v = [0, 0];
      const [beta1, beta2] = [0.9, 0.999];
      const lrT = (t: number): number => lr * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
      check(2, (b, pp, g, [mm, vv], t) => b.adam_update(pp, g, mm, vv, 2, lrT(t), beta1, beta2), (t) => {
        for (let i = 0; i < 2; i++) {
          const g = grads[t - 1][i];
          m[i] += (1 - beta1) * (g - m[i]);
          v[i] += (1 - beta2) * (g * g - v[i]);
          p[i] -= lrT(t) * m[i] / (Math.sqrt(v[i]) + 1e-7);
        }
        return [[...p], [...m], [...v]];
      });
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
      const x0 = kind === 'relu'
        ? randn(rng, n).map((v) => Math.sign(v) * (0.1 + Math.abs(v))) // keep away from the kink at 0
        : uniform(rng, n, -5, 5);
      const s = place(b, {
        x: x0, xp: x0.map((v) => v + h), xm: x0.map((v) => v - h),
        y: new Float32Array(n), yp: new Float32Array(n), ym: new Float32Array(n),
        r: randn(rng, n), dx: new Float32Array(n),
      });
      const forward = kind === 'relu' ? b.relu_forward.bind(b) : b.sigmoid_forward.bind(b);
      forward(s.y, s.x, n);
      forward(s.yp, s.xp, n);
      forward(s.ym, s.xm, n);
      // L = Σ r · f(x) is a sum of independent terms, so one central difference per element
      const fd = Array.from(s.x, (_, i) => s.r[i] * (s.yp[i] - s.ym[i]) / (s.xp[i] - s.xm[i]));
      (kind === 'relu' ? b.relu_backward.bind(b) : b.sigmoid_backward.bind(b))(s.dx, s.r, s.y, n);
      expectClose(s.dx, fd, 1e-4, `${kind} dx vs finite differences`);
    }
  });

  it('batchnorm backward matches finite differences of Σ y·R (dx, dgamma, dbeta)', () => {
    const b = be();
    const [B, D] = [6, 5]; // one 4-feature SIMD group and one scalar tail feature
    const rng = new Rng(901);
    const s = place(b, {
      x: randn(rng, B * D, 2, 1), gamma: uniform(rng, D, 0.5, 2), beta: randn(rng, D), R: randn(rng, B * D),
      y: new Float32Array(B * D), xn: new Float32Array(B * D), mean: new Float32Array(D), invStd: new Float32Array(D),
      rm: new Float32Array(D), rv: new Float32Array(D),
      dx: new Float32Array(B * D), dgamma: new Float32Array(D), dbeta: new Float32Array(D),
    });
    const loss = (): number => {
      b.batchnorm_forward_train(s.y, s.xn, s.mean, s.invStd, s.rm, s.rv, s.x, s.gamma, s.beta, B, D, 0.9, 1e-6);
      let l = 0;
      for (let k = 0; k < B * D; k++) l += s.y[k] * s.R[k];
      return l;
    };
    const numeric = (a: Float32Array, k: number, h: number): number => {
      const keep = a[k];
      a[k] = keep + h;
      const up = a[k];
      const lp = loss();
      a[k] = keep - h;
      const down = a[k];
      const lm = loss();
      a[k] = keep;
      return (lp - lm) / (up - down);
    };
    const fdx = Array.from(s.x, (_, k) => numeric(s.x, k, 1e-2));
    const fdgamma = Array.from(s.gamma, (_, j) => numeric(s.gamma, j, 1e-2));
    const fdbeta = Array.from(s.beta, (_, j) => numeric(s.beta, j, 1e-2));
    loss(); // forward at the unperturbed point, keeping xn and invStd
    b.batchnorm_backward(s.dx, s.dgamma, s.dbeta, s.R, s.xn, s.invStd, s.gamma, B, D);
    // 2e-3 against gradients of size ~0.5: a sign flip or a factor 2 in any term is far outside it
    expectClose(s.dx, fdx, 2e-3, 'dx');
    expectClose(s.dgamma, fdgamma, 2e-3, 'dgamma');
    expectClose(s.dbeta, fdbeta, 2e-3, 'dbeta');
    expect(Math.max(...Array.from(s.dx, Math.abs))).toBeGreaterThan(0.1); // the check is not vacuous
  });

  it('batchnorm running stats after 2 calls', () => {
    const b = be();
    const [B, D] = [17, 10];
    const rng = new Rng(902);
    const x1 = randn(rng, B * D, 2, 1);
    const x2 = randn(rng, B * D, 0.5, -3);
    const rm0 = randn(rng, D);
    const rv0 = uniform(rng, D, 0.5, 2);
    const s = place(b, {
      x1, x2, rm: rm0, rv: rv0, gamma: uniform(rng, D, 0.5, 2), beta: randn(rng, D),
      y: new Float32Array(B * D), xn: new Float32Array(B * D), mean: new Float32Array(D), invStd: new Float32Array(D),
    });
    const momentum = 0.9;
    for (const x of [s.x1, s.x2]) {
      b.batchnorm_forward_train(s.y, s.xn, s.mean, s.invStd, s.rm, s.rv, x, s.gamma, s.beta, B, D, momentum, 1e-6);
    }
    const stats = (x: Float32Array, j: number): [number, number] => {
      let mu = 0;
      for (let i = 0; i < B; i++) mu += x[i * D + j];
      mu /= B;
      let v = 0;
      for (let i = 0; i < B; i++) v += (x[i * D + j] - mu) ** 2;
      return [mu, v / B];
    };
    const em: number[] = [];
    const ev: number[] = [];
    for (let j = 0; j < D; j++) {
      const [m1, v1] = stats(x1, j);
      const [m2, v2] = stats(x2, j);
      em.push(momentum * (momentum * rm0[j] + (1 - momentum) * m1) + (1 - momentum) * m2);
      ev.push(momentum * (momentum * rv0[j] + (1 - momentum) * v1) + (1 - momentum) * v2);
    }
    expectClose(s.rm, em, TOL, 'runningMean');
    expectClose(s.rv, ev, TOL, 'runningVar');
    // and the kept batch statistics are those of the last call
    expectClose(s.mean, Array.from({ length: D }, (_, j) => stats(x2, j)[0]), TOL, 'mean');
    expectClose(s.invStd, Array.from({ length: D }, (_, j) => 1 / Math.sqrt(stats(x2, j)[1] + 1e-6)), TOL, 'invStd');
  });

  it.each([[3, 5], [128, 100], [5, 127]])('batchnorm infer equals train when the running stats are the batch stats (B=%i D=%i)', (B, D) => {
    const b = be();
    const rng = new Rng(903 + B);
    const s = place(b, {
      x: randn(rng, B * D, 2, 1), gamma: uniform(rng, D, 0.5, 2), beta: randn(rng, D),
      y: new Float32Array(B * D), xn: new Float32Array(B * D), mean: new Float32Array(D), invStd: new Float32Array(D),
      rm: randn(rng, D), rv: uniform(rng, D, 0.5, 2), yi: new Float32Array(B * D),
    });
    // momentum 0 makes the running stats exactly this batch's mean and (biased) variance
    b.batchnorm_forward_train(s.y, s.xn, s.mean, s.invStd, s.rm, s.rv, s.x, s.gamma, s.beta, B, D, 0, 1e-6);
    b.batchnorm_forward_infer(s.yi, s.x, s.gamma, s.beta, s.rm, s.rv, B, D, 1e-6);
    expectClose(s.yi, s.y, TOL, 'infer vs train');
    // the training output is normalized: each column of xn has mean 0 and variance 1 (up to eps)
    if (B > 3) {
      for (let j = 0; j < D; j++) {
        let m = 0;
        let v = 0;
        for (let i = 0; i < B; i++) m += s.xn[i * D + j] / B;
        for (let i = 0; i < B; i++) v += (s.xn[i * D + j] - m) ** 2 / B;
        expect(Math.abs(m)).toBeLessThan(1e-5);
        expect(Math.abs(v - 1)).toBeLessThan(1e-4);
      }
    }
  });

  it.each([0.2, 0.5])('dropout keeps 1 − ratio of the units (within 3σ, n = 100000, ratio %f)', (ratio) => {
    const b = be();
    const n = 100_000;
    const rng = new Rng(904);
    const s = place(b, {
      x: randn(rng, n), y: new Float32Array(n), mask: new Float32Array(n), rng: new Int32Array([rng.fork()]),
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
      x: randn(rng, n), y: new Float32Array(n), mask: new Float32Array(n), rng: new Int32Array([rng.fork()]),
      dy: randn(rng, n), dx: new Float32Array(n),
    });
    b.dropout_forward_infer(s.y, s.x, n, ratio);
    expectClose(s.y, Array.from(s.x, (v) => v * (1 - ratio)), 1e-6, 'y = x · (1 − ratio)');
    b.dropout_forward_train(s.y, s.mask, s.x, s.rng, n, ratio);
    b.dropout_backward(s.dx, s.dy, s.mask, n);
    for (let i = 0; i < n; i++) expect(s.dx[i] + 0).toBe(s.mask[i] === 1 ? s.dy[i] : 0); // + 0: −0 → 0
    expect(sumOf(s.mask)).toBeGreaterThan(0);
    expect(sumOf(s.mask)).toBeLessThan(n);
  });
});

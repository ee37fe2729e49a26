// Issue 10, fault 3c: js and wasm agree on non-finite values in every kernel. Each kernel runs on both backends
// (and, in the relaxed-simd project, on the relaxed build) with NaN, +∞ and −∞ planted in one input at a time (in
// the SIMD body and in the scalar tail), then in all inputs at once; every output and return value must have the
// same class (NaN, +∞, −∞, finite) element by element, and finite values must agree as in the per-kernel tests
// (activation, softmax_ce, batchnorm, dropout and optim .test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, init } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/types.js';
import { Rng } from '../../src/rng.js';

let js: Backend;
let wasm: Backend;
beforeAll(async () => {
  await init();
  js = createBackend('js');
  wasm = createBackend('wasm');
  wasm.reserve(1_000_000);
});

type Bufs = Record<string, Float32Array | Int32Array>;
const TOL = 1e-4;

function place(b: Backend, init: Bufs): Bufs {
  const out: Bufs = {};
  for (const [k, v] of Object.entries(init)) {
    const buf = v instanceof Int32Array ? b.allocInt32(v.length) : b.alloc(v.length);
    buf.set(v);
    out[k] = buf;
  }
  return out;
}

function randn(seed: number, n: number, scale = 1, shift = 0): Float32Array {
  const rng = new Rng(seed),
    a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = shift + scale * rng.normal();
  return a;
}

/** NaN, +∞, −∞ at three places: early (a SIMD lane), middle, last (the scalar tail when n mod 4 ≠ 0). */
function poisoned(a: Float32Array): Float32Array {
  const p = a.slice();
  const at = [1, Math.floor(p.length / 2), p.length - 1];
  [NaN, Infinity, -Infinity].forEach((v, i) => {
    if (at[i] < p.length) p[at[i]] = v;
  });
  return p;
}

function kind(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : 'finite';
}

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    const ok = kind(a) === kind(e) && (kind(e) !== 'finite' || Math.abs(a - e) <= TOL * (1 + Math.abs(e)));
    if (!ok && bad.length < 5) bad.push(`[${i}] wasm ${a} js ${e}`);
  }
  if (bad.length > 0) expect.fail(`${label}: wasm and js differ:\n  ${bad.join('\n  ')}`);
}

interface KernelCase {
  name: string;
  inputs: Bufs;
  /** Float inputs to poison (one at a time, then all together). */
  poison: string[];
  /** Buffers written by the kernel. */
  outputs: string[];
  run(b: Backend, s: Bufs): number | void;
}

const B = 5,
  D = 7,
  C = 10,
  n = 23;
const f = (s: Bufs, k: string) => s[k] as Float32Array;
const i32 = (s: Bufs, k: string) => s[k] as Int32Array;
const labels = new Int32Array([3, 0, 9, 5, 1]);
const onehot = new Float32Array(B * C);
labels.forEach((t, i) => {
  onehot[i * C + t] = 1;
});
const positive = (seed: number, len: number) => randn(seed, len).map((v) => Math.abs(v) + 0.1);

/** xn and invStd as batchnorm_forward_train leaves them for x[B×D] (backward's closed form relies on that). */
function normalized(seed: number): { xn: Float32Array; invStd: Float32Array } {
  const x = randn(seed, B * D),
    xn = new Float32Array(B * D),
    invStd = new Float32Array(D);
  for (let j = 0; j < D; j++) {
    let mu = 0,
      v = 0;
    for (let i = 0; i < B; i++) mu += x[i * D + j] / B;
    for (let i = 0; i < B; i++) v += (x[i * D + j] - mu) ** 2 / B;
    invStd[j] = 1 / Math.sqrt(v + 1e-6);
    for (let i = 0; i < B; i++) xn[i * D + j] = (x[i * D + j] - mu) * invStd[j];
  }
  return { xn, invStd };
}

const cases: KernelCase[] = [];
for (const [M, N, K] of [
  [5, 9, 7],
  [33, 20, 17],
]) {
  for (const [tA, tB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    for (const acc of [false, true]) {
      cases.push({
        name: `gemm ${M}×${K}×${N} tA=${+tA} tB=${+tB} acc=${+acc}`,
        inputs: { c: randn(1, M * N), a: randn(2, M * K), b: randn(3, K * N) },
        poison: acc ? ['a', 'b', 'c'] : ['a', 'b'],
        outputs: ['c'],
        run: (k, s) => k.gemm(f(s, 'c'), f(s, 'a'), f(s, 'b'), M, N, K, tA, tB, acc),
      });
    }
  }
}
cases.push(
  {
    name: 'bias_forward',
    inputs: { y: randn(1, B * D), bias: randn(2, D) },
    poison: ['y', 'bias'],
    outputs: ['y'],
    run: (k, s) => k.bias_forward(f(s, 'y'), f(s, 'bias'), B, D),
  },
  {
    name: 'bias_backward',
    inputs: { db: new Float32Array(D), dy: randn(2, B * D) },
    poison: ['dy'],
    outputs: ['db'],
    run: (k, s) => k.bias_backward(f(s, 'db'), f(s, 'dy'), B, D),
  },
  {
    name: 'relu_forward',
    inputs: { y: new Float32Array(n), x: randn(1, n) },
    poison: ['x'],
    outputs: ['y'],
    run: (k, s) => k.relu_forward(f(s, 'y'), f(s, 'x'), n),
  },
  {
    name: 'relu_backward',
    inputs: { dx: new Float32Array(n), dy: randn(1, n), y: randn(2, n) },
    poison: ['dy', 'y'],
    outputs: ['dx'],
    run: (k, s) => k.relu_backward(f(s, 'dx'), f(s, 'dy'), f(s, 'y'), n),
  },
  {
    name: 'sigmoid_forward',
    inputs: { y: new Float32Array(n), x: randn(1, n) },
    poison: ['x'],
    outputs: ['y'],
    run: (k, s) => k.sigmoid_forward(f(s, 'y'), f(s, 'x'), n),
  },
  {
    name: 'sigmoid_backward',
    inputs: { dx: new Float32Array(n), dy: randn(1, n), y: randn(2, n, 0.2, 0.5) },
    poison: ['dy', 'y'],
    outputs: ['dx'],
    run: (k, s) => k.sigmoid_backward(f(s, 'dx'), f(s, 'dy'), f(s, 'y'), n),
  },
  {
    name: 'softmax_ce_forward',
    inputs: { y: new Float32Array(B * C), x: randn(1, B * C, 3), t: labels },
    poison: ['x'],
    outputs: ['y'],
    run: (k, s) => k.softmax_ce_forward(f(s, 'y'), f(s, 'x'), i32(s, 't'), B, C),
  },
  {
    name: 'softmax_ce_backward',
    inputs: { dx: new Float32Array(B * C), y: positive(1, B * C), t: labels },
    poison: ['y'],
    outputs: ['dx'],
    run: (k, s) => k.softmax_ce_backward(f(s, 'dx'), f(s, 'y'), i32(s, 't'), B, C),
  },
  {
    name: 'softmax_ce_onehot_forward',
    inputs: { y: new Float32Array(B * C), x: randn(1, B * C, 3), t: onehot },
    poison: ['x', 't'],
    outputs: ['y'],
    run: (k, s) => k.softmax_ce_onehot_forward(f(s, 'y'), f(s, 'x'), f(s, 't'), B, C),
  },
  {
    name: 'softmax_ce_onehot_backward',
    inputs: { dx: new Float32Array(B * C), y: positive(1, B * C), t: onehot },
    poison: ['y', 't'],
    outputs: ['dx'],
    run: (k, s) => k.softmax_ce_onehot_backward(f(s, 'dx'), f(s, 'y'), f(s, 't'), B, C),
  },
  {
    name: 'argmax_correct',
    inputs: { x: randn(1, B * C), t: labels },
    poison: ['x'],
    outputs: [],
    run: (k, s) => k.argmax_correct(f(s, 'x'), i32(s, 't'), B, C),
  },
  {
    name: 'batchnorm_forward_train',
    inputs: {
      y: new Float32Array(B * D),
      xn: new Float32Array(B * D),
      mean: new Float32Array(D),
      invStd: new Float32Array(D),
      runningMean: randn(1, D),
      runningVar: positive(2, D),
      x: randn(3, B * D),
      gamma: randn(4, D, 0.1, 1),
      beta: randn(5, D),
    },
    poison: ['x', 'gamma', 'beta', 'runningMean', 'runningVar'],
    outputs: ['y', 'xn', 'mean', 'invStd', 'runningMean', 'runningVar'],
    run: (k, s) =>
      k.batchnorm_forward_train(
        f(s, 'y'),
        f(s, 'xn'),
        f(s, 'mean'),
        f(s, 'invStd'),
        f(s, 'runningMean'),
        f(s, 'runningVar'),
        f(s, 'x'),
        f(s, 'gamma'),
        f(s, 'beta'),
        B,
        D,
        0.9,
        1e-6,
      ),
  },
  {
    name: 'batchnorm_forward_infer',
    inputs: {
      y: new Float32Array(B * D),
      x: randn(3, B * D),
      gamma: randn(4, D, 0.1, 1),
      beta: randn(5, D),
      runningMean: randn(1, D),
      runningVar: positive(2, D),
    },
    poison: ['x', 'gamma', 'beta', 'runningMean', 'runningVar'],
    outputs: ['y'],
    run: (k, s) =>
      k.batchnorm_forward_infer(
        f(s, 'y'),
        f(s, 'x'),
        f(s, 'gamma'),
        f(s, 'beta'),
        f(s, 'runningMean'),
        f(s, 'runningVar'),
        B,
        D,
        1e-6,
      ),
  },
  {
    name: 'batchnorm_backward',
    inputs: {
      dx: new Float32Array(B * D),
      dgamma: new Float32Array(D),
      dbeta: new Float32Array(D),
      dy: randn(1, B * D),
      ...normalized(2),
      gamma: randn(4, D, 0.1, 1),
    },
    poison: ['dy', 'xn', 'invStd', 'gamma'],
    outputs: ['dx', 'dgamma', 'dbeta'],
    run: (k, s) =>
      k.batchnorm_backward(
        f(s, 'dx'),
        f(s, 'dgamma'),
        f(s, 'dbeta'),
        f(s, 'dy'),
        f(s, 'xn'),
        f(s, 'invStd'),
        f(s, 'gamma'),
        B,
        D,
      ),
  },
  {
    name: 'dropout_forward_train',
    inputs: { y: new Float32Array(n), mask: new Float32Array(n), x: randn(1, n), rng: new Int32Array([12345]) },
    poison: ['x'],
    outputs: ['y', 'mask'],
    run: (k, s) => k.dropout_forward_train(f(s, 'y'), f(s, 'mask'), f(s, 'x'), i32(s, 'rng'), n, 0.5),
  },
  {
    name: 'dropout_forward_infer',
    inputs: { y: new Float32Array(n), x: randn(1, n) },
    poison: ['x'],
    outputs: ['y'],
    run: (k, s) => k.dropout_forward_infer(f(s, 'y'), f(s, 'x'), n, 0.3),
  },
  {
    name: 'dropout_backward',
    inputs: { dx: new Float32Array(n), dy: randn(1, n), mask: randn(2, n).map((v) => (v > 0 ? 1 : 0)) },
    poison: ['dy'],
    outputs: ['dx'],
    run: (k, s) => k.dropout_backward(f(s, 'dx'), f(s, 'dy'), f(s, 'mask'), n),
  },
  {
    name: 'sgd_update',
    inputs: { p: randn(1, n), g: randn(2, n) },
    poison: ['p', 'g'],
    outputs: ['p'],
    run: (k, s) => k.sgd_update(f(s, 'p'), f(s, 'g'), n, 0.1),
  },
  {
    name: 'momentum_update',
    inputs: { p: randn(1, n), g: randn(2, n), v: randn(3, n) },
    poison: ['p', 'g', 'v'],
    outputs: ['p', 'v'],
    run: (k, s) => k.momentum_update(f(s, 'p'), f(s, 'g'), f(s, 'v'), n, 0.1, 0.9),
  },
  {
    name: 'nesterov_update',
    inputs: { p: randn(1, n), g: randn(2, n), v: randn(3, n) },
    poison: ['p', 'g', 'v'],
    outputs: ['p', 'v'],
    run: (k, s) => k.nesterov_update(f(s, 'p'), f(s, 'g'), f(s, 'v'), n, 0.1, 0.9),
  },
  {
    name: 'adagrad_update',
    inputs: { p: randn(1, n), g: randn(2, n), h: positive(3, n) },
    poison: ['p', 'g', 'h'],
    outputs: ['p', 'h'],
    run: (k, s) => k.adagrad_update(f(s, 'p'), f(s, 'g'), f(s, 'h'), n, 0.1),
  },
  {
    name: 'rmsprop_update',
    inputs: { p: randn(1, n), g: randn(2, n), h: positive(3, n) },
    poison: ['p', 'g', 'h'],
    outputs: ['p', 'h'],
    run: (k, s) => k.rmsprop_update(f(s, 'p'), f(s, 'g'), f(s, 'h'), n, 0.1, 0.99),
  },
  {
    name: 'adam_update',
    inputs: { p: randn(1, n), g: randn(2, n), m: randn(3, n, 0.1), v: positive(4, n) },
    poison: ['p', 'g', 'm', 'v'],
    outputs: ['p', 'm', 'v'],
    run: (k, s) => k.adam_update(f(s, 'p'), f(s, 'g'), f(s, 'm'), f(s, 'v'), n, 0.01, 0.9, 0.999),
  },
  {
    name: 'weight_decay_backward',
    inputs: { dw: randn(1, n), w: randn(2, n) },
    poison: ['dw', 'w'],
    outputs: ['dw'],
    run: (k, s) => k.weight_decay_backward(f(s, 'dw'), f(s, 'w'), n, 0.1),
  },
  {
    name: 'sum_squares',
    inputs: { w: randn(1, n) },
    poison: ['w'],
    outputs: [],
    run: (k, s) => k.sum_squares(f(s, 'w'), n),
  },
  {
    name: 'count_nonfinite',
    inputs: { w: randn(1, n) },
    poison: ['w'],
    outputs: [],
    run: (k, s) => k.count_nonfinite(f(s, 'w'), n),
  },
);

describe('js and wasm agree on NaN and ±∞, kernel by kernel', () => {
  it('covers every kernel of the Backend table', () => {
    const names = new Set(cases.map((c) => c.name.split(' ')[0]));
    const kernels = Object.keys(js).filter(
      (k) =>
        typeof (js as unknown as Record<string, unknown>)[k] === 'function' &&
        !['alloc', 'allocInt32', 'refresh', 'reserve', 'memoryBytes', 'mark', 'rollback', 'dispose'].includes(k),
    );
    expect(kernels.filter((k) => !names.has(k))).toEqual([]);
  });

  for (const c of cases) {
    it(c.name, () => {
      for (const which of [...c.poison.map((p) => [p]), c.poison]) {
        const inputs: Bufs = { ...c.inputs };
        for (const p of which) inputs[p] = poisoned(inputs[p] as Float32Array);
        const sj = place(js, inputs),
          sw = place(wasm, inputs);
        const rj = c.run(js, sj),
          rw = c.run(wasm, sw);
        const label = `${c.name}, ${which.join('+')} poisoned`;
        if (typeof rj === 'number') expectSame([rw as number], [rj], `${label}: result`);
        for (const o of c.outputs) expectSame(sw[o], sj[o], `${label}: ${o}`);
      }
    });
  }
});

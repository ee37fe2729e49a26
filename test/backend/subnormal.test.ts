// Optimizer state that decays into the subnormal range is stored as 0, by the js reference and by the wasm kernels
// alike (assembly/optim.ts, src/backend/js/optim.ts), while every normal value, NaN and ±Inf is left as it is.
// Subnormals are what x86 CPUs compute slowly: a dead ReLU unit's Adam m shrinks by β1 every step and used to stay
// subnormal for good (m − 0.1·m rounds back to m once m is a few units of 2⁻¹⁴⁹).
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, init } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/types.js';
import { createOptimizer, MultiLayerNet, Trainer } from '../../src/index.js';

const FLT_MIN = 2 ** -126;
const isSubnormal = (x: number): boolean => x !== 0 && Math.abs(x) < FLT_MIN;

let backends: Backend[];
beforeAll(async () => {
  await init();
  backends = [createBackend('js'), createBackend('wasm')];
});

/** n = 9 (two SIMD groups and a scalar tail): state values that decay below FLT_MIN, stay normal, or are special. */
const STATE = [1.1e-38, -1.2e-38, 5e-39, 1e-45, 3e-38, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY];

function buffers(k: Backend, state: number[], g: number[]) {
  const n = state.length;
  k.reserve(4 * n + 64);
  const p = k.alloc(n),
    gb = k.alloc(n),
    s1 = k.alloc(n),
    s2 = k.alloc(n);
  p.fill(1);
  gb.set(g);
  s1.set(state);
  s2.set(state.map((x) => Math.abs(x)));
  return { p, g: gb, s1, s2, n };
}

describe.each(['js', 'wasm'])('%s backend: update kernels flush subnormal state to 0', (name) => {
  const k = () => backends[name === 'js' ? 0 : 1];
  const zeros = STATE.map(() => 0);

  it('momentum and nesterov: v = μ·v − lr·g with g = 0', () => {
    for (const kernel of ['momentum_update', 'nesterov_update'] as const) {
      const b = buffers(k(), STATE, zeros);
      k()[kernel](b.p, b.g, b.s1, b.n, 0.01, 0.9);
      const v = Array.from(b.s1);
      // 0.9 · 1.1e-38 and the rest below FLT_MIN become exactly 0; 0.9 · 3e-38 stays normal.
      expect(v.slice(0, 4), kernel).toEqual([0, 0, 0, 0]);
      expect(v[4], kernel).toBeCloseTo(2.7e-38, 45);
      expect(v.slice(5, 7), kernel).toEqual([Math.fround(-0.9), Math.fround(0.45)]);
      expect(Number.isNaN(v[7]), `${kernel}: NaN passes through`).toBe(true);
      expect(v[8], kernel).toBe(Number.POSITIVE_INFINITY);
      expect(v.some(isSubnormal), kernel).toBe(false);
    }
  });

  it('rmsprop: h = decay·h + (1 − decay)·g² with g = 0 (decay 0.9); adagrad: h + g² for a tiny g', () => {
    const b = buffers(k(), STATE, zeros);
    k().rmsprop_update(b.p, b.g, b.s2, b.n, 0.01, 0.9);
    const h = Array.from(b.s2);
    expect(h.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(h[4]).toBeGreaterThan(FLT_MIN);
    expect(h.some(isSubnormal)).toBe(false);
    const a = buffers(
      k(),
      STATE.map(() => 0),
      STATE.map(() => 1e-20),
    ); // g² = 1e-40: subnormal
    k().adagrad_update(a.p, a.g, a.s1, a.n, 0.01);
    expect(Array.from(a.s1)).toEqual(STATE.map(() => 0));
  });

  it('adam: m and v with g = 0', () => {
    const b = buffers(k(), STATE, zeros);
    k().adam_update(b.p, b.g, b.s1, b.s2, b.n, 0.001, 0.9, 0.999);
    const m = Array.from(b.s1),
      v = Array.from(b.s2);
    expect(m.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(m[4]).toBeGreaterThan(FLT_MIN);
    expect(m.some(isSubnormal) || v.some(isSubnormal)).toBe(false);
    expect(Number.isNaN(m[7])).toBe(true);
    expect(Array.from(b.p).slice(0, 7).every(Number.isFinite)).toBe(true);
  });
});

// The case the flush is for: pixel-like inputs in [0, 1) with labels i mod 10 kill ReLU units, and without the
// flush tens of thousands of Adam / Momentum / Nesterov state entries of this net are subnormal by step 800
// (42,871 of Adam's m seen here; `npm run bench` section 6 counts them).
it('wasm: 900 steps of a net whose units die leave no subnormal optimizer state', () => {
  const N = 512,
    x = new Float32Array(N * 784),
    t = new Uint8Array(N);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    x[i] = (s >>> 8) / 16777216;
  }
  for (let i = 0; i < N; i++) t[i] = i % 10;
  for (const name of ['adam', 'momentum', 'nesterov']) {
    const net = new MultiLayerNet({ inputSize: 784, hiddenSizes: [100, 100, 100, 100], outputSize: 10, seed: 1 });
    const opt = createOptimizer(name);
    const trainer = new Trainer(net, x, t, x.subarray(0, 7840), t.subarray(0, 10), { batchSize: 128, optimizer: opt });
    let zero = 0,
      subnormal = 0;
    for (let i = 0; i < 900; i++) trainer.step();
    for (const record of Object.values(opt.state())) {
      for (const buf of Object.values(record)) {
        for (let i = 0; i < buf.length; i++) {
          if (buf[i] === 0) zero++;
          else if (isSubnormal(buf[i])) subnormal++;
        }
      }
    }
    expect(subnormal, name).toBe(0);
    expect(zero, `${name}: some state decayed all the way (else this net tests nothing)`).toBeGreaterThan(1000);
  }
});

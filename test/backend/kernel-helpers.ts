// Shared by the kernel tests (activation, softmax_ce, batchnorm, dropout, optim .test.ts, one per kernel file of
// assembly/ and src/backend/js/): both backends, buffers placed in a backend, the js-vs-wasm comparison and the
// random inputs. Not a test file itself (no .test.ts), so vitest does not collect it.
import { beforeAll } from 'vitest';
import { createBackend, init } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/types.js';
import type { Rng } from '../../src/rng.js';
import { expectClose } from '../helpers.js';

export const SIZES = [1, 3, 4, 5, 17, 127, 1000];
export const SHAPES: [number, number][] = [
  [1, 1],
  [1, 10],
  [3, 5],
  [17, 10],
  [128, 100],
  [5, 127],
];
export const TOL = 1e-5;

// ---- the two backends ---------------------------------------------------------------------------------------

/** The js and the wasm backend of the calling test file, created in its beforeAll (read them inside tests). */
export const backends = { js: undefined as unknown as Backend, wasm: undefined as unknown as Backend };

/** Registers the beforeAll that fills `backends`; call once at the top of a kernel test file. */
export function useBackends(): typeof backends {
  beforeAll(async () => {
    await init();
    backends.js = createBackend('js');
    backends.wasm = createBackend('wasm');
  });
  return backends;
}

// ---- buffers ------------------------------------------------------------------------------------------------

export type Bufs = Record<string, Float32Array | Int32Array>;

/** Buffers of backend b with the same keys, types and contents as `init`. */
export function place<S extends Bufs>(b: Backend, init: S): S {
  let floats = 0;
  for (const v of Object.values(init)) floats += v.length + 4; // + alignment slack
  b.reserve(floats); // so that no allocation below grows (and detaches) the ones before it
  const out: Bufs = {};
  for (const [k, v] of Object.entries(init))
    out[k] = v instanceof Int32Array ? b.allocInt32(v.length) : b.alloc(v.length);
  for (const [k, v] of Object.entries(init)) {
    const buf = b.refresh(out[k]);
    buf.set(v);
    out[k] = buf;
  }
  return out as S;
}

export interface Both<S, R> {
  js: S;
  wasm: S;
  jsOut: R;
  wasmOut: R;
}

/** Places copies of `init` in each backend and runs `kernel` on them. */
export function onBoth<S extends Bufs, R>(init: S, kernel: (b: Backend, s: S) => R): Both<S, R> {
  const sj = place(backends.js, init);
  const sw = place(backends.wasm, init);
  const jsOut = kernel(backends.js, sj);
  const wasmOut = kernel(backends.wasm, sw);
  return { js: sj, wasm: sw, jsOut, wasmOut };
}

/** wasm's outputs `keys` against js's. */
export function compare<S extends Bufs, R>(
  r: Both<S, R>,
  keys: (keyof S & string)[],
  tol: number,
  label: string,
): void {
  for (const k of keys) expectClose(backends.wasm.refresh(r.wasm[k]), r.js[k], tol, `${label} ${k}`);
}

// ---- random inputs ------------------------------------------------------------------------------------------

export function randn(rng: Rng, n: number, scale = 1, shift = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = shift + scale * rng.normal();
  return a;
}

export function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.uniform();
  return a;
}

export function labels(rng: Rng, B: number, C: number): Int32Array {
  const t = new Int32Array(B);
  for (let i = 0; i < B; i++) t[i] = rng.int(C);
  return t;
}

export function onehot(t: Int32Array, C: number): Float32Array {
  const a = new Float32Array(t.length * C);
  t.forEach((c, i) => {
    a[i * C + c] = 1;
  });
  return a;
}

/** Column-normalized x[B×D] (in f64): what a BatchNorm forward keeps, xn and invStd. */
export function normalize(
  x: Float32Array,
  B: number,
  D: number,
  eps = 1e-6,
): { xn: Float32Array; invStd: Float32Array } {
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

export function sumOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

// ---- known answers ------------------------------------------------------------------------------------------

/** A Float32Array of `values` in backend b. */
export const f = (b: Backend, values: ArrayLike<number>): Float32Array => place(b, { a: Float32Array.from(values) }).a;

/** An Int32Array of `values` in backend b. */
export const i32 = (b: Backend, values: ArrayLike<number>): Int32Array => place(b, { a: Int32Array.from(values) }).a;

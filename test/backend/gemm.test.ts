// gemm and the bias kernels: wasm against the js reference at awkward sizes, every transpose variant, with and
// without accumulate, plus a hand-computed product and guards that nothing outside C is written.
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, init, type Backend } from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { expectClose } from '../helpers.js';

let js: Backend, wasm: Backend;
beforeAll(async () => {
  await init();
  js = createBackend('js');
  wasm = createBackend('wasm');
  wasm.reserve(4_000_000);
});

function fill(a: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed);
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform() * 2 - 1;
  return a;
}

// (M, K, N): ones, primes, non-multiples of 4 / 8 and of the block sizes (KC 256, MC 128, NC 1024), the nets' shapes.
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 127, 5],
  [127, 3, 17],
  [65, 257, 33],
  [1, 300, 1],
  [5, 1, 300],
  [129, 513, 9],
  [128, 784, 100],
  [784, 128, 100],
  [128, 100, 10],
  [7, 1030, 1029],
  [0, 5, 3],
  [4, 0, 6],
  [3, 6, 0],
];

describe('gemm: wasm vs js', () => {
  for (const [M, K, N] of shapes) {
    it(`${M}×${K}×${N}, all transpose variants, with and without accumulate`, () => {
      const guard = 8;
      const a = fill(wasm.alloc(M * K), 1),
        b = fill(wasm.alloc(K * N), 2);
      const ja = js.alloc(M * K),
        jb = js.alloc(K * N);
      ja.set(a);
      jb.set(b);
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const cw = fill(wasm.alloc(M * N + 2 * guard), 3),
              cj = js.alloc(M * N);
            cj.set(cw.subarray(guard, guard + M * N));
            const before = cw.slice();
            wasm.gemm(cw.subarray(guard, guard + M * N), a, b, M, N, K, transA, transB, accumulate);
            js.gemm(cj, ja, jb, M, N, K, transA, transB, accumulate);
            const label = `transA=${transA} transB=${transB} accumulate=${accumulate}`;
            expectClose(cw.subarray(guard, guard + M * N), cj, 2e-6 * Math.sqrt(Math.max(K, 1)), label);
            expect(Array.from(cw.subarray(0, guard)), `${label}: guard before C`).toEqual(
              Array.from(before.subarray(0, guard)),
            );
            expect(Array.from(cw.subarray(guard + M * N)), `${label}: guard after C`).toEqual(
              Array.from(before.subarray(guard + M * N)),
            );
          }
        }
      }
    });
  }
});

describe.each(['js', 'wasm'] as const)('gemm known answers (%s)', (name) => {
  it('a 2×3 · 3×2 product and its transposed forms', () => {
    const k = name === 'js' ? js : wasm;
    const A = k.alloc(6),
      B = k.alloc(6),
      C = k.alloc(4),
      At = k.alloc(6),
      Bt = k.alloc(6);
    A.set([1, 2, 3, 4, 5, 6]); // [[1,2,3],[4,5,6]]
    B.set([7, 8, 9, 10, 11, 12]); // [[7,8],[9,10],[11,12]]
    At.set([1, 4, 2, 5, 3, 6]); // Aᵀ stored 3×2
    Bt.set([7, 9, 11, 8, 10, 12]); // Bᵀ stored 2×3
    const expected = [58, 64, 139, 154];
    k.gemm(C, A, B, 2, 2, 3, false, false, false);
    expect(Array.from(C)).toEqual(expected);
    k.gemm(C, At, B, 2, 2, 3, true, false, false);
    expect(Array.from(C)).toEqual(expected);
    k.gemm(C, A, Bt, 2, 2, 3, false, true, false);
    expect(Array.from(C)).toEqual(expected);
    k.gemm(C, At, Bt, 2, 2, 3, true, true, true);
    expect(Array.from(C)).toEqual(expected.map((v) => 2 * v));
  });

  it('bias_forward adds per column; bias_backward sums per column', () => {
    const k = name === 'js' ? js : wasm;
    for (const [B, N] of [
      [1, 1],
      [3, 5],
      [17, 10],
      [128, 100],
      [5, 127],
    ]) {
      const y = fill(k.alloc(B * N), 4),
        bias = fill(k.alloc(N), 5),
        db = k.alloc(N);
      const y0 = k.alloc(B * N);
      y0.set(y);
      k.bias_forward(y, bias, B, N);
      expectClose(
        y,
        Array.from(y0, (v, i) => v + bias[i % N]),
        1e-7,
        `bias_forward ${B}×${N}`,
      );
      k.bias_backward(db, y0, B, N);
      const sums = new Array(N).fill(0);
      y0.forEach((v, i) => {
        sums[i % N] += v;
      });
      expectClose(db, sums, 1e-5, `bias_backward ${B}×${N}`);
    }
  });
});

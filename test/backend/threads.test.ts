// init({ threads }): the threaded wasm backend against the single-thread one of the same binary. Splitting a gemm
// into blocks of C, or an elementwise kernel into runs, must give the very same bits; so must whole training.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackendError,
  createBackend,
  createOptimizer,
  init,
  MultiLayerNet,
  threadCount,
  ValueError,
  type Backend,
  type MultiLayerNetOptions,
} from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { GEMM_SPLIT_MIN, ELEMENTWISE_SPLIT_MIN, ThreadPool } from '../../src/backend/wasm/pool.js';
import { ThreadedWasmBackend } from '../../src/backend/wasm/threaded.js';
import { randomBatch } from '../net/fixtures.js';
import { book } from '../book/vectors.js';
import { expectClose } from '../helpers.js';

let one: Backend, two: Backend;
beforeAll(async () => {
  await init();
  one = createBackend('wasm');
  one.reserve(8_000_000);
  await init({ threads: 2 });
  two = createBackend('wasm');
});
afterAll(() => init({ threads: 1 }));

function fill(a: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed);
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform() * 2 - 1;
  return a;
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('threads: setup', () => {
  it('threadCount() and the backends report the threads in use', () => {
    expect(threadCount()).toBe(2);
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
  });

  it('rejects a thread count that is not a positive integer', async () => {
    for (const bad of [0, -1, 1.5, NaN, 1000]) {
      await expect(init({ threads: bad }), String(bad)).rejects.toThrow(ValueError);
    }
    await expect(init({ threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 256, got 0/);
    expect(threadCount()).toBe(2);
  });

  it('a threaded build given as the single-thread wasm (and vice versa) is refused by name', async () => {
    const { compileKernels } = await import('../../src/backend/wasm/load.js');
    const threadedBytes = (await import('node:fs')).readFileSync(
      new URL('../../build/zerodl-threads.wasm', import.meta.url),
    );
    const plainBytes = (await import('node:fs')).readFileSync(new URL('../../build/zerodl.wasm', import.meta.url));
    await expect(compileKernels({ simd: 'simd', wasm: threadedBytes })).rejects.toThrow(BackendError);
    await expect(compileKernels({ simd: 'simd', wasm: () => plainBytes }, true)).rejects.toThrow(
      /single-thread build: threads need zerodl-threads/,
    );
  });
});

describe('threads: kernels are bit-identical to one thread', () => {
  // (M, K, N): the nets' shapes (split by rows and by columns), sizes that do not divide into the chunk quanta
  // (4 rows, 8 columns), and ones below the split threshold (which run on the caller alone).
  const shapes: [number, number, number][] = [
    [256, 1024, 1024],
    [256, 784, 1024],
    [1024, 256, 1024],
    [128, 784, 100],
    [784, 128, 100],
    [128, 100, 100],
    [33, 517, 1001],
    [1001, 259, 37],
    [97, 300, 45],
    [8, 8, 8],
    [1, 4096, 300],
  ];
  for (const [M, K, N] of shapes) {
    it(`gemm ${M}×${K}×${N}${M * N * K < GEMM_SPLIT_MIN ? ' (below the split threshold)' : ''}, every variant`, () => {
      one.reserve(M * K + K * N + 8 * M * N + 64); // one's views detach if its memory grows mid-test
      const a1 = fill(one.alloc(M * K), 1),
        b1 = fill(one.alloc(K * N), 2);
      const a2 = two.alloc(M * K),
        b2 = two.alloc(K * N);
      a2.set(a1);
      b2.set(b1);
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const c1 = fill(one.alloc(M * N), 3),
              c2 = two.alloc(M * N);
            c2.set(c1);
            one.gemm(c1, a1, b1, M, N, K, transA, transB, accumulate);
            two.gemm(c2, a2, b2, M, N, K, transA, transB, accumulate);
            expect(firstDifference(c1, c2), `tA=${transA} tB=${transB} acc=${accumulate}`).toBe(-1);
          }
        }
      }
    });
  }

  it('big kernels run on both threads, small ones on the caller alone', () => {
    const pool = (two as ThreadedWasmBackend).pool!;
    const [M, K, N] = [256, 1024, 1024];
    const a = fill(two.alloc(M * K), 1),
      b = fill(two.alloc(K * N), 2),
      c = two.alloc(M * N);
    let s0 = pool.stats();
    for (let i = 0; i < 5; i++) two.gemm(c, a, b, M, N, K, false, false, false);
    let s1 = pool.stats();
    expect(s1.jobs - s0.jobs).toBe(5);
    expect(s1.workerChunks).toBeGreaterThan(s0.workerChunks);
    const n = 1 << 20,
      p = fill(two.alloc(n), 3),
      g = fill(two.alloc(n), 4);
    for (let i = 0; i < 5; i++) two.sgd_update(p, g, n, 0.01);
    s0 = pool.stats();
    expect(s0.jobs - s1.jobs).toBe(5);
    two.gemm(c, a, b, 16, 16, 16, false, false, false);
    two.sgd_update(p, g, 1000, 0.01);
    s1 = pool.stats();
    expect(s1.jobs).toBe(s0.jobs);
  });

  it('stress: thousands of back-to-back jobs with threads that sleep between them (late wake-ups) stay exact', async () => {
    // pollMs 0: a thread sleeps after every job, so it often wakes when its job is over or the next one is being
    // written; accumulate = true turns any chunk run twice, or with the wrong job's arguments, into a wrong sum.
    const heap = (two as ThreadedWasmBackend).heap;
    const pool = await ThreadPool.start(heap, 2, { pollMs: 0 });
    let usedBeforeClose = NaN;
    try {
      const k = new ThreadedWasmBackend(heap, pool);
      const shapes: [number, number, number][] = [
        [64, 64, 64],
        [96, 40, 80],
        [40, 70, 128],
      ];
      const bufs = shapes.map(([M, K, N], i) => ({
        a1: fill(one.alloc(M * K), 10 + i),
        b1: fill(one.alloc(K * N), 20 + i),
        c1: one.alloc(M * N),
        a2: k.alloc(M * K),
        b2: k.alloc(K * N),
        c2: k.alloc(M * N),
      }));
      for (const b of bufs) {
        b.a2.set(b.a1);
        b.b2.set(b.b1);
      }
      const n = ELEMENTWISE_SPLIT_MIN + 100,
        p1 = fill(one.alloc(n), 5),
        g1 = fill(one.alloc(n), 6);
      const p2 = k.alloc(n),
        g2 = k.alloc(n);
      p2.set(p1);
      g2.set(g1);
      const before = pool.stats();
      for (let r = 0; r < 1500; r++) {
        const i = r % 3,
          [M, K, N] = shapes[i],
          b = bufs[i];
        one.gemm(b.c1, b.a1, b.b1, M, N, K, r % 2 === 0, false, true);
        k.gemm(b.c2, b.a2, b.b2, M, N, K, r % 2 === 0, false, true);
        one.sgd_update(p1, g1, n, 1e-3);
        k.sgd_update(p2, g2, n, 1e-3);
      }
      expect(pool.stats().jobs - before.jobs).toBeGreaterThanOrEqual(3000 - 1000); // 40×70×128 is below the split
      bufs.forEach((b, i) => expect(firstDifference(b.c1, b.c2), `shape ${i}`).toBe(-1));
      expect(firstDifference(p1, p2)).toBe(-1);
    } finally {
      usedBeforeClose = heap.usedBytes();
      pool.close();
    }
    // close() gave the thread's gemm scratch back to the heap (one worker: one block of scratchBytes)
    expect(usedBeforeClose - heap.usedBytes()).toBe(heap.scratchBytes);
  });

  it('a wasm trap in a split kernel (bad pointers) throws, and the pool goes on with the next job', () => {
    const pool = (two as ThreadedWasmBackend).pool!;
    const [M, K, N] = [256, 256, 256];
    const a = fill(two.alloc(M * K), 1),
      b = fill(two.alloc(K * N), 2),
      c = two.alloc(M * N);
    const beyond = two.memoryBytes(); // C, or p, wholly past the end of memory: every chunk traps, none writes
    expect(() => pool.gemm(beyond, a.byteOffset, b.byteOffset, M, N, K, 0, 0, 0)).toThrow(/out of bounds|trapped/);
    expect(() => pool.elementwise('sgd_update', beyond, a.byteOffset, 0, 0, 60_000, 0.1)).toThrow(
      /out of bounds|trapped/,
    );
    expect(pool.stats().workerChunks).toBeGreaterThan(0);
    const c1 = one.alloc(M * N),
      a1 = one.alloc(M * K),
      b1 = one.alloc(K * N);
    a1.set(a);
    b1.set(b);
    one.gemm(c1, a1, b1, M, N, K, false, false, false);
    two.gemm(c, a, b, M, N, K, false, false, false);
    expect(firstDifference(c1, c)).toBe(-1);
  });

  it('gemm writes nothing outside C', () => {
    const [M, K, N] = [200, 300, 400];
    const a = fill(two.alloc(M * K), 4),
      b = fill(two.alloc(K * N), 5);
    const c = fill(two.alloc(M * N + 64), 6);
    const before = c.slice();
    two.gemm(c.subarray(32, 32 + M * N), a, b, M, N, K, false, false, false);
    expect(Array.from(c.subarray(0, 32))).toEqual(Array.from(before.subarray(0, 32)));
    expect(Array.from(c.subarray(32 + M * N))).toEqual(Array.from(before.subarray(32 + M * N)));
  });

  // Sizes that are not a multiple of the chunk (16 floats) or of 4, around and above the split threshold.
  for (const n of [ELEMENTWISE_SPLIT_MIN - 1, ELEMENTWISE_SPLIT_MIN, 100_003, 1_048_576 + 5]) {
    it(`elementwise kernels and optimizer updates, n = ${n}`, () => {
      const run = (k: Backend) => {
        k.reserve(12 * n + 64);
        const buf = (seed: number) => fill(k.alloc(n), seed);
        const x = buf(7),
          dy = buf(8),
          y = k.alloc(n),
          dx = k.alloc(n),
          mask = k.alloc(n);
        for (let i = 0; i < n; i++) mask[i] = i % 3 === 0 ? 0 : 1;
        const out: Float32Array[] = [];
        k.relu_forward(y, x, n);
        out.push(y.slice());
        k.relu_backward(dx, dy, y, n);
        out.push(dx.slice());
        k.sigmoid_forward(y, x, n);
        out.push(y.slice());
        k.sigmoid_backward(dx, dy, y, n);
        out.push(dx.slice());
        k.dropout_forward_infer(y, x, n, 0.3);
        out.push(y.slice());
        k.dropout_backward(dx, dy, mask, n);
        out.push(dx.slice());
        const p = buf(9),
          g = buf(10),
          s1 = k.alloc(n),
          s2 = k.alloc(n);
        k.weight_decay_backward(g, p, n, 0.01);
        out.push(g.slice());
        for (let t = 0; t < 2; t++) {
          k.sgd_update(p, g, n, 0.01);
          k.momentum_update(p, g, s1, n, 0.01, 0.9);
          k.nesterov_update(p, g, s1, n, 0.01, 0.9);
          k.adagrad_update(p, g, s2, n, 0.01);
          k.rmsprop_update(p, g, s2, n, 0.01, 0.99);
          k.adam_update(p, g, s1, s2, n, 0.001, 0.9, 0.999);
        }
        out.push(p, s1, s2);
        return out;
      };
      const r1 = run(one),
        r2 = run(two);
      r1.forEach((v, i) => expect(firstDifference(v, r2[i]), `output ${i}`).toBe(-1));
    });
  }
});

describe("threads: Nesterov (the book's current form) on the split path", () => {
  it("the book's 12-element vectors tiled past the split threshold give the book's numbers in every tile", () => {
    const run = book.optimizers.runs.Nesterov;
    const tiles = Math.ceil(ELEMENTWISE_SPLIT_MIN / 12) + 1,
      n = 12 * tiles;
    const tile = (a: number[]): Float32Array => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = a[i % 12];
      return out;
    };
    two.reserve(3 * n + 64);
    const p = two.alloc(n),
      g = two.alloc(n),
      v = two.alloc(n);
    p.set(tile(book.optimizers.start_params.W.data));
    for (let t = 0; t < 3; t++) {
      g.set(tile(book.optimizers.grads[t].W.data));
      two.nesterov_update(p, g, v, n, run.hyperparameters.lr, run.hyperparameters.momentum);
      expectClose(p, tile(run.params_after[t].W.data), 1e-6, `step ${t + 1} p`);
      expectClose(v, tile(run.state_after[t].v.W.data), 1e-6, `step ${t + 1} v`);
    }
  });
});

describe('threads: training', () => {
  const spec: MultiLayerNetOptions = {
    inputSize: 784,
    hiddenSizes: [300, 200],
    outputSize: 10,
    useBatchNorm: true,
    useDropout: true,
    dropoutRatio: 0.2,
    weightDecayLambda: 0.01,
    seed: 7,
  };

  function train(steps: number, activation: 'relu' | 'sigmoid') {
    const net = new MultiLayerNet({ ...spec, activation, weightInit: activation });
    const opt = createOptimizer('adam', { lr: 0.01 });
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const { x, t } = randomBatch(256, spec.inputSize, spec.outputSize, 50 + s);
      net.gradient(x, t);
      losses.push(net.lastLoss);
      opt.update(net.params, net.grads);
    }
    return { net, losses };
  }

  for (const activation of ['relu', 'sigmoid'] as const) {
    it(`${activation} net with BatchNorm, Dropout and weight decay: same losses and parameters after 8 Adam steps`, async () => {
      await init({ threads: 1 });
      const a = train(8, activation);
      await init({ threads: 2 });
      const b = train(8, activation);
      expect(b.net.backend.threads).toBe(2);
      expect(b.losses).toEqual(a.losses);
      for (const k of a.net.paramNames) expect(firstDifference(a.net.params[k], b.net.params[k]), k).toBe(-1);
      const { x } = randomBatch(1000, spec.inputSize, spec.outputSize, 3);
      expect(firstDifference(a.net.predict(x), b.net.predict(x)), 'predict').toBe(-1);
    });
  }

  it('a backend whose pool was closed goes on, single-threaded, with the same results', async () => {
    const M = 256,
      K = 512,
      N = 512;
    const a = fill(two.alloc(M * K), 11),
      b = fill(two.alloc(K * N), 12),
      c = two.alloc(M * N);
    two.gemm(c, a, b, M, N, K, false, false, false);
    const before = c.slice();
    await init({ threads: 1 });
    expect(threadCount()).toBe(1);
    expect(createBackend('wasm').threads).toBe(1);
    c.fill(0);
    two.gemm(c, a, b, M, N, K, false, false, false);
    expect(firstDifference(before, c)).toBe(-1);
    await init({ threads: 2 });
    expect(threadCount()).toBe(2);
  });

  it('a training step grows neither the shared memory nor the heap', () => {
    const net = new MultiLayerNet({ ...spec, hiddenSizes: [256, 256] });
    const opt = createOptimizer('adam', { lr: 0.01 });
    const { x, t } = randomBatch(256, spec.inputSize, spec.outputSize, 1);
    const step = () => {
      net.gradient(x, t);
      opt.update(net.params, net.grads);
    };
    for (let i = 0; i < 3; i++) step();
    const bytes = net.backend.memoryBytes();
    for (let i = 0; i < 30; i++) step();
    expect(net.backend.memoryBytes()).toBe(bytes);
  });

  it('a block handed out again is zero-filled, also when it comes back below the bump pointer', async () => {
    const heap = (two as ThreadedWasmBackend).heap;
    // larger than every free block, so that it comes from the bump pointer, and released it lowers the pointer
    const bytes = Math.max(4096, heap.largestFreeBlock()) + 16;
    const ptr = heap.take(bytes);
    new Uint8Array(heap.buffer, ptr, bytes).fill(7);
    heap.release([[ptr, bytes]]);
    const again = heap.take(bytes);
    expect(again).toBe(ptr);
    expect(new Uint8Array(heap.buffer, again, bytes).every((v) => v === 0)).toBe(true);
    heap.release([[again, bytes]]);
  });

  it('blocks of a collected backend go back to the shared heap', async ({ skip }) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) skip('needs --expose-gc');
    const heap = (two as ThreadedWasmBackend).heap;
    const make = () => {
      const k = createBackend('wasm');
      k.alloc(1 << 20);
      k.alloc(12345);
    };
    make(); // warm: the first backend's blocks may come from the top, later ones reuse them
    for (let r = 0; r < 5; r++) {
      gc!();
      await new Promise((res) => setTimeout(res, 10));
    }
    const used = heap.usedBytes();
    for (let i = 0; i < 50; i++) {
      make();
      if (i % 10 === 9) {
        gc!();
        await new Promise((res) => setTimeout(res, 10));
      }
    }
    for (let r = 0; r < 20; r++) {
      gc!();
      await new Promise((res) => setTimeout(res, 10));
    }
    // 50 backends of 4 MiB each would be 200 MiB; with their blocks returned, use stays where it was
    expect(heap.usedBytes() - used).toBeLessThan(16 << 20);
  });
});

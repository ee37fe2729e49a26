// The bench's kernel profiler (bench/profile.mjs, the "where a training step goes" table of bench/bench.mjs): it must
// wrap exactly the kernels of the descriptor list, and the wrappers must be the functions a training step really
// calls. (It once walked the backend's prototype, which no longer holds the kernels since the wasm bindings are made
// from the descriptor as own properties: every kernel read 0% and mark/rollback were "kernels".)
import { afterAll, describe, expect, it } from 'vitest';
import { poolJobCalls, profileKernels } from '../../bench/profile.mjs';
import { createBackend, createOptimizer, init, KERNEL_NAMES, MultiLayerNet, Trainer } from '../../src/index.js';
import { KERNEL_NAMES as DESCRIPTOR_NAMES, KERNELS } from '../../src/backend/kernels.js';

function smallTrainer() {
  const N = 64;
  const x = new Float32Array(N * 20),
    t = new Uint8Array(N);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 37) % 101) / 101;
  for (let i = 0; i < N; i++) t[i] = i % 4;
  // 20-8-8-4: three Affine layers
  const net = new MultiLayerNet({ inputSize: 20, hiddenSizes: [8, 8], outputSize: 4, seed: 1 });
  const trainer = new Trainer(net, x, t, x.subarray(0, 80), t.subarray(0, 4), {
    batchSize: 16,
    optimizer: createOptimizer('adam'),
  });
  return { net, trainer };
}

describe('bench kernel profiler', () => {
  it('is given the descriptor list: the public KERNEL_NAMES is src/backend/kernels.ts', () => {
    expect([...KERNEL_NAMES]).toEqual(Object.keys(KERNELS));
    expect(KERNEL_NAMES).toBe(DESCRIPTOR_NAMES);
  });

  it('wraps every kernel of the list on a wasm backend, and nothing else', () => {
    const { net } = smallTrainer();
    const b = net.backend as unknown as Record<string, unknown>;
    expect(net.backend.name).toBe('wasm');
    const before = Object.fromEntries(KERNEL_NAMES.map((k) => [k, b[k]]));
    const mark = b.mark,
      rollback = b.rollback,
      alloc = b.alloc;
    const prof = profileKernels(net.backend, KERNEL_NAMES);
    expect(Object.keys(prof.ms).sort()).toEqual([...KERNEL_NAMES].sort());
    for (const k of KERNEL_NAMES) expect(b[k], k).not.toBe(before[k]);
    expect([b.mark, b.rollback, b.alloc]).toEqual([mark, rollback, alloc]);
  });

  it('counts the kernels a training step calls (gemm per Affine layer forward and backward, ReLU, Adam)', () => {
    const { trainer } = smallTrainer();
    const prof = profileKernels(trainer.net.backend, KERNEL_NAMES);
    trainer.step();
    prof.reset();
    trainer.step();
    // 3 Affine layers: 3 forward products, 3 dW products, and dx for the 2 layers above the input (at least).
    expect(prof.calls.gemm).toBeGreaterThanOrEqual(8);
    expect(prof.calls.relu_forward).toBe(2);
    expect(prof.calls.relu_backward).toBe(2);
    // Adam updates each of W1 b1 W2 b2 W3 b3 (one call per parameter, or one for them all)
    expect(prof.calls.adam_update).toBeGreaterThanOrEqual(1);
  });

  it('throws on a name the backend does not have', () => {
    const { net } = smallTrainer();
    expect(() => profileKernels(net.backend, ['no_such_kernel'])).toThrow(/no_such_kernel/);
  });

  it('perCall: one time per kernel call, in call order, cleared by reset', () => {
    const { trainer } = smallTrainer();
    const prof = profileKernels(trainer.net.backend, KERNEL_NAMES, { perCall: true });
    trainer.step();
    const calls = Object.values(prof.calls).reduce((a, b) => a + b, 0);
    expect(prof.callMs).toHaveLength(calls);
    expect(prof.callMs.every((ms) => ms >= 0)).toBe(true);
    prof.reset();
    expect(prof.callMs).toHaveLength(0);
  });
});

describe('bench pool-job classifier (poolJobCalls)', () => {
  afterAll(() => init({ threads: 1 }));

  it('marks the calls a threaded backend runs as pool jobs: a large gemm yes, a small one and a reduction no', async () => {
    await init({ threads: 2 });
    const b = createBackend('wasm') as unknown as Record<string, any>;
    expect(b.pool).toBeDefined();
    const M = 128,
      K = 256,
      N = 128; // 4.2M multiply-adds: split; 8×8×8 is not
    b.reserve(M * K + K * N + M * N + 3 * 64 + 16);
    const a = b.alloc(M * K),
      w = b.alloc(K * N),
      c = b.alloc(M * N),
      sa = b.alloc(64),
      sw = b.alloc(64),
      sc = b.alloc(64),
      db = b.alloc(16);
    const jobs = poolJobCalls(b, KERNEL_NAMES);
    b.gemm(c, a, w, M, N, K, false, false, false);
    b.gemm(sc, sa, sw, 8, 8, 8, false, false, false);
    b.bias_backward(db, c, M, 16);
    expect(jobs.split).toEqual([true, false, false]);
    jobs.reset();
    expect(jobs.split).toEqual([]);
  });

  it('refuses a backend without a pool', async () => {
    await init({ threads: 1 });
    expect(() => poolJobCalls(createBackend('wasm'), KERNEL_NAMES)).toThrow(/no thread pool/);
  });
});

// Issue 10, fault 1 (single thread) and 11: sizes that do not fit wasm32 memory are a MemoryError that changes
// nothing (bump pointer, memory, generation, views, the net); dispose() gives memory back and disposed objects refuse
// to work. (The threaded shared memory: memory-threads.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendError, createBackend, init, MemoryError, MultiLayerNet, Trainer } from '../../src/index.js';

beforeAll(() => init());

describe('single-thread wasm: an allocation that does not fit', () => {
  it('past 4 GiB: a MemoryError naming the bytes and the limit; the backend is unchanged', () => {
    const k = createBackend('wasm');
    const a = k.alloc(1000).fill(3);
    const bytes = k.memoryBytes(),
      generation = k.generation;
    for (const n of [2 ** 30, 1.5 * 2 ** 30, 2 ** 40]) {
      expect(() => k.alloc(n), String(n)).toThrow(MemoryError);
      expect(() => k.reserve(n), String(n)).toThrow(MemoryError);
    }
    expect(() => k.alloc(2 ** 30)).toThrow(
      /4,294,967,296 bytes \(4\.0 GiB\) do not fit: .* wasm32 memory holds at most 4,294,967,296 bytes/,
    );
    expect(k.memoryBytes()).toBe(bytes);
    expect(k.generation).toBe(generation);
    expect(a.length).toBe(1000);
    const b = k.alloc(4);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.byteLength); // the bump pointer did not move back
    b.fill(9);
    expect(a.every((v) => v === 3)).toBe(true);
    k.dispose();
  });

  it('just above 2 GiB (where a 32-bit align wrapped): never a buffer overlapping an earlier one', () => {
    const k = createBackend('wasm');
    let a = k.alloc(1000).fill(3);
    try {
      k.alloc(2 ** 29 + 1); // 2 GiB + 4 bytes: fits wasm32, if the engine grows that far
    } catch (e) {
      expect(e).toBeInstanceOf(MemoryError);
    }
    a = k.refresh(a);
    const b = k.alloc(1000);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.byteLength);
    b.fill(9);
    expect(a.every((v) => v === 3)).toBe(true);
    k.dispose();
  });
});

describe('a net too large: MemoryError, all or nothing', () => {
  it('the constructor names the net and the bytes', () => {
    expect(() => new MultiLayerNet({ inputSize: 784, hiddenSizes: [100000, 100000], outputSize: 10 })).toThrow(
      /^MultiLayerNet 784-100000-100000-10 with maxBatchSize 256: wasm reserve: [\d,]+ bytes .* do not fit/,
    );
    expect(
      () => new MultiLayerNet({ inputSize: 784, hiddenSizes: [100], outputSize: 10, maxBatchSize: 1_369_000 }),
    ).toThrow(MemoryError);
    expect(
      () => new MultiLayerNet({ inputSize: 100000, hiddenSizes: [100000], outputSize: 10, backend: 'js' }),
    ).toThrow(MemoryError); // (the js backend's typed arrays: the engine's RangeError, named)
  });

  it('a gradient over 1e6 rows is a MemoryError, and the net keeps its params, buffers and predictions', () => {
    const net = new MultiLayerNet({ inputSize: 2, hiddenSizes: [600], outputSize: 2, seed: 1 });
    const x = new Float32Array([0.1, 0.2, -0.3, 0.4, 0.5, -0.6]);
    const before = net.predict(x),
      W1 = net.params.W1.slice(),
      bytes = net.backend.memoryBytes();
    const rows = 1_000_000;
    const bigX = new Float32Array(2 * rows).fill(0.5),
      labels = new Uint8Array(rows);
    expect(() => net.gradient(bigX, labels)).toThrow(MemoryError);
    expect(() => net.gradient(bigX, labels)).toThrow(/activation buffers for 1000000 rows/);
    expect(net.params.W1.length).toBe(W1.length);
    expect(net.params.W1).toEqual(W1);
    expect(net.maxBatchSize).toBe(256);
    expect(net.backend.memoryBytes()).toBe(bytes);
    expect(net.predict(x)).toEqual(before);
    expect(Number.isFinite(net.loss(x, [0, 1, 1]))).toBe(true);
    net.gradient(x, [0, 1, 1]); // and it still trains
  });

  it('a Trainer with a batch too large for memory: MemoryError before any step', () => {
    // (the CLI's default net: 1e6 rows of activations are ~6.4 GB)
    const net = new MultiLayerNet({ inputSize: 784, hiddenSizes: [100, 100, 100, 100], outputSize: 10 });
    const x = new Float32Array(784 * 4),
      t = new Uint8Array(4);
    expect(() => new Trainer(net, x, t, x, t, { batchSize: 1_000_000 })).toThrow(MemoryError);
    expect(() => new Trainer(net, x, t, x, t, { batchSize: 1_000_000 })).toThrow(/activation buffers for 1000000 rows/);
    expect(net.maxBatchSize).toBe(256);
  });
});

describe('dispose()', () => {
  it('a disposed net refuses every use with a BackendError; dispose is idempotent; Symbol.dispose works', () => {
    const net = new MultiLayerNet({ inputSize: 4, hiddenSizes: [5], outputSize: 3, useBatchNorm: true });
    const x = new Float32Array(8),
      t = [0, 2];
    const trainer = new Trainer(net, x, t, x, t, { epochs: 1, batchSize: 2 });
    net.dispose();
    net.dispose();
    expect(net.isDisposed).toBe(true);
    expect(net.backend.disposed).toBe(true);
    expect(() => net.predict(x)).toThrow(BackendError);
    expect(() => net.predict(x)).toThrow(/disposed/);
    expect(() => net.loss(x, t)).toThrow(BackendError);
    expect(() => net.accuracy(x, t)).toThrow(BackendError);
    expect(() => net.gradient(x, t)).toThrow(BackendError);
    expect(() => net.toBytes()).toThrow(BackendError);
    expect(() => trainer.step()).toThrow(BackendError);
    expect(net.params.W1.length).toBe(0); // no view into freed memory is left to write through
    expect(() => net.backend.alloc(4)).toThrow(BackendError);
    expect(net.backend.memoryBytes()).toBe(0); // the wasm instance and its memory are let go

    const other = new MultiLayerNet({ inputSize: 4, hiddenSizes: [5], outputSize: 3 });
    expect(typeof Symbol.dispose).toBe('symbol'); // Node 20 has it
    (other as unknown as Disposable)[Symbol.dispose]();
    expect(other.isDisposed).toBe(true);
  });

  it('a disposed backend: kernels on its buffers are a BackendError, not a read of freed memory', () => {
    const k = createBackend('wasm');
    const a = k.alloc(16),
      b = k.alloc(16);
    k.dispose();
    expect(() => k.relu_forward(b, a, 16)).toThrow(/disposed/);
    expect(() => k.refresh(a)).toThrow(BackendError);
  });
});

describe('predict: scores too large for a typed array', () => {
  it('a MemoryError, not a RangeError', () => {
    const net = new MultiLayerNet({ inputSize: 1, hiddenSizes: [2], outputSize: 1_000_000, maxBatchSize: 4 });
    const x = new Float32Array(2 ** 22); // 4M rows of 1 input (16 MB): their scores would be 16 TB
    expect(() => net.predict(x)).toThrow(MemoryError);
    expect(() => net.predict(x)).toThrow(/predict: the scores of 4194304 rows × 1000000 classes/);
  });
});

// Issue 10, faults 1 and 11 on the threads' shared memory (1 GiB): an oversized allocation or net is a MemoryError
// that leaves the heap and every other net as they were; dispose() returns a net's blocks at once, so a loop making
// and dropping nets runs in constant memory; memory exhausted by live nets is a MemoryError that says what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, init, MemoryError, MultiLayerNet, type MultiLayerNetOptions } from '../../src/index.js';
import type { SharedHeap } from '../../src/backend/wasm/heap.js';
import type { ThreadedWasmBackend } from '../../src/backend/wasm/threaded.js';

let heap: SharedHeap;
beforeAll(async () => {
  await init({ threads: 2 });
  heap = (createBackend('wasm') as ThreadedWasmBackend).heap;
});
afterAll(() => init({ threads: 1 }));

const small: MultiLayerNetOptions = { inputSize: 784, hiddenSizes: [100], outputSize: 10, seed: 1 };

function fillAll(net: MultiLayerNet, v: number): void {
  for (const rec of [net.params, net.grads, net.buffers]) for (const a of Object.values(rec)) a.fill(v);
}

describe('shared memory: sizes that do not fit', () => {
  it('an allocation past the 1 GiB limit (and past 2 GiB, where align wrapped): MemoryError, heap unchanged', () => {
    const k = createBackend('wasm');
    const a = k.alloc(1000).fill(3);
    const used = heap.usedBytes();
    for (const n of [2 ** 28, 2 ** 29 + 1, 2 ** 30, 2 ** 40]) {
      expect(() => k.alloc(n), String(n)).toThrow(MemoryError);
      expect(() => k.reserve(n), String(n)).toThrow(MemoryError);
    }
    expect(() => k.alloc(2 ** 29 + 1)).toThrow(
      /2,147,483,652 bytes \(2\.0 GiB\) do not fit: .*shared memory holds at most 1,073,741,824 bytes/,
    );
    expect(heap.usedBytes()).toBe(used);
    const b = k.alloc(1000).fill(9);
    expect(b.byteOffset >= a.byteOffset + a.byteLength || b.byteOffset + b.byteLength <= a.byteOffset).toBe(true);
    expect(a.every((v) => v === 3)).toBe(true);
    k.dispose();
  });

  it('a failed net (maxBatchSize 1,369,000) changes nothing: another live net keeps its W1', () => {
    const a = new MultiLayerNet(small);
    const W1 = a.params.W1.slice();
    const used = heap.usedBytes();
    expect(() => new MultiLayerNet({ ...small, maxBatchSize: 1_369_000 })).toThrow(MemoryError);
    expect(heap.usedBytes()).toBe(used);
    const b = new MultiLayerNet({ ...small, seed: 2 });
    fillAll(b, 7);
    b.predict(new Float32Array(784 * 300).fill(1)); // writes every activation buffer of b
    expect(a.params.W1).toEqual(W1);
    a.dispose();
    b.dispose();
  });

  it('a failed gradient (1e6 rows) leaves the net working and the heap as it was', () => {
    const net = new MultiLayerNet({ inputSize: 2, hiddenSizes: [600], outputSize: 2, seed: 1 });
    const x = new Float32Array([0.1, 0.2, -0.3, 0.4]);
    const before = net.predict(x),
      used = heap.usedBytes();
    const rows = 1_000_000;
    expect(() => net.gradient(new Float32Array(2 * rows), new Uint8Array(rows))).toThrow(MemoryError);
    expect(heap.usedBytes()).toBe(used);
    expect(net.params.W1.length).toBe(1200);
    expect(net.predict(x)).toEqual(before);
    net.dispose();
  });
});

describe('dispose() on shared memory', () => {
  it('returns the blocks at once: 300 nets made and disposed in a synchronous loop stay in constant memory', () => {
    const wide: MultiLayerNetOptions = { ...small, hiddenSizes: [10], maxBatchSize: 2048 }; // ~6.8 MB of activations
    const used = heap.usedBytes();
    const probe = new MultiLayerNet(wide);
    const perNet = heap.usedBytes() - used;
    probe.dispose();
    expect(heap.usedBytes()).toBe(used);
    expect(300 * perNet).toBeGreaterThan(heap.limit); // without dispose this loop would not fit
    const bytes = heap.memory.buffer.byteLength;
    for (let i = 0; i < 300; i++) {
      const net = new MultiLayerNet(wide);
      net.predict(new Float32Array(784));
      net.dispose();
    }
    expect(heap.usedBytes()).toBe(used);
    expect(heap.memory.buffer.byteLength).toBe(bytes);
  });

  it('memory full of live nets: a MemoryError that names the limit and dispose(); disposing makes room again', () => {
    const nets: MultiLayerNet[] = [];
    let error: unknown;
    try {
      for (let i = 0; i < 200; i++) nets.push(new MultiLayerNet({ ...small, maxBatchSize: 20_000 })); // ~85 MB each
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MemoryError);
    expect(String((error as Error).message)).toMatch(/1,073,741,824 bytes .*dispose\(\)/);
    expect(nets.length).toBeGreaterThan(10);
    const last = nets.at(-1)!;
    const W1 = last.params.W1.slice();
    for (const net of nets.slice(0, -1)) net.dispose();
    const again = new MultiLayerNet({ ...small, maxBatchSize: 20_000 });
    fillAll(again, 5);
    expect(last.params.W1).toEqual(W1);
    again.dispose();
    last.dispose();
  });
});

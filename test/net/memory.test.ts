// A net allocates once: training steps neither allocate wasm memory nor grow it, and views stay valid.
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, BackendError, createBackend, init, MultiLayerNet, Trainer } from '../../src/index.js';
import { randomBatch } from './fixtures.js';

beforeAll(() => init());

describe('memory', () => {
  it('wasm memory stays the same size over 3000 training steps, and the params stay views of it', async () => {
    const net = new MultiLayerNet({
      inputSize: 20,
      hiddenSizes: [32, 32],
      outputSize: 5,
      useBatchNorm: true,
      useDropout: true,
      dropoutRatio: 0.2,
      weightDecayLambda: 1e-3,
      seed: 3,
    });
    const { x, t } = randomBatch(500, 20, 5, 4);
    const trainer = new Trainer(net, x, t, x, t, { epochs: 1, batchSize: 50, optimizer: 'adam' });
    trainer.step(); // the optimizer allocates its state on its first update
    const bytes = net.backend.memoryBytes();
    const generation = net.backend.generation;
    const W1 = net.params.W1;
    for (let i = 0; i < 3000; i++) trainer.step();
    expect(net.backend.memoryBytes()).toBe(bytes);
    expect(net.backend.generation).toBe(generation);
    expect(net.params.W1).toBe(W1);
    expect(W1.length).toBe(20 * 32); // not detached
  });

  // heapUsed cannot see short-lived garbage (V8 scavenges it or elides it), so this pins what it can: steps retain
  // nothing — after the JIT has warmed up, 25,000 more steps leave the JS heap where 5,000 left it.
  it('training steps retain nothing on the JS heap: its size does not grow with the number of steps', () => {
    const net = new MultiLayerNet({
      inputSize: 50,
      hiddenSizes: [64, 64],
      outputSize: 10,
      useBatchNorm: true,
      seed: 5,
    });
    const { x, t } = randomBatch(1000, 50, 10, 6);
    const trainer = new Trainer(net, x, t, x, t, { batchSize: 100, optimizer: new Adam() });
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'the simd test project runs with --expose-gc').toBeTypeOf('function');
    for (let i = 0; i < 5000; i++) trainer.step(); // warm up the JIT and its inline caches
    gc!();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 25000; i++) trainer.step();
    gc!();
    const grown = process.memoryUsage().heapUsed - before;
    // Keeping even 8 bytes per step would add 200 kB.
    expect(grown).toBeLessThan(200_000);
  });

  it('a batch larger than the capacity grows the activations once, keeping params', () => {
    const net = new MultiLayerNet({ inputSize: 8, hiddenSizes: [16], outputSize: 3, maxBatchSize: 16, seed: 1 });
    const W1 = Array.from(net.params.W1);
    const { x, t } = randomBatch(40, 8, 3, 2);
    net.gradient(x, t);
    expect(net.maxBatchSize).toBeGreaterThanOrEqual(40);
    expect(Array.from(net.params.W1)).toEqual(W1);
    const bytes = net.backend.memoryBytes();
    for (let i = 0; i < 100; i++) net.gradient(x, t);
    expect(net.backend.memoryBytes()).toBe(bytes);
  });

  it('predict/accuracy/loss on more rows than the capacity work chunk by chunk without growing memory', () => {
    const net = new MultiLayerNet({ inputSize: 8, hiddenSizes: [16], outputSize: 3, maxBatchSize: 16, seed: 1 });
    const { x, t } = randomBatch(100, 8, 3, 2);
    const bytes = net.backend.memoryBytes();
    const whole = net.predict(x);
    expect(net.backend.memoryBytes()).toBe(bytes);
    const big = new MultiLayerNet({ inputSize: 8, hiddenSizes: [16], outputSize: 3, maxBatchSize: 128, seed: 1 });
    expect(Array.from(big.predict(x))).toEqual(Array.from(whole));
    expect(big.accuracy(x, t)).toBe(net.accuracy(x, t));
    expect(big.loss(x, t)).toBeCloseTo(net.loss(x, t), 6);
  });

  it('when backend memory grows, old views are refused and refresh re-makes them', () => {
    const k = createBackend('wasm');
    const a = k.alloc(8);
    a.set([1, -2, 3, -4, 5, -6, 7, -8]);
    const generation = k.generation;
    k.alloc(k.memoryBytes()); // forces memory.grow
    expect(k.generation).toBeGreaterThan(generation);
    expect(() => k.relu_forward(a, a, 8)).toThrow(BackendError);
    expect(() => k.relu_forward(a, a, 8)).toThrow(/refresh/);
    const fresh = k.refresh(a);
    expect(Array.from(fresh)).toEqual([1, -2, 3, -4, 5, -6, 7, -8]);
    k.relu_forward(fresh, fresh, 8);
    expect(Array.from(fresh)).toEqual([1, 0, 3, 0, 5, 0, 7, 0]);
  });
});

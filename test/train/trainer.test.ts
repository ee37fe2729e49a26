// The Trainer: learns a non-linear task, is reproducible, stops on abort and on a diverging loss.
import { beforeAll, describe, expect, it } from 'vitest';
import { DivergenceError, init, MultiLayerNet, Trainer } from '../../src/index.js';
import { randomBatch, snapshot, spiral } from '../net/fixtures.js';

beforeAll(() => init());

describe.each(['wasm', 'js'] as const)('Trainer (%s)', (backend) => {
  it('reaches ≥ 90% test accuracy on the 3-arm spiral (not linearly separable)', async () => {
    const train = spiral(200, 1), test = spiral(100, 2);
    const net = new MultiLayerNet({ inputSize: 2, hiddenSizes: [64, 64], outputSize: 3, seed: 1, backend });
    const epochs: number[] = [];
    const result = await new Trainer(net, train.x, train.t, test.x, test.t, {
      epochs: 60, batchSize: 30, optimizer: 'adam', optimizerParams: { lr: 0.01 }, seed: 2,
      onEpoch: (e) => epochs.push(e.epoch),
    }).train();
    expect(result.finalTestAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.trainAcc.length).toBe(60);
    expect(epochs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(result.iterations).toBe(60 * 20); // iterPerEpoch = 600 / 30
    expect(result.trainLoss.length).toBe(result.iterations);
    const head = result.trainLoss.slice(0, 20).reduce((a, b) => a + b) / 20;
    const tail = result.trainLoss.slice(-20).reduce((a, b) => a + b) / 20;
    expect(tail).toBeLessThan(head / 4);
  });
});

describe('Trainer', () => {
  const data = () => randomBatch(300, 10, 4, 3);

  it('the same seeds give the same losses bit for bit; another batch seed does not', async () => {
    const run = async (seed: number) => {
      const { x, t } = data();
      const net = new MultiLayerNet({ inputSize: 10, hiddenSizes: [20], outputSize: 4, useDropout: true, dropoutRatio: 0.3, seed: 1 });
      return (await new Trainer(net, x, t, x, t, { epochs: 3, batchSize: 32, optimizer: 'momentum', seed }).train()).trainLoss;
    };
    const a = await run(7), b = await run(7), c = await run(8);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('iterPerEpoch = max(N / batch, 1) and evaluateSampleNumPerEpoch as the book', async () => {
    const { x, t } = data();
    const net = new MultiLayerNet({ inputSize: 10, hiddenSizes: [20], outputSize: 4 });
    const trainer = new Trainer(net, x, t, x, t, { epochs: 2, batchSize: 1000, evaluateSampleNumPerEpoch: 7 });
    expect(trainer.iterPerEpoch).toBe(1);
    const r = await trainer.train();
    expect(r.iterations).toBe(2);
    for (const acc of r.trainAcc) expect(Math.round(acc * 7) / 7).toBeCloseTo(acc, 12); // a multiple of 1/7
  });

  it('an AbortSignal stops training cleanly between steps', async () => {
    const { x, t } = data();
    const net = new MultiLayerNet({ inputSize: 10, hiddenSizes: [20], outputSize: 4 });
    const controller = new AbortController();
    const r = await new Trainer(net, x, t, x, t, {
      epochs: 1000, batchSize: 10,
      onIteration: ({ iter }) => { if (iter === 25) controller.abort(); },
      signal: controller.signal,
    }).train();
    expect(r.aborted).toBe(true);
    expect(r.iterations).toBe(25);
    expect(r.trainLoss.length).toBe(25);
    expect(Number.isFinite(r.finalTestAccuracy)).toBe(true);
  });

  it('a loss that turns NaN stops training with DivergenceError and rolls back to the last params with a finite loss', async () => {
    const { x, t } = data();
    const net = new MultiLayerNet({ inputSize: 10, hiddenSizes: [20, 20], outputSize: 4, weightInit: 10, seed: 1 });
    const history: Record<string, Float32Array>[] = [];
    const trainer = new Trainer(net, x, t, x, t, {
      epochs: 50, batchSize: 10, optimizer: 'sgd', optimizerParams: { lr: 1e6 },
      onIteration: () => { history.push(snapshot(net.params)); },
    });
    history.push(snapshot(net.params));
    const error = await trainer.train().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toMatch(/loss became (NaN|Infinity).*back at its last parameters whose loss was finite/);
    const partial = (error as DivergenceError).result as { trainLoss: number[]; iterations: number };
    expect(partial.trainLoss.length).toBe(partial.iterations);
    expect(partial.trainLoss.every(Number.isFinite)).toBe(true);
    // history[k] = params after k steps; the step that diverged saw history[n] (n = finite steps): we are at history[n − 1].
    const n = partial.iterations;
    expect(n).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(net.params)) {
      expect(v.every(Number.isFinite), `${k} finite`).toBe(true);
      expect(Array.from(v), k).toEqual(Array.from(history[n - 1][k]));
    }
    expect(Number.isFinite(net.loss(x, t))).toBe(true);
  });
});

// The Trainer: learns a non-linear task, is reproducible, stops on abort and on a diverging loss.
import { beforeAll, describe, expect, it } from 'vitest';
import { DivergenceError, init, MultiLayerNet, SGD, Trainer, ValueError } from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { randomBatch, snapshot, spiral } from '../net/fixtures.js';

beforeAll(() => init());

describe.each(['wasm', 'js'] as const)('Trainer (%s)', (backend) => {
  it('reaches ≥ 90% test accuracy on the 3-arm spiral (not linearly separable)', async () => {
    const train = spiral(200, 1),
      test = spiral(100, 2);
    const net = new MultiLayerNet({ inputSize: 2, hiddenSizes: [64, 64], outputSize: 3, seed: 1, backend });
    const epochs: number[] = [];
    const result = await new Trainer(net, train.x, train.t, test.x, test.t, {
      epochs: 60,
      batchSize: 30,
      optimizer: 'adam',
      optimizerParams: { lr: 0.01 },
      seed: 2,
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
      const net = new MultiLayerNet({
        inputSize: 10,
        hiddenSizes: [20],
        outputSize: 4,
        useDropout: true,
        dropoutRatio: 0.3,
        seed: 1,
      });
      return (await new Trainer(net, x, t, x, t, { epochs: 3, batchSize: 32, optimizer: 'momentum', seed }).train())
        .trainLoss;
    };
    const a = await run(7),
      b = await run(7),
      c = await run(8);
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
      epochs: 1000,
      batchSize: 10,
      onIteration: ({ iter }) => {
        if (iter === 25) controller.abort();
      },
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
      epochs: 50,
      batchSize: 10,
      optimizer: 'sgd',
      optimizerParams: { lr: 1e6 },
      onIteration: () => {
        history.push(snapshot(net.params));
      },
    });
    history.push(snapshot(net.params));
    const error = await trainer.train().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toMatch(
      /loss became (NaN|Infinity).*back at its last parameters whose loss was finite/,
    );
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

describe("Trainer: the book's schedule and loss, external batches", () => {
  const data = (n = 300) => randomBatch(n, 10, 4, 3);
  const evaluatedAt = async (n: number, epochs: number, evaluate?: 'book' | 'epoch-end') => {
    const { x, t } = data(n);
    const net = new MultiLayerNet({ inputSize: 10, hiddenSizes: [20], outputSize: 4, seed: 1 });
    const iters: number[] = [];
    await new Trainer(net, x, t, x, t, {
      epochs,
      batchSize: 100,
      evaluate,
      onEpoch: (e) => iters.push(e.iter),
    }).train();
    return iters;
  };

  it("evaluate 'book' measures after updates 1, 1 + iterPerEpoch, … (current_iter % iter_per_epoch == 0, also fractional)", async () => {
    expect(await evaluatedAt(300, 4, 'book')).toEqual([1, 4, 7, 10]);
    expect(await evaluatedAt(300, 4)).toEqual([3, 6, 9, 12]); // epoch-end, the default
    // iterPerEpoch 2.5, maxIter 10: Python's 0 % 2.5 == 0 and 5 % 2.5 == 0 only
    expect(await evaluatedAt(250, 4, 'book')).toEqual([1, 6]);
    expect(await evaluatedAt(250, 4, 'epoch-end')).toEqual([3, 5, 8, 10]);
  });

  it("evaluate 'book': the accuracy recorded is the net's right after that update", async () => {
    const { x, t } = data();
    const net = new MultiLayerNet({ inputSize: 10, hiddenSizes: [20], outputSize: 4, seed: 1 });
    const after: number[] = [];
    const r = await new Trainer(net, x, t, x, t, {
      epochs: 3,
      batchSize: 100,
      evaluate: 'book',
      optimizerParams: { lr: 0.5 },
      onIteration: ({ iter }) => after.push(net.accuracy(x, t)),
    }).train();
    expect(r.trainAcc).toEqual([after[0], after[3], after[6]]);
  });

  it("recordLoss 'book' records a test-mode forward on the batch after the update and leaves the training unchanged", async () => {
    const { x, t } = data();
    const rows = (idx: Int32Array) => {
      const xb = new Float32Array(idx.length * 10),
        tb = new Int32Array(idx.length);
      idx.forEach((r, i) => {
        xb.set(x.subarray(r * 10, r * 10 + 10), i * 10);
        tb[i] = t[r];
      });
      return { xb, tb };
    };
    const run = async (recordLoss: 'book' | 'gradient') => {
      const net = new MultiLayerNet({
        inputSize: 10,
        hiddenSizes: [20, 20],
        outputSize: 4,
        useBatchNorm: true,
        useDropout: true,
        dropoutRatio: 0.3,
        weightDecayLambda: 0.01,
        seed: 1,
      });
      const batches: Int32Array[] = [],
        post: number[] = [];
      let k = 0;
      const r = await new Trainer(net, x, t, x, t, {
        epochs: 2,
        batchSize: 50,
        recordLoss,
        optimizer: 'momentum',
        batchIndices: (idx, N) => {
          for (let i = 0; i < idx.length; i++) idx[i] = (7 * i + 13 * k) % N;
          k++;
          batches.push(idx.slice());
        },
        onIteration: () => {
          const { xb, tb } = rows(batches[batches.length - 1]);
          post.push(net.loss(xb, tb));
        },
      }).train();
      return { loss: r.trainLoss, post, params: snapshot(net.params), buffers: snapshot(net.buffers) };
    };
    const book = await run('book'),
      grad = await run('gradient');
    expect(book.loss.length).toBe(12);
    for (let i = 0; i < book.loss.length; i++) expect(book.loss[i]).toBeCloseTo(book.post[i], 6);
    expect(grad.loss).not.toEqual(book.loss); // the gradient's own loss: train mode, before the update
    for (const k of Object.keys(book.params)) expect(Array.from(book.params[k]), k).toEqual(Array.from(grad.params[k]));
    for (const k of Object.keys(book.buffers))
      expect(Array.from(book.buffers[k]), k).toEqual(Array.from(grad.buffers[k]));
  });

  it('batchIndices feeds the batches: the same updates as gradient() on those rows', async () => {
    const { x, t } = data();
    const make = () => new MultiLayerNet({ inputSize: 10, hiddenSizes: [20], outputSize: 4, seed: 1 });
    const a = make(),
      b = make();
    const picks = [
      [5, 0, 299, 5],
      [1, 2, 3, 4],
      [299, 298, 0, 7],
    ];
    let k = 0;
    const trainer = new Trainer(a, x, t, x, t, {
      epochs: 1,
      batchSize: 4,
      optimizer: 'sgd',
      optimizerParams: { lr: 0.1 },
      batchIndices: (idx) => idx.set(picks[k++ % picks.length]),
    });
    for (let s = 0; s < 3; s++) trainer.step();
    const sgd = new SGD({ lr: 0.1 });
    for (const p of picks) {
      const xb = new Float32Array(40),
        tb = new Int32Array(4);
      p.forEach((r, i) => {
        xb.set(x.subarray(r * 10, r * 10 + 10), i * 10);
        tb[i] = t[r];
      });
      sgd.update(b.params, b.gradient(xb, tb));
    }
    for (const key of Object.keys(a.params)) expectClose(a.params[key], b.params[key], 1e-6, key);
  });

  it('bad options are ValueErrors; an out-of-range batch index stops before touching the net', () => {
    const { x, t } = data();
    const net = new MultiLayerNet({ inputSize: 10, hiddenSizes: [20], outputSize: 4, seed: 1 });
    expect(() => new Trainer(net, x, t, x, t, { evaluate: 'start' as never })).toThrow(
      /evaluate must be one of 'epoch-end', 'book'/,
    );
    expect(() => new Trainer(net, x, t, x, t, { recordLoss: 'after' as never })).toThrow(ValueError);
    expect(() => new Trainer(net, x, t, x, t, { batchIndices: 3 as never })).toThrow(/batchIndices must be a function/);
    const before = snapshot(net.params);
    const trainer = new Trainer(net, x, t, x, t, { batchSize: 2, batchIndices: (idx) => idx.set([0, 300]) });
    expect(() => trainer.step()).toThrow(/index 300 at position 1 is outside the 300 training rows/);
    for (const k of Object.keys(before)) expect(Array.from(net.params[k]), k).toEqual(Array.from(before[k]));
  });
});

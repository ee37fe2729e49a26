// The six optimizer classes over 3 steps against the book's own common/optimizer.py (its numbers, float64, from
// test/fixtures/book-vectors.json; state and the wasm variants are checked in test/book/book-vectors.test.ts).
import { describe, expect, it } from 'vitest';
import {
  AdaGrad,
  Adam,
  createBackend,
  createOptimizer,
  init,
  Momentum,
  Nesterov,
  OPTIMIZER_NAMES,
  RMSprop,
  SGD,
  type Optimizer,
} from '../../src/index.js';
import { book, BOOK_OPTIMIZERS, f32, flat, optimizerOptions } from '../book/vectors.js';
import { expectClose } from '../helpers.js';

describe.each(['js', 'wasm'] as const)('optimizers on %s', (backendName) => {
  it('covers every optimizer name', () => {
    expect(BOOK_OPTIMIZERS.map(([, name]) => name).sort()).toEqual([...OPTIMIZER_NAMES].sort());
  });

  it.each(BOOK_OPTIMIZERS)("%s: 3 steps match the book's code", async (bookName, name) => {
    await init();
    const k = createBackend(backendName);
    const run = book.optimizers.runs[bookName];
    const start = f32(book.optimizers.start_params);
    const params = { W: k.alloc(12), b: k.alloc(4) },
      grads = { W: k.alloc(12), b: k.alloc(4) };
    params.W.set(start.W);
    params.b.set(start.b);
    const opt = createOptimizer(name, optimizerOptions(run.hyperparameters));
    for (let step = 0; step < 3; step++) {
      const g = f32(book.optimizers.grads[step]);
      grads.W.set(g.W);
      grads.b.set(g.b);
      opt.update(params, grads);
      const want = flat(run.params_after[step]);
      // float32 arithmetic against the book's float64: ~1e-7 relative per step
      expectClose(params.W, want.W, 1e-6, `${bookName} step ${step + 1} W`);
      expectClose(params.b, want.b, 1e-6, `${bookName} step ${step + 1} b`);
    }
  });
});

describe('optimizer classes', () => {
  it("defaults are the book's", () => {
    expect(new SGD().lr).toBe(0.01);
    expect(new Momentum()).toMatchObject({ lr: 0.01, momentum: 0.9 });
    expect(new Nesterov()).toMatchObject({ lr: 0.01, momentum: 0.9 });
    expect(new AdaGrad().lr).toBe(0.01);
    expect(new RMSprop()).toMatchObject({ lr: 0.01, decayRate: 0.99 });
    expect(new Adam()).toMatchObject({ lr: 0.001, beta1: 0.9, beta2: 0.999 });
  });

  it('createOptimizer is case-insensitive and passes options', () => {
    const o = createOptimizer('RMSprop', { lr: 0.5, decayRate: 0.5 }) as RMSprop;
    expect(o).toBeInstanceOf(RMSprop);
    expect(o.decayRate).toBe(0.5);
    expect(createOptimizer('SGD', { lr: 0.2 })).toMatchObject({ name: 'SGD', lr: 0.2 });
  });

  it('works on plain Float32Array records (allocating its state on the js backend)', () => {
    const params = { x: Float32Array.of(-7), y: Float32Array.of(2) };
    const opt: Optimizer = new Momentum({ lr: 0.1 });
    for (let i = 0; i < 2; i++)
      opt.update(params, { x: Float32Array.of(params.x[0] / 10), y: Float32Array.of(2 * params.y[0]) });
    // step 1: v = −0.1·(−0.7, 4) → p = (−6.93, 1.6); step 2: v = 0.9v − 0.1·(−0.693, 3.2)
    expectClose([params.x[0], params.y[0]], [-6.93 + 0.9 * 0.07 + 0.0693, 1.6 + 0.9 * -0.4 - 0.32], 1e-6);
  });

  it('Adam counts its steps for the bias correction, and reset() starts over', () => {
    const params = { W: Float32Array.of(1) },
      grads = { W: Float32Array.of(0.5) };
    const opt = new Adam({ lr: 0.1 });
    opt.update(params, grads);
    // t = 1: m = 0.05, v = 0.00025, lr_t = 0.1·√0.001/0.1 → step = lr_t·m/√v = 0.1 (Adam's first step is ±lr)
    expectClose(params.W, [0.9], 1e-6);
    expect(opt.iter).toBe(1);
    opt.reset();
    expect(opt.iter).toBe(0);
    opt.update(params, grads);
    expectClose(params.W, [0.8], 1e-6);
  });
});

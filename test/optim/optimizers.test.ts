// The six optimizer classes: the book's formulas over 3 steps, computed here in f64 by hand, on both backends.
import { describe, expect, it } from 'vitest';
import { AdaGrad, Adam, createBackend, createOptimizer, init, Momentum, Nesterov, OPTIMIZER_NAMES, RMSprop, SGD, type Optimizer } from '../../src/index.js';
import { expectClose } from '../helpers.js';

const p0 = [1.0, -2.0, 0.5];
const gradsAt = (step: number) => [0.3 * (step + 1), -0.1, 0.05 * (step - 1)];

/** The reference: the book's common/optimizer.py, in plain f64 arithmetic. */
function reference(name: string): number[] {
  const p = [...p0], v = [0, 0, 0], h = [0, 0, 0], m = [0, 0, 0], s = [0, 0, 0];
  for (let step = 0; step < 3; step++) {
    const g = gradsAt(step);
    for (let i = 0; i < 3; i++) {
      if (name === 'sgd') p[i] -= 0.01 * g[i];
      if (name === 'momentum') { v[i] = 0.9 * v[i] - 0.01 * g[i]; p[i] += v[i]; }
      if (name === 'nesterov') { v[i] *= 0.9; v[i] -= 0.01 * g[i]; p[i] += 0.81 * v[i]; p[i] -= 1.9 * 0.01 * g[i]; }
      if (name === 'adagrad') { h[i] += g[i] * g[i]; p[i] -= 0.01 * g[i] / (Math.sqrt(h[i]) + 1e-7); }
      if (name === 'rmsprop') { h[i] *= 0.99; h[i] += 0.01 * g[i] * g[i]; p[i] -= 0.01 * g[i] / (Math.sqrt(h[i]) + 1e-7); }
      if (name === 'adam') {
        const t = step + 1, lrT = 0.001 * Math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t);
        m[i] += 0.1 * (g[i] - m[i]);
        s[i] += 0.001 * (g[i] * g[i] - s[i]);
        p[i] -= lrT * m[i] / (Math.sqrt(s[i]) + 1e-7);
      }
    }
  }
  return p;
}

describe.each(['js', 'wasm'] as const)('optimizers on %s', (backendName) => {
  it.each(OPTIMIZER_NAMES)('%s: 3 steps with the book defaults match the formulas', async (name) => {
    await init();
    const k = createBackend(backendName);
    const params = { W: k.alloc(3) }, grads = { W: k.alloc(3) };
    params.W.set(p0);
    const opt = createOptimizer(name);
    for (let step = 0; step < 3; step++) {
      grads.W.set(gradsAt(step));
      opt.update(params, grads);
    }
    expectClose(params.W, reference(name), 2e-6, name);
  });
});

describe('optimizer classes', () => {
  it('defaults are the book\'s', () => {
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
    for (let i = 0; i < 2; i++) opt.update(params, { x: Float32Array.of(params.x[0] / 10), y: Float32Array.of(2 * params.y[0]) });
    // step 1: v = −0.1·(−0.7, 4) → p = (−6.93, 1.6); step 2: v = 0.9v − 0.1·(−0.693, 3.2)
    expectClose([params.x[0], params.y[0]], [-6.93 + 0.9 * 0.07 + 0.0693, 1.6 + 0.9 * -0.4 - 0.32], 1e-6);
  });

  it('Adam counts its steps for the bias correction, and reset() starts over', () => {
    const params = { W: Float32Array.of(1) }, grads = { W: Float32Array.of(0.5) };
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
